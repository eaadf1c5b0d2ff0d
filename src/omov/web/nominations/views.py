"""The officer records nominations and closes them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from omov.web.access.checks import officer_view
from omov.web.access.models import Role
from omov.web.contests.models import Candidate, Contest
from omov.web.nominations.services import nomination_record, nominations_close
from omov.web.officer import back_to, run_action


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def nomination_create(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate, pk=request.POST.get("candidate", 0), contest_id=pk)
    nominator = request.POST.get("nominator", "")
    return run_action(
        request,
        lambda: nomination_record(candidate=candidate, nominator=nominator),
        f"Recorded {nominator.strip()}'s nomination of {candidate.name}.",
        back_to(pk),
    )


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def nominations_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk)
    return run_action(
        request, lambda: nominations_close(contest=contest), "Nominations closed.", back_to(pk)
    )
