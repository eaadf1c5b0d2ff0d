"""Each audit event of a contest, as the ledger entry it becomes (``omov.ledger.entries``).

The audit app records what the web app did, in its own words; the ledger speaks the
vocabulary ``omov verify`` checks. Events with a ledger kind of their own map onto it,
with the facts ``verify`` needs (the rulebook's hash, eligible electors and credentials per
section); every other event is an ``engine-decision`` named after the event. People appear
only as a keyed hash (``person_key``), never by membership number or name.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings

from omov.ledger.entries import Entry, EntryKind, make_entry, person_key, sha256_hex
from omov.web.audit.models import AuditEvent
from omov.web.contests.models import Contest
from omov.web.trust.publication import (
    credentials_per_section,
    electorate_digest,
    frozen_sections,
    rulebook_text,
)

PERSON_FIELDS = ("reference", "nominator")
RESERVED = frozenset({"kind", "event"})


def contest_secret(contest: Contest) -> bytes:
    """The key of the person hashes: the officer can show which entry concerned someone,
    an outsider cannot enumerate the roll from the log."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"omov person key {contest.pk}".encode(), hashlib.sha256
    ).digest()


def _people_hidden(contest: Contest, payload: dict[str, Any]) -> dict[str, Any]:
    secret = contest_secret(contest)
    hidden = {k: v for k, v in payload.items() if k not in PERSON_FIELDS}
    if "reference" in payload:
        hidden["person"] = person_key(secret, str(payload["reference"]))
    if "nominator" in payload:
        hidden["nominator"] = person_key(secret, str(payload["nominator"]))
    return hidden


def _section_of(contest: Contest, reference: str) -> str:
    elector = contest.electors.filter(reference=reference).values_list("section", flat=True)
    return elector.first() or ""


def _entry(kind: EntryKind, fields: dict[str, Any], **own: Any) -> Entry:
    """An entry of ``kind`` with the event's ``fields`` and the builder's ``own`` keys. An
    event field named like an entry's own key (``kind``, ``event``, or one the builder sets,
    such as an engine decision's ``rule``) is kept apart as ``event_<name>``: a payload may
    carry a ``rule`` of its own, and it must neither clash nor overwrite."""
    taken = RESERVED | own.keys()
    kept = {(f"event_{name}" if name in taken else name): v for name, v in fields.items()}
    return make_entry(kind, **kept, **own)


def _rulebook(contest: Contest, event: str, fields: dict[str, Any]) -> Entry:
    text = rulebook_text(contest)
    return _entry(
        EntryKind.RULEBOOK_LOADED,
        fields,
        event=event,
        edition=contest.rulebook.key,
        sha256=sha256_hex(text.encode("utf-8")),
    )


def _vetting(contest: Contest, event: str, fields: dict[str, Any], reference: str) -> Entry:
    section = fields.pop("section", None) or _section_of(contest, reference)  # given: no query
    return _entry(EntryKind.VETTING_DECIDED, fields, event=event, section=section, excluded=True)


def _appeal(contest: Contest, event: str, fields: dict[str, Any], reference: str) -> Entry:
    fields.setdefault("reason", "")
    return _entry(EntryKind.APPEAL_DECIDED, fields, event=event, upheld=event == "appeal.upheld")


def _frozen(contest: Contest, event: str, fields: dict[str, Any]) -> Entry:
    return _entry(
        EntryKind.ELECTORATE_FROZEN,
        fields,
        event=event,
        sha256=electorate_digest(contest),
        sections=frozen_sections(contest),
    )


def _credentials(contest: Contest, event: str, fields: dict[str, Any]) -> Entry:
    return _entry(
        EntryKind.CREDENTIALS_ISSUED,
        fields,
        event=event,
        issued=credentials_per_section(contest),
    )


Simple = Callable[[Contest, str, dict[str, Any]], Entry]
SIMPLE: dict[str, Simple] = {
    "contest.opened": _rulebook,
    "electorate.frozen": _frozen,
    "credentials.issued": _credentials,
    "nomination.recorded": lambda c, e, f: _entry(EntryKind.NOMINATION, f, event=e),
    "roll.imported": lambda c, e, f: _entry(EntryKind.ROLL_IMPORTED, f, event=e),
    "ballot.opened": lambda c, e, f: _entry(EntryKind.BALLOT_OPENED, f, event=e),
}
ABOUT_A_PERSON = {
    "elector.excluded": _vetting,
    "appeal.upheld": _appeal,
    "appeal.dismissed": _appeal,
}


def entry_for_event(contest: Contest, event: AuditEvent, extra: dict[str, Any]) -> Entry:
    """The ledger entry of ``event``; ``extra`` carries what only the caller computed
    (the ballot log's root at close, the report's digest, the board's root)."""
    payload: dict[str, Any] = json.loads(event.payload)
    fields = {**_people_hidden(contest, payload), **extra}
    if event.kind in SIMPLE:
        return SIMPLE[event.kind](contest, event.kind, fields)
    if event.kind in ABOUT_A_PERSON:
        return ABOUT_A_PERSON[event.kind](contest, event.kind, fields, payload["reference"])
    kind = EXTRA_KINDS.get(event.kind)
    if kind is not None:
        return _entry(kind, fields, event=event.kind)
    return _entry(
        EntryKind.ENGINE_DECISION,
        fields,
        decision=event.kind,
        rule=contest.rulebook.key,
    )


EXTRA_KINDS = {
    "ballot.closed": EntryKind.BALLOT_CLOSED,
    "count.completed": EntryKind.COUNT_RUN,
    "result.published": EntryKind.RESULTS_PUBLISHED,
}
