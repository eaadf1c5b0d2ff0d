"""The officer's contest pages: the list, opening a contest, and one contest's dashboard."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from omov.web.audit.selectors import latest_events
from omov.web.contests.forms import CandidateForm, ContestForm
from omov.web.contests.models import Contest, Organisation
from omov.web.contests.selectors import contest_list
from omov.web.contests.services import (
    candidate_add,
    contest_open,
    organisation_create,
    rulebook_load,
)
from omov.web.electorate.rolls import SECTION_OF, roll_columns
from omov.web.electorate.selectors import (
    APPEALS_SHOWN,
    appeals_waiting,
    electors_page,
    exclusion_statistics,
    turnout_by_section,
)
from omov.web.errors import ContestError
from omov.web.nominations.selectors import contest_threshold, nomination_standing
from omov.web.officer import back_to, officer_required, run_action


@officer_required
def officer_home(request: HttpRequest) -> HttpResponse:
    form = ContestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contest = _open(form.cleaned_data)
        except ContestError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Opened {contest.title}: nominations are open.")
            return back_to(contest.pk)
    return render(request, "contests/officer_home.html", {"form": form, "contests": contest_list()})


@transaction.atomic
def _open(data: dict[str, object]) -> Contest:
    name = str(data["organisation"]).strip()
    organisation = Organisation.objects.filter(name=name).first() or organisation_create(name=name)
    rulebook = rulebook_load(organisation=organisation, key=str(data["rulebook"]))
    facts = rulebook.facts
    freeze = data["freeze_date"] or facts["freeze_date"]
    if not freeze:
        raise ContestError("this rulebook records no freeze date: give one")
    return contest_open(
        rulebook=rulebook,
        title=str(data["title"]),
        nominating_body_size=data["nominating_body_size"] or facts["body_size"],  # type: ignore[arg-type]
        freeze_date=freeze if isinstance(freeze, dt.date) else dt.date.fromisoformat(freeze),  # type: ignore[arg-type]
        ballot_opens_at=data["ballot_opens_at"],  # type: ignore[arg-type]
        ballot_closes_at=data["ballot_closes_at"],  # type: ignore[arg-type]
    )


@officer_required
def contest_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest.objects.select_related("rulebook"), pk=pk)
    context = {
        "contest": contest,
        "candidate_form": CandidateForm(),
        "standing": nomination_standing(contest=contest),
        "threshold": contest_threshold(contest=contest),
        "statistics": exclusion_statistics(contest=contest),
        "turnout": turnout_by_section(contest=contest),
        "electors": electors_page(contest=contest, search=request.GET.get("q", "")),
        "appeals": appeals_waiting(contest=contest)[:APPEALS_SHOWN],
        "appeals_waiting": appeals_waiting(contest=contest).count(),
        "ballots": contest.ballots.count(),
        "events": latest_events(stream=contest.stream),
        "roll_columns": [
            (slug, roll_columns(slug))
            for slug in contest.rulebook.facts["sections"]
            if slug in SECTION_OF
        ],
    }
    return render(request, "contests/dashboard.html", context)


@require_POST
@officer_required
def candidate_create(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk)
    form = CandidateForm(request.POST, request.FILES)
    if not form.is_valid():
        problems = [e for errors in form.errors.values() for e in errors]
        messages.error(request, "The candidate was not added: " + "; ".join(map(str, problems)))
        return back_to(pk)
    return run_action(
        request,
        lambda: candidate_add(contest=contest, **form.cleaned_data),
        f"Added {form.cleaned_data['name']}.",
        redirect("contest-dashboard", pk=pk),
    )
