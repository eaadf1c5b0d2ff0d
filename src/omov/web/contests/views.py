"""The officer's contest pages: the list, opening a contest, and one contest's dashboard."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from omov.web.access.checks import officer_area, officer_view
from omov.web.access.models import Role
from omov.web.access.roles import organisations_where, roles_in
from omov.web.audit.selectors import latest_events
from omov.web.balloting.selectors import ballots_cast, code_refusals
from omov.web.contests.engine import engine_runs_shared, nominating_bodies, supporting_bodies
from omov.web.contests.forms import CandidateForm, ContestForm
from omov.web.contests.happening_views import happening_forms
from omov.web.contests.models import Contest, ContestState, Organisation
from omov.web.contests.rulebooks import stored_book
from omov.web.contests.selectors import contest_list
from omov.web.contests.services import (
    candidate_add,
    contest_archive,
    contest_open,
    rulebook_load,
)
from omov.web.electorate.rolls import dates_used, sections
from omov.web.electorate.selectors import (
    APPEALS_SHOWN,
    appeals_oldest,
    elector_counts,
    electors_page,
    exclusions_waiting,
    statistics_of,
    turnout_of,
    vetting_figures,
)
from omov.web.errors import ContestError
from omov.web.jobs.selectors import FAILURES_SHOWN, codes_undelivered, mailing_progress
from omov.web.nominations.selectors import contest_threshold, nomination_standing
from omov.web.officer import back_to, run_action
from omov.web.results.selectors import counted_electors
from omov.web.steps import Step, questions
from omov.web.trustees.selectors import trustee_status
from omov.web.trustees.views import demo_keys_exist


@officer_area(Role.RETURNING_OFFICER)
def officer_home(request: HttpRequest) -> HttpResponse:
    """The contests of the officer's organisations, and opening one in an organisation the
    officer is returning officer of (organisations and roles are given in the admin)."""
    running = Organisation.objects.filter(
        pk__in=organisations_where(request.user, Role.RETURNING_OFFICER)
    )
    form = ContestForm(request.POST or None, organisations=running)
    if request.method == "POST" and form.is_valid():
        try:
            contest = _open(form.cleaned_data, request)
        except ContestError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                gettext("Opened %(title)s: nominations are open.") % {"title": contest.title},
            )
            return back_to(contest.pk)
    mine = organisations_where(request.user)
    contests = contest_list().filter(organisation_id__in=mine)
    organisations = Organisation.objects.filter(pk__in=mine).order_by("name")
    context = {
        "form": form,
        "contests": contests,
        "organisations": [(o, _organisation_links(request.user, o.pk)) for o in organisations],
    }
    return render(request, "contests/officer_home.html", context)


# An organisation's officer pages beyond its contests, each linked for the role that acts
# there (any officer of the organisation may read them by URL; the links are for the work).
ORGANISATION_PAGES = (
    (None, "members-officer", "Members and units"),
    (Role.RETURNING_OFFICER, "petitions-officer", "Petitions"),
    (Role.MODERATOR, "moderation-queue", "Discussion moderation"),
    (Role.APPEALS_PANEL, "moderation-appeals", "Discussion appeals"),
)


def _organisation_links(user: Any, organisation: int) -> list[tuple[str, str]]:
    """(label, URL) of ``organisation``'s officer pages for the roles ``user`` holds there."""
    held = roles_in(user, organisation)
    return [
        (label, reverse(name, args=[organisation]))
        for role, name, label in ORGANISATION_PAGES
        if role is None or role in held
    ]


@transaction.atomic
def _open(data: dict[str, object], request: HttpRequest) -> Contest:
    organisation = data["organisation"]
    assert isinstance(organisation, Organisation)
    rulebook = rulebook_load(organisation=organisation, key=str(data["rulebook"]))
    facts = rulebook.typed
    freeze = data["freeze_date"] or facts.freeze_date
    if not freeze:
        raise ContestError(gettext("this rulebook records no freeze date: give one"))
    return contest_open(
        rulebook=rulebook,
        title=str(data["title"]),
        nominating_body_size=data["nominating_body_size"] or facts.body_size,  # type: ignore[arg-type]
        freeze_date=freeze if isinstance(freeze, dt.date) else dt.date.fromisoformat(freeze),  # type: ignore[arg-type]
        ballot_opens_at=data["ballot_opens_at"],  # type: ignore[arg-type]
        ballot_closes_at=data["ballot_closes_at"],  # type: ignore[arg-type]
        trigger=str(data.get("trigger") or "") or None,
        actor=request.user,
    )


def _electorate_counts(contest: Contest) -> list[dict[str, Any]]:
    """The figures by section and reason, and the turnout: kept with the count once there
    is one (the rolls are closed), else one grouped query over the electors."""
    if contest.state in (ContestState.COUNTED, ContestState.PUBLISHED):
        return counted_electors(contest)
    return elector_counts(contest=contest)


@officer_view(None)
def contest_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest.objects.select_related("rulebook"), pk=pk)
    with engine_runs_shared():
        return render(request, "contests/dashboard.html", _dashboard(request, contest))


def _dashboard(request: HttpRequest, contest: Contest) -> dict[str, object]:
    counts = _electorate_counts(contest)
    appeals, waiting = appeals_oldest(contest=contest)
    return {
        "contest": contest,
        "candidate_form": CandidateForm(),
        "standing": nomination_standing(contest=contest),
        "threshold": contest_threshold(contest=contest),
        "nominating_bodies": nominating_bodies(contest),
        "supporting_bodies": supporting_bodies(contest),
        "statistics": statistics_of(counts),
        "turnout": turnout_of(counts),
        "electors": electors_page(contest=contest, search=request.GET.get("q", "")),
        "appeals": appeals,
        "appeals_waiting": waiting,
        "ballots": ballots_cast(contest=contest),
        "refusals": code_refusals(contest_id=contest.pk),
        "trustees": trustee_status(contest),
        "demo_trustees": demo_keys_exist(contest),
        "events": latest_events(stream=contest.stream),
        "roll_columns": sections(contest),
        "dates_used": dates_used(contest),
        **_vetting(contest),
        "mailings": mailing_progress(contest=contest),
        "undelivered": codes_undelivered(contest=contest)[:FAILURES_SHOWN],
        "steps": questions(contest, counts),
        "closing_early": timezone.now() < contest.ballot_closes_at,
        **happening_forms(contest),
    }


def _vetting(contest: Contest) -> dict[str, object]:
    book = stored_book(contest.rulebook.typed)
    if book.vetting is None:
        return {
            "grounds": [],
            "ground_options": "",
            "exclusions_waiting": [],
            "vetting_figures": [],
        }
    return {
        "grounds": book.vetting.grounds,
        # Each elector's row offers every ground: the options are made once, not 50 times.
        "ground_options": format_html_join(
            "", '<option value="{}">{}</option>', ((g.code, g.code) for g in book.vetting.grounds)
        ),
        "vetting": book.vetting,
        "exclusions_waiting": exclusions_waiting(contest=contest)[:APPEALS_SHOWN],
        "vetting_figures": vetting_figures(contest=contest, smallest=book.vetting.min_published),
    }


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def candidate_create(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk)
    form = CandidateForm(request.POST, request.FILES)
    if not form.is_valid():
        problems = [e for errors in form.errors.values() for e in errors]
        problem = "; ".join(map(str, problems))
        messages.error(
            request, gettext("The candidate was not added: %(problem)s") % {"problem": problem}
        )
        return back_to(pk)
    return run_action(
        request,
        lambda: candidate_add(contest=contest, **form.cleaned_data, actor=request.user),
        gettext("Added %(name)s.") % {"name": form.cleaned_data["name"]},
        redirect("contest-dashboard", pk=pk),
    )


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def contest_archive_view(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk)
    return run_action(
        request,
        lambda: contest_archive(contest=contest, actor=request.user),
        gettext("Archived: the contest is off the home page; its pages stay at their addresses."),
        back_to(pk),
        step=Step.CONTEST_ARCHIVE,
    )
