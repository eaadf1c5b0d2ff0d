"""Reading the audit trail."""

from __future__ import annotations

from django.db.models import QuerySet

from omov.web.audit.models import AuditEvent


def events_for_stream(*, stream: str) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(stream=stream).order_by("sequence")


DASHBOARD_EVENTS = 50
"""Events the officer's dashboard shows: a vetting drive adds one per decision, and every
decision returns to the dashboard, so showing them all would make each click cost more than
the one before."""


def latest_events(*, stream: str, limit: int = DASHBOARD_EVENTS) -> list[AuditEvent]:
    """The last ``limit`` events of ``stream``, oldest first (a stream's sequence numbers run
    from 1 with no gaps, so the last one's is how many there are)."""
    newest = AuditEvent.objects.filter(stream=stream).order_by("-sequence")[:limit]
    return list(reversed(newest))
