"""The petition pages anyone reads, and signing: members signed in, non-members by email.

The page's count comes from the tallies (``selectors.live_count``), never from counting
signatures, so it costs the same at 10 signatures or 230,000.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from omov.web.clients import client_address
from omov.web.contests.models import Organisation
from omov.web.discussion.targets import Target
from omov.web.members.auth import current_member, member_required
from omov.web.members.home import HomeLink
from omov.web.members.models import Member
from omov.web.petitions import engine
from omov.web.petitions.errors import PetitionError
from omov.web.petitions.forms import EmailForm, StartForm
from omov.web.petitions.log import bundle_zip
from omov.web.petitions.mail import request_email_send
from omov.web.petitions.models import Petition, PetitionState
from omov.web.petitions.selectors import (
    count_by_unit,
    has_signed,
    live_count_forget,
    live_count_shown,
    petition_book,
    petitions_public,
)
from omov.web.petitions.services import petition_start
from omov.web.petitions.signing import signature_add, signature_confirm, signature_request


def discussion_target(organisation: Organisation, pk: int) -> Target | None:
    """A petition members may discuss: one of their organisation's that they can read
    (open or closed; one waiting for its check or taken down is not on show)."""
    found = petitions_public(organisation).filter(pk=pk).first()
    return None if found is None else Target(found.title, reverse("petition", args=[pk]))


def member_links(member: Member) -> list[HomeLink]:
    """The member's home page links to the petitions."""
    return [
        HomeLink("Petitions", reverse("petitions")),
        HomeLink("Start a petition", reverse("petition-start")),
    ]


def petition_list(request: HttpRequest) -> HttpResponse:
    member = current_member(request)
    shown = petitions_public()
    rows = [(p, live_count_shown(p.pk).total) for p in shown[:200]]
    return render(request, "petitions/list.html", {"rows": rows, "member": member})


@member_required
def petition_start_view(request: HttpRequest) -> HttpResponse:
    member = current_member(request)
    assert member is not None
    form = StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            petition = petition_start(
                sponsor=member,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                closes_at=form.closes_at(),
            )
        except PetitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                gettext("Your petition waits for an officer to check it against the rules."),
            )
            return redirect("petition", pk=petition.pk)
    return render(request, "petitions/start.html", {"form": form})


def _visible(request: HttpRequest, pk: int) -> Petition:
    """A petition its reader may see: open or closed ones, and a sponsor's own."""
    petition = get_object_or_404(Petition.objects.select_related("rulebook", "sponsor"), pk=pk)
    member = current_member(request)
    if petition.state == PetitionState.SUBMITTED and (
        member is None or member.pk != petition.sponsor_id
    ):
        raise Http404("no such petition")
    return petition


def petition_page(request: HttpRequest, pk: int) -> HttpResponse:
    petition = _visible(request, pk)
    book = petition_book(petition)
    rules = engine.petition_rules(book)
    count = live_count_shown(petition.pk)
    member = current_member(request)
    context = {
        "petition": petition,
        "count": count,
        "thresholds": [(t, count.total >= t.signatures) for t in rules.thresholds],
        "units": count_by_unit(petition, book) if petition.state != PetitionState.MODERATED else [],
        "member": member,
        "member_here": member is not None and member.organisation_id == petition.organisation_id,
        "signed": member is not None and has_signed(petition, member.identity_key),
        "non_members": rules.non_members,
        "hours": rules.confirm_within_hours,
        "email_form": EmailForm(),
        "open": petition.state == PetitionState.OPEN,
    }
    return render(request, "petitions/petition.html", context)


def petition_count(request: HttpRequest, pk: int) -> JsonResponse:
    """The live count as JSON: what a page or a feed polls."""
    petition = get_object_or_404(Petition.objects.only("pk", "state"), pk=pk)
    if petition.state not in (PetitionState.OPEN, PetitionState.CLOSED):
        raise Http404("no such petition")
    count = live_count_shown(petition.pk)
    return JsonResponse(
        {"total": count.total, "members": count.members, "non_members": count.non_members}
    )


@require_POST
@member_required
def petition_sign(request: HttpRequest, pk: int) -> HttpResponse:
    member = current_member(request)
    assert member is not None
    petition = get_object_or_404(Petition, pk=pk)
    try:
        signature_add(petition=petition, member=member, address=client_address(request))
    except PetitionError as error:
        messages.error(request, str(error))
    else:
        live_count_forget(petition.pk)
        messages.success(request, gettext("Thank you: you have signed this petition."))
    return redirect("petition", pk=pk)


@require_POST
def petition_sign_email(request: HttpRequest, pk: int) -> HttpResponse:
    petition = get_object_or_404(Petition.objects.select_related("organisation"), pk=pk)
    form = EmailForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Enter your email address, like name@example.org."))
        return redirect("petition", pk=pk)
    try:
        asked = signature_request(
            petition=petition, email=form.cleaned_data["email"], address=client_address(request)
        )
    except PetitionError as error:
        messages.error(request, str(error))
        return redirect("petition", pk=pk)
    hours = engine.petition_rules(petition_book(petition)).confirm_within_hours
    request_email_send(request, petition, asked, hours)
    messages.success(
        request,
        gettext(
            "Check your email: we have sent a link to confirm your signature. It works for "
            "%(hours)s hours."
        )
        % {"hours": hours},
    )
    return redirect("petition", pk=pk)


def petition_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a button to confirm (a mail scanner that opens links confirms nothing). POST:
    the signature counts."""
    if request.method == "POST":
        try:
            signature = signature_confirm(token=token)
        except PetitionError as error:
            return render(request, "petitions/confirm.html", {"error": str(error)}, status=400)
        live_count_forget(signature.petition_id)
        messages.success(request, gettext("Thank you: your signature is confirmed."))
        return redirect("petition", pk=signature.petition_id)
    return render(request, "petitions/confirm.html", {})


def petition_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed count of a closed petition: ``omov verify`` checks it offline."""
    petition = get_object_or_404(Petition.objects.select_related("rulebook", "organisation"), pk=pk)
    if petition.state != PetitionState.CLOSED:
        raise Http404("the signed count is published when the petition closes")
    response = HttpResponse(bundle_zip(petition), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="petition-{petition.pk}-count.zip"'
    return response
