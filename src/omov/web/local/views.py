"""The secretary's pages: their units and meetings, one meeting (attendance, agenda,
votes), and trigger ballots. Who may reach each is checked once, in
``omov.web.access.checks`` (``unit_view``: the unit's own secretary acts; the
organisation's officers and the secretary see)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_POST

from omov.web.access.checks import officer_area, unit_view
from omov.web.access.models import Role
from omov.web.access.roles import may_for_unit, organisations_where, units_where
from omov.web.errors import ContestError
from omov.web.local import selectors, services, triggers, voting
from omov.web.local.forms import (
    MeetingForm,
    MotionForm,
    SelectionForm,
    TriggerOpenForm,
    VotesForm,
)
from omov.web.local.models import Meeting, Motion, TriggerBallot
from omov.web.members.models import Member, Unit
from omov.web.officer import run_action

SECRETARY = Role.SECRETARY


def _meeting_unit(kwargs: dict[str, Any]) -> Unit:
    return get_object_or_404(Meeting.objects.select_related("unit"), pk=kwargs["meeting"]).unit


def _motion_unit(kwargs: dict[str, Any]) -> Unit:
    found = Motion.objects.select_related("meeting__unit")
    return get_object_or_404(found, pk=kwargs["motion"]).meeting.unit


def _ballot_unit(kwargs: dict[str, Any]) -> Unit:
    found = TriggerBallot.objects.select_related("unit")
    return get_object_or_404(found, pk=kwargs["ballot"]).unit


def _unit(kwargs: dict[str, Any]) -> Unit:
    return get_object_or_404(Unit, pk=kwargs["unit"])


def _acting_units(request: HttpRequest) -> QuerySet[Unit]:
    """The units this officer is secretary of."""
    return Unit.objects.filter(pk__in=units_where(request.user, SECRETARY)).order_by("name")


def _seen_units(request: HttpRequest) -> QuerySet[Unit]:
    """The units whose pages this officer sees: their own, and every unit of an
    organisation they hold an organisation-wide role in."""
    return Unit.objects.filter(
        organisation_id__in=organisations_where(request.user)
    ) | _acting_units(request)


@officer_area(SECRETARY)
def local_home(request: HttpRequest) -> HttpResponse:
    """The officer's units, their meetings and trigger ballots; calling a meeting."""
    acting = _acting_units(request)
    form = MeetingForm(request.POST or None, units=acting)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_call(
                unit=data["unit"],
                title=data["title"],
                held_on=data["held_on"],
                notice_on=data["notice_on"],
                quorum=data["quorum"],
                actor=request.user,
            )
        except ContestError as error:
            messages.error(request, str(error))
            return redirect("local-home")
        messages.success(
            request,
            gettext("%(title)s is called for %(held_on)s.")
            % {"title": meeting.title, "held_on": date_format(meeting.held_on, "d F Y")},
        )
        return redirect("meeting", meeting=meeting.pk)
    units = _seen_units(request).distinct().order_by("name")
    return render(
        request,
        "local/home.html",
        {
            "form": form,
            "units": units,
            "acting": set(acting.values_list("pk", flat=True)),
            "meetings": selectors.meetings_for(units)[:100],
            "ballots": TriggerBallot.objects.filter(unit__in=units).select_related("unit"),
            "trigger_form": TriggerOpenForm(),
        },
    )


@unit_view(None, _meeting_unit)
@require_GET
def meeting_page(request: HttpRequest, meeting: int) -> HttpResponse:
    found = get_object_or_404(Meeting.objects.select_related("unit", "rulebook"), pk=meeting)
    acts = may_for_unit(request.user, SECRETARY, found.unit)
    motions = list(found.motions.select_related("mover", "seconder", "candidate"))
    return render(
        request,
        "local/meeting.html",
        {
            "meeting": found,
            "acts": acts,
            "roll": selectors.meeting_roll(found),
            "quorum": selectors.quorum_now(found),
            "motions": motions,
            "motion_form": MotionForm(kinds=selectors.motion_kinds(found), unit=found.unit),
            "votes_form": VotesForm(),
        },
    )


def _back(meeting: int) -> HttpResponseRedirect:
    return redirect("meeting", meeting=meeting)


@unit_view(SECRETARY, _meeting_unit)
@require_POST
def meeting_open_view(request: HttpRequest, meeting: int) -> HttpResponse:
    found = get_object_or_404(Meeting, pk=meeting)
    return run_action(
        request,
        lambda: services.meeting_open(meeting=found, actor=request.user),
        gettext("The meeting is open."),
        _back(meeting),
    )


@unit_view(SECRETARY, _meeting_unit)
@require_POST
def meeting_close_view(request: HttpRequest, meeting: int) -> HttpResponse:
    found = get_object_or_404(Meeting, pk=meeting)
    if request.POST.get("confirm") != "yes":
        messages.error(request, gettext("Nothing was done: tick the box to confirm this step."))
        return _back(meeting)
    return run_action(
        request,
        lambda: services.meeting_close(meeting=found, actor=request.user),
        gettext("The meeting is closed: no more votes are taken."),
        _back(meeting),
    )


@unit_view(SECRETARY, _meeting_unit)
@require_POST
def attendance_view(request: HttpRequest, meeting: int) -> HttpResponse:
    found = get_object_or_404(Meeting.objects.select_related("unit"), pk=meeting)
    ids = [int(v) for v in request.POST.getlist("present") if v.isdigit()]
    ticked = list(Member.objects.filter(organisation_id=found.unit.organisation_id, pk__in=ids))
    return run_action(
        request,
        lambda: services.attendance_record(meeting=found, members=ticked, actor=request.user),
        ngettext("Recorded %(n)s present.", "Recorded %(n)s present.", len(ticked))
        % {"n": len(ticked)},
        _back(meeting),
    )


def _member(found: Meeting, number: str, role: str) -> Member:
    member = Member.objects.filter(
        organisation_id=found.unit.organisation_id, number=number.strip()
    ).first()
    if member is None or not number.strip():
        raise ContestError(
            gettext("The %(role)s's membership number is not on the organisation's roll.")
            % {"role": role}
        )
    return member


@unit_view(SECRETARY, _meeting_unit)
@require_POST
def motion_table_view(request: HttpRequest, meeting: int) -> HttpResponse:
    found = get_object_or_404(Meeting.objects.select_related("unit"), pk=meeting)
    form = MotionForm(request.POST, kinds=selectors.motion_kinds(found), unit=found.unit)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return _back(meeting)
    data = form.cleaned_data
    return run_action(
        request,
        lambda: services.motion_table(
            meeting=found,
            kind=data["kind"],
            text=data["text"],
            mover=_member(found, data["mover"], "mover"),
            seconder=_member(found, data["seconder"], "seconder"),
            candidate=data["candidate"],
            trigger_ballot=data["trigger_ballot"],
            actor=request.user,
        ),
        gettext("The motion is on the agenda."),
        _back(meeting),
    )


def _motion(motion: int) -> Motion:
    return get_object_or_404(Motion.objects.select_related("meeting"), pk=motion)


@unit_view(SECRETARY, _motion_unit)
@require_POST
def motion_votes_view(request: HttpRequest, motion: int) -> HttpResponse:
    found = _motion(motion)
    form = VotesForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, gettext("Give the votes for, against and abstaining as whole numbers.")
        )
        return _back(found.meeting_id)
    data = form.cleaned_data
    return run_action(
        request,
        lambda: services.motion_votes_record(
            motion=found,
            votes_for=data["votes_for"],
            votes_against=data["votes_against"],
            abstentions=data["abstentions"] or 0,
            actor=request.user,
        ),
        gettext("The vote is recorded."),
        _back(found.meeting_id),
    )


@unit_view(SECRETARY, _motion_unit)
@require_POST
def voting_open_view(request: HttpRequest, motion: int) -> HttpResponse:
    found = _motion(motion)
    link = request.build_absolute_uri(reverse("motion-vote", args=[found.pk]))
    return run_action(
        request,
        lambda: voting.voting_open(motion=found, link=link, actor=request.user),
        gettext("Online voting is open: each member present has been sent a code."),
        _back(found.meeting_id),
    )


@unit_view(SECRETARY, _motion_unit)
@require_POST
def voting_close_view(request: HttpRequest, motion: int) -> HttpResponse:
    found = _motion(motion)
    return run_action(
        request,
        lambda: voting.voting_close(motion=found, actor=request.user),
        gettext("Online voting is closed and the motion decided."),
        _back(found.meeting_id),
    )


# -- trigger ballots -------------------------------------------------------------------
@unit_view(SECRETARY, _unit)
@require_POST
def trigger_ballot_open_view(request: HttpRequest, unit: int) -> HttpResponse:
    found = get_object_or_404(Unit, pk=unit)
    form = TriggerOpenForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Give the name of the sitting MP."))
        return redirect("local-home")
    try:
        ballot = triggers.trigger_ballot_open(
            unit=found, representative=form.cleaned_data["representative"], actor=request.user
        )
    except ContestError as error:
        messages.error(request, str(error))
        return redirect("local-home")
    messages.success(
        request, gettext("The trigger ballot is open: each branch answers at a meeting.")
    )
    return redirect("trigger-ballot", ballot=ballot.pk)


@unit_view(None, _ballot_unit)
@require_GET
def trigger_ballot_page(request: HttpRequest, ballot: int) -> HttpResponse:
    found = get_object_or_404(TriggerBallot.objects.select_related("unit", "selection"), pk=ballot)
    answers = {a.unit_id: a for a in found.answers.select_related("motion__meeting")}
    rows = [
        (unit, affiliated, answers.get(unit.pk)) for unit, affiliated in triggers.branches(found)
    ]
    return render(
        request,
        "local/trigger_ballot.html",
        {
            "ballot": found,
            "rows": rows,
            "now": triggers.outcome_now(found) if found.state == "open" else None,
            "acts": may_for_unit(request.user, SECRETARY, found.unit),
            "form": SelectionForm(),
        },
    )


@unit_view(SECRETARY, _ballot_unit)
@require_POST
def trigger_ballot_decide_view(request: HttpRequest, ballot: int) -> HttpResponse:
    found = get_object_or_404(TriggerBallot, pk=ballot)
    form = SelectionForm(request.POST)
    dates = form.cleaned_data if form.is_valid() else {}
    return run_action(
        request,
        lambda: triggers.trigger_ballot_decide(
            ballot=found,
            opens_at=dates.get("opens_at"),
            closes_at=dates.get("closes_at"),
            actor=request.user,
        ),
        gettext("The trigger ballot is decided."),
        redirect("trigger-ballot", ballot=ballot),
    )
