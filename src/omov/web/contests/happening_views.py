"""The officer records what happens around a contest that the rules weigh: a motion voted
on, a resignation, a date set by the committee the rulebook names. Each form is parsed by
a Django form, needs its confirmation (``steps.py``: an event stays on the record), and
goes to its service (``contests/happenings.py``); the message then gives what the rules
engine decided on it, with the clause."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from omov.rules.schema import Rulebook
from omov.web.access.checks import officer_view
from omov.web.access.models import Role
from omov.web.contests.forms import DateSetForm, MotionForm, ResignationForm
from omov.web.contests.happenings import date_set, motion_record, resignation_record
from omov.web.contests.models import Contest
from omov.web.contests.rulebooks import stored_book
from omov.web.errors import ContestError
from omov.web.officer import back_to
from omov.web.steps import Step, confirmed, refusal


def happening_forms(contest: Contest) -> dict[str, forms.Form]:
    """The three forms, empty, for the dashboard."""
    book = stored_book(contest.rulebook.typed)
    return {
        "motion_form": MotionForm(book=book, prefix="motion"),
        "resignation_form": ResignationForm(book=book, prefix="resignation"),
        "date_form": DateSetForm(book=book, prefix="date"),
    }


def _record(
    request: HttpRequest,
    pk: int,
    make: Callable[[Rulebook], forms.Form],
    service: Callable[[Contest, dict[str, Any]], object],
    step: Step,
    done: str,
) -> HttpResponse:
    """Check the confirmation and the form, run the service, and tell the officer what the
    engine decided on the event (each decision with its clause)."""
    contest = get_object_or_404(Contest.objects.select_related("rulebook"), pk=pk)
    if not confirmed(request, step):
        messages.error(request, refusal(step))
        return back_to(pk)
    form = make(stored_book(contest.rulebook.typed))
    if not form.is_valid():
        problems = [f"{_label(form, f)}: {e}" for f, errors in form.errors.items() for e in errors]
        problem = "; ".join(problems)
        messages.error(request, gettext("Nothing was recorded: %(error)s") % {"error": problem})
        return back_to(pk)
    before = len(contest.decisions)
    try:
        service(contest, form.cleaned_data)
    except ContestError as error:
        messages.error(request, gettext("Nothing was recorded: %(error)s") % {"error": error})
        return back_to(pk)
    contest.refresh_from_db(fields=["decisions"])
    decided = contest.decisions[before:]
    if decided:
        done = gettext("%(done)s The rules decide:") % {"done": done}
    messages.success(request, done)
    for decision in decided:
        messages.info(request, _sentence(decision))
    if not decided:
        messages.info(request, gettext("The rules engine decides nothing on it."))
    return back_to(pk)


def _label(form: forms.Form, field: str) -> str:
    return str(form.fields[field].label or field) if field in form.fields else gettext("The form")


def _sentence(decision: dict[str, Any]) -> str:
    arithmetic = f" {decision['arithmetic']}" if decision.get("arithmetic") else ""
    return f"{decision['summary']}. {decision['explanation']}{arithmetic} ({decision['citation']})"


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def motion_create(request: HttpRequest, pk: int) -> HttpResponse:
    def record(contest: Contest, data: dict[str, Any]) -> object:
        return motion_record(
            contest=contest,
            body=data["body"],
            motion=data["motion"].strip(),
            votes_for=data["votes_for"],
            votes_against=data["votes_against"],
            actor=request.user,
        )

    return _record(
        request,
        pk,
        lambda book: MotionForm(request.POST, book=book, prefix="motion"),
        record,
        Step.MOTION_RECORD,
        gettext("Motion recorded."),
    )


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def resignation_create(request: HttpRequest, pk: int) -> HttpResponse:
    def record(contest: Contest, data: dict[str, Any]) -> object:
        return resignation_record(
            contest=contest, holder=data["holder"], office=data["office"], actor=request.user
        )

    return _record(
        request,
        pk,
        lambda book: ResignationForm(request.POST, book=book, prefix="resignation"),
        record,
        Step.RESIGNATION_RECORD,
        gettext("Resignation recorded."),
    )


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def date_create(request: HttpRequest, pk: int) -> HttpResponse:
    def record(contest: Contest, data: dict[str, Any]) -> object:
        return date_set(
            contest=contest,
            what=data["what"],
            value=data["value"],
            section=data["section"] or None,
            by=data["by"].strip(),
            actor=request.user,
        )

    return _record(
        request,
        pk,
        lambda book: DateSetForm(request.POST, book=book, prefix="date"),
        record,
        Step.DATE_SET,
        gettext("Date set."),
    )
