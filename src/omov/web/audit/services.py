"""Recording audit events. Callers hold the lock on the thing that changed (the contest row),
so two events of one stream never race for a sequence number; the unique constraint is the
backstop."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import rfc8785
from django.db import transaction

from omov.web.audit.models import AuditEvent


def canonical_json(payload: dict[str, Any]) -> bytes:
    return rfc8785.dumps(payload)


@transaction.atomic
def event_record(
    *,
    stream: str,
    kind: str,
    payload: dict[str, Any],
    facts: dict[str, Any] | None = None,
    checkpoint: str | None = None,
) -> AuditEvent:
    """Append one event to ``stream`` with the next sequence number; a contest's event
    also becomes the next entry of its transparency log (``omov.web.trust``), with the
    ``facts`` its service computed for the entry, and the contest log's head signed after
    it at a ``checkpoint``."""
    from omov.web.trust.services import log_entry_append  # the ledger builds on audit

    body = canonical_json(payload)
    last = AuditEvent.objects.filter(stream=stream).order_by("-sequence").first()
    event = AuditEvent.objects.create(
        stream=stream,
        sequence=1 if last is None else last.sequence + 1,
        kind=kind,
        payload=body.decode(),
        payload_sha256=hashlib.sha256(body).hexdigest(),
    )
    log_entry_append(event=event, facts=facts, checkpoint=checkpoint)
    return event


@transaction.atomic
def events_record(*, stream: str, events: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Append several events to ``stream`` at once (a batch of vetting decisions): the same
    rows and log entries as ``event_record`` called for each in turn, written with a few
    statements rather than several each."""
    from omov.web.trust.services import log_entries_prepared, log_entries_save

    last = AuditEvent.objects.filter(stream=stream).order_by("-sequence").first()
    start = 1 if last is None else last.sequence + 1
    rows = []
    for offset, (kind, payload) in enumerate(events):
        body = canonical_json(payload)
        rows.append(
            AuditEvent(
                stream=stream,
                sequence=start + offset,
                kind=kind,
                payload=body.decode(),
                payload_sha256=hashlib.sha256(body).hexdigest(),
            )
        )
    entries = log_entries_prepared(stream=stream, events=rows)  # chains each row first
    log_entries_save(entries=entries, events=AuditEvent.objects.bulk_create(rows))
