"""The emails a non-member gets when they ask to sign (Django's email): the link to confirm,
or, where there is nothing to confirm, why. The page said the same in every case."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.http import HttpRequest
from django.urls import reverse

from omov.web.petitions.models import Petition
from omov.web.petitions.signing import Asked, Request


def request_email_send(
    request: HttpRequest, petition: Petition, asked: Request, hours: int
) -> None:
    page = request.build_absolute_uri(reverse("petition", args=[petition.pk]))
    if asked.asked == Asked.CONFIRM:
        link = request.build_absolute_uri(reverse("petition-confirm", args=[asked.token]))
        body = (
            f"To sign the petition “{petition.title}”, open this link within {hours} hours:\n\n"
            f"{link}\n\nIf you did not ask to sign, ignore this email: nothing is counted "
            "unless the link is opened."
        )
    elif asked.asked == Asked.SIGNED:
        body = (
            f"You have already signed the petition “{petition.title}”. "
            f"Each person signs once.\n\n{page}"
        )
    else:
        body = (
            f"This address belongs to a member of {petition.organisation.name}. Members sign "
            f"signed in as members: sign in, then sign the petition on its page.\n\n{page}"
        )
    send_mail(
        f"Sign the petition: {petition.title}",
        body,
        f"petitions@{settings.OMOV_MAIL_DOMAIN}",
        [asked.email],
    )
