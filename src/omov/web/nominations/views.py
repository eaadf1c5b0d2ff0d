"""The officer records nominations and closes them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from omov.web.contests.models import Candidate, Contest
from omov.web.nominations.services import nomination_record, nominations_close
from omov.web.officer import back_to, officer_required, run_action


@require_POST
@officer_required
def nomination_create(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate, pk=request.POST.get("candidate", 0), contest_id=pk)
    nominator = request.POST.get("nominator", "")
    return run_action(
        request,
        lambda: nomination_record(candidate=candidate, nominator=nominator),
        f"Recorded {nominator.strip()}'s nomination of {candidate.name}.",
        back_to(pk),
    )


@require_POST
@officer_required
def nominations_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk)
    return run_action(
        request, lambda: nominations_close(contest=contest), "Nominations closed.", back_to(pk)
    )
