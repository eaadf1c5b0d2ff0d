"""The officer records nominations and closes them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from omov.web.access.checks import officer_view
from omov.web.access.models import Role
from omov.web.contests.models import Candidate, Contest
from omov.web.errors import ContestError
from omov.web.nominations.services import (
    candidate_withdraw,
    nomination_record,
    nominations_close,
    supporting_nomination_record,
)
from omov.web.officer import back_to, run_action
from omov.web.steps import Step


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def nomination_create(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate, pk=request.POST.get("candidate", 0), contest_id=pk)
    nominator = request.POST.get("nominator", "")
    body = request.POST.get("body", "")
    return run_action(
        request,
        lambda: nomination_record(
            candidate=candidate, nominator=nominator, body=body, actor=request.user
        ),
        gettext("Recorded %(nominator)s's nomination of %(candidate)s.")
        % {"nominator": nominator.strip(), "candidate": candidate.name},
        back_to(pk),
    )


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def nominations_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk)
    return run_action(
        request,
        lambda: nominations_close(contest=contest, actor=request.user),
        gettext("Nominations closed."),
        back_to(pk),
        step=Step.NOMINATIONS_CLOSE,
    )


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def supporting_nomination_create(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate, pk=request.POST.get("candidate", 0), contest_id=pk)
    try:
        membership = int(request.POST.get("membership") or 0)
    except ValueError:
        membership = -1
    return run_action(
        request,
        lambda: supporting_nomination_record(
            candidate=candidate,
            body=request.POST.get("body", ""),
            nominator=request.POST.get("nominator", ""),
            kind=request.POST.get("kind", "").strip(),
            membership=_membership(membership),
            actor=request.user,
        ),
        gettext("Recorded a supporting nomination of %(candidate)s.")
        % {"candidate": candidate.name},
        back_to(pk),
    )


def _membership(value: int) -> int:
    if value < 0:
        raise ContestError(gettext("the membership is a whole number, 0 or more"))
    return value


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def candidate_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate, pk=request.POST.get("candidate", 0), contest_id=pk)
    return run_action(
        request,
        lambda: candidate_withdraw(candidate=candidate, actor=request.user),
        gettext("%(candidate)s withdraws.") % {"candidate": candidate.name},
        back_to(pk),
    )
