"""The officer's balloting actions: credentials, opening and closing, postal returns."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from omov.web.access.checks import officer_view
from omov.web.access.models import Role
from omov.web.balloting.services import (
    ballot_close,
    ballot_open,
    credential_reissue,
    postal_import,
)
from omov.web.contests.models import Contest
from omov.web.electorate.models import Elector
from omov.web.electorate.views import _upload_text
from omov.web.errors import ContestError
from omov.web.jobs.services import codes_mailing_start, reminder_mailing_start
from omov.web.officer import back_to, run_action
from omov.web.steps import Step, confirmed, refusal


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def credentials_issue_view(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk)
    return run_action(
        request,
        lambda: codes_mailing_start(contest=contest),
        gettext("Sending voting codes: the mailing's progress is below."),
        back_to(pk),
    )


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def reminder_send_view(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk)
    return run_action(
        request,
        lambda: reminder_mailing_start(contest=contest),
        gettext("Sending a reminder to those who have not voted: the mailing's counts are below."),
        back_to(pk),
        step=Step.REMINDER_SEND,
    )


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def credential_reissue_view(request: HttpRequest, pk: int, elector: int) -> HttpResponse:
    chosen = get_object_or_404(Elector, pk=elector, contest_id=pk)
    if not confirmed(request, Step.CREDENTIAL_REISSUE):
        messages.error(request, refusal(Step.CREDENTIAL_REISSUE))
        return back_to(pk)
    try:
        reissued = credential_reissue(elector=chosen)
    except ContestError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, reissued.told)
    return back_to(pk)


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def ballot_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk)
    return run_action(
        request,
        lambda: ballot_open(contest=contest),
        gettext("Ballot open."),
        back_to(pk),
        step=Step.BALLOT_OPEN,
    )


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def ballot_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk)
    reason = request.POST.get("reason", "")
    return run_action(
        request,
        lambda: ballot_close(contest=contest, reason=reason),
        gettext("Ballot closed."),
        back_to(pk),
        step=Step.BALLOT_CLOSE,
    )


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def postal_upload(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk)
    try:
        outcomes = postal_import(contest=contest, text=_upload_text(request, "returns"))
    except ContestError as error:
        messages.error(request, str(error))
        return back_to(pk)
    accepted = sum(o.accepted for o in outcomes)
    messages.success(
        request,
        gettext("Postal returns: %(accepted)s counted, %(accepted2)s refused.")
        % {"accepted": accepted, "accepted2": len(outcomes) - accepted},
    )
    for outcome in [o for o in outcomes if not o.accepted][:20]:
        if not outcome.accepted:
            messages.warning(
                request,
                gettext("line %(line)s: %(reason)s")
                % {"line": outcome.line, "reason": outcome.reason},
            )
    return back_to(pk)
