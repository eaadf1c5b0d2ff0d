"""The mailings' counts as JSON, for the dashboard to follow a mailing under way."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404

from omov.web.access.checks import officer_view
from omov.web.contests.models import Contest
from omov.web.jobs.selectors import mailing_progress


@officer_view(None)
def mailings_progress(request: HttpRequest, pk: int) -> JsonResponse:
    contest = get_object_or_404(Contest, pk=pk)
    rows = [
        {
            "id": row.mailing.pk,
            "state": row.mailing.get_state_display(),
            "total": row.total,
            "sent": row["sent"],
            "waiting": row.waiting,
            "bounced": row["bounced"],
            "failed": row["failed"],
        }
        for row in mailing_progress(contest=contest)
    ]
    return JsonResponse({"mailings": rows})
