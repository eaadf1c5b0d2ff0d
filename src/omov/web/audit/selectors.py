"""Reading the audit trail."""

from __future__ import annotations

from django.db.models import QuerySet

from omov.web.audit.models import AuditEvent


def events_for_stream(*, stream: str) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(stream=stream).order_by("sequence")
