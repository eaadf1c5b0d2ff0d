"""Members sign in by a one-time link emailed to the address on the roll.

- The link works once, within ``LINK_MINUTES``; only its token's SHA-256 is stored, so the
  table gives no one a way in. Using it marks it used in one conditional update, so two
  tabs opening it at once sign in once.
- Asking for a link answers the same whether or not the address is on a roll (the page
  never says), so the form cannot be used to find out who is a member. An address on
  several organisations' rolls gets one email from each, naming it.
- Expelled members get no link, and a link of a member expelled since does not work.
- Throttle: a client (its network's keyed hash, ``omov.web.clients``) may ask
  ``PER_CLIENT`` times an hour; a member is sent at most ``PER_MEMBER`` links in
  ``LINK_MINUTES``, so nobody can fill a member's inbox from the form.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import smtplib
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from omov.web.errors import ContestError
from omov.web.members.local import normalise_email
from omov.web.members.models import Member, SignInLink, SignInRequest, Standing

LINK_MINUTES = 15
PER_MEMBER = 3
PER_CLIENT = 10
CLIENT_WINDOW = dt.timedelta(hours=1)

log = logging.getLogger(__name__)


class SignInHeldError(ContestError):
    """Too many requests for links from this client this hour."""

    def __init__(self) -> None:
        super().__init__(
            "too many sign-in requests from your connection: wait an hour and try again"
        )


class LinkNotValidError(ContestError):
    def __init__(self) -> None:
        super().__init__("this sign-in link has expired or has been used: ask for a new one below")


def sender() -> str:
    return f"members@{settings.OMOV_MAIL_DOMAIN}"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in_request(*, email: str, client: str, link: Callable[[str], str]) -> None:
    """Email a sign-in link to each membership on any roll under ``email``; ``link`` makes
    the link's address from its token. Answers nothing: the caller says the same either
    way. ``SignInHeldError`` when the client has asked too often."""
    now = timezone.now()
    with transaction.atomic():
        SignInRequest.objects.filter(at__lt=now - CLIENT_WINDOW).delete()
        if SignInRequest.objects.filter(client=client).count() >= PER_CLIENT:
            raise SignInHeldError
        SignInRequest.objects.create(client=client, at=now)
    members = Member.objects.filter(email_normalised=normalise_email(email)).exclude(
        standing=Standing.EXPELLED
    )
    for member in members.select_related("organisation"):
        token = _link_make(member, now)
        if token is not None:
            _send(member, link(token))


def _link_make(member: Member, now: dt.datetime) -> str | None:
    """A new link's token, or None if the member was sent enough links lately."""
    since = now - dt.timedelta(minutes=LINK_MINUTES)
    if member.sign_in_links.filter(created_at__gt=since).count() >= PER_MEMBER:
        return None
    token = secrets.token_urlsafe(32)
    SignInLink.objects.create(
        member=member,
        digest=digest(token),
        created_at=now,
        expires_at=now + dt.timedelta(minutes=LINK_MINUTES),
    )
    return token


def _send(member: Member, url: str) -> None:
    organisation = member.organisation.name
    body = (
        f"Dear {member.display_name},\n\n"
        f"Someone asked to sign in to {organisation}'s members' pages with this address. "
        f"To sign in, open this link:\n\n    {url}\n\n"
        f"It works once, within {LINK_MINUTES} minutes. If it was not you, ignore this "
        "email: nobody can sign in as you without the link.\n"
    )
    message = EmailMessage(f"Sign in to {organisation}", body, sender(), [member.email])
    try:
        message.send()
    except (smtplib.SMTPException, OSError):
        # The page says the same either way; the operator sees the failure in the log.
        log.warning("a member's sign-in link could not be sent", exc_info=True)


def sign_in_link_member(token: str) -> Member:
    """The member a link signs in, without using it up (the page that asks to confirm);
    ``LinkNotValidError`` if it has expired, has been used or is not a link at all."""
    found = (
        SignInLink.objects.select_related("member__organisation")
        .filter(digest=digest(token), used_at__isnull=True, expires_at__gt=timezone.now())
        .exclude(member__standing=Standing.EXPELLED)
        .first()
    )
    if found is None:
        raise LinkNotValidError
    return found.member


def sign_in_link_use(token: str) -> Member:
    """Use the link up and return its member (``LinkNotValidError`` as above)."""
    member = sign_in_link_member(token)
    now = timezone.now()
    used = SignInLink.objects.filter(
        digest=digest(token), used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if used != 1:  # another request used it first
        raise LinkNotValidError
    return member
