"""The officer's petition pages: every petition of the organisation with its figures; one
petition's check (open it, or take it down with the reason), the signatures screening held
(as counts, decided together with a reason), and the close. Who may reach them is checked
in one place (``omov.web.access.checks.organisation_view``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from omov.web.access.checks import organisation_view
from omov.web.access.models import Role
from omov.web.contests.models import Organisation
from omov.web.petitions.errors import PetitionError
from omov.web.petitions.forms import ReasonForm, ReviewForm
from omov.web.petitions.models import Petition, PetitionState
from omov.web.petitions.selectors import held_for_review, live_count, status_counts
from omov.web.petitions.services import (
    petition_close,
    petition_moderate,
    petition_open,
    signatures_review,
)

CLOSE_WORD = "close"


def _petition(organisation: int, petition: int) -> Petition:
    found = Petition.objects.select_related("rulebook", "sponsor", "organisation")
    return get_object_or_404(found, pk=petition, organisation_id=organisation)


@organisation_view(None)
def officer_petitions(request: HttpRequest, organisation: int) -> HttpResponse:
    target = get_object_or_404(Organisation, pk=organisation)
    rows = [(p, live_count(p.pk)) for p in Petition.objects.filter(organisation=target)[:500]]
    return render(request, "petitions/officer_list.html", {"organisation": target, "rows": rows})


@organisation_view(None)
def officer_petition(request: HttpRequest, organisation: int, petition: int) -> HttpResponse:
    found = _petition(organisation, petition)
    context = {
        "petition": found,
        "count": live_count(found.pk),
        "statuses": status_counts(found.pk),
        "held": held_for_review(found),
        "reason_form": ReasonForm(),
        "close_word": CLOSE_WORD,
        "states": PetitionState,
    }
    return render(request, "petitions/officer_petition.html", context)


def _done(request: HttpRequest, found: Petition, action: object, success: str) -> HttpResponse:
    try:
        action()  # type: ignore[operator]
    except PetitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect("petition-officer", organisation=found.organisation_id, petition=found.pk)


@organisation_view(Role.RETURNING_OFFICER)
@require_POST
def officer_petition_open(request: HttpRequest, organisation: int, petition: int) -> HttpResponse:
    found = _petition(organisation, petition)
    return _done(
        request, found, lambda: petition_open(petition=found, officer=request.user),
        "The petition is open for signatures.",
    )  # fmt: skip


@organisation_view(Role.RETURNING_OFFICER)
@require_POST
def officer_petition_moderate(
    request: HttpRequest, organisation: int, petition: int
) -> HttpResponse:
    found = _petition(organisation, petition)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _done(
        request, found,
        lambda: petition_moderate(petition=found, reason=reason, officer=request.user),
        "The petition is taken down; the reason is shown in its place and kept in its log.",
    )  # fmt: skip


@organisation_view(Role.RETURNING_OFFICER)
@require_POST
def officer_signatures_review(
    request: HttpRequest, organisation: int, petition: int
) -> HttpResponse:
    found = _petition(organisation, petition)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose a decision and give the reason for it."))
        return redirect("petition-officer", organisation=organisation, petition=found.pk)
    data = form.cleaned_data
    return _done(
        request, found,
        lambda: signatures_review(
            petition=found, flag=data["flag"], accept=data["decision"] == "accept",
            reason=data["reason"], officer=request.user, address_range=data["address_range"],
        ),
        "Decided. Each signature's decision is in the petition's log with your reason.",
    )  # fmt: skip


@organisation_view(Role.RETURNING_OFFICER)
@require_POST
def officer_petition_close(request: HttpRequest, organisation: int, petition: int) -> HttpResponse:
    found = _petition(organisation, petition)
    if request.POST.get("confirm", "").strip().casefold() != CLOSE_WORD:
        messages.error(
            request,
            gettext("Nothing was done: type “%(close_word)s” in the box to confirm.")
            % {"close_word": CLOSE_WORD},
        )
        return redirect("petition-officer", organisation=organisation, petition=found.pk)
    return _done(
        request, found, lambda: petition_close(petition=found, officer=request.user),
        "Closed: the signed count is published.",
    )  # fmt: skip
