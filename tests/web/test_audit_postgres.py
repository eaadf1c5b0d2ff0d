"""PostgreSQL refuses to change or delete audit events, whatever the application does."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from omov.web.audit.models import AuditEvent
from omov.web.audit.services import event_record

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_the_database_keeps_audit_events_append_only() -> None:
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://..."
    event = event_record(stream="contest:1", kind="contest.opened", payload={"title": "T"})
    events = AuditEvent.objects.filter(pk=event.pk)
    for change in ({"kind": "forged"}, {"payload": "{}"}, {"sequence": 9}):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            events.update(**change)
    with pytest.raises(DatabaseError, match="cannot be deleted"), transaction.atomic():
        events.delete()
    assert events.update(previous_hash="ab" * 32) == 1  # the ledger fills it, once
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        events.update(previous_hash="cd" * 32)
    assert events.get().kind == "contest.opened"
    assert events.get().previous_hash == "ab" * 32
