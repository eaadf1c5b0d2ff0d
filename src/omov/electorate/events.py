"""Immutable event records of vetting and appeals, shaped to become ledger entries later.

Each state change emits one :class:`Event`. Its ``subject`` is a keyed hash (HMAC-SHA256) of the
person's record, not the record itself: the ledger will be published, and a plain hash of a
membership number could be reversed by trying every number. Only someone holding the
contest's key can link an event to a person. ``canonical()`` gives the exact bytes a
hash-chained ledger would commit to (JSON, sorted keys, no spaces, UTF-8).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Event:
    """One transition: what happened, when, by whom, to whom (keyed hash), and its details."""

    kind: str
    at: datetime
    actor: str
    subject: str
    payload: tuple[tuple[str, str], ...]

    @classmethod
    def of(
        cls, kind: str, at: datetime, actor: str, subject: str, payload: Mapping[str, str]
    ) -> Event:
        """Build an event; the payload is frozen as sorted pairs so the record is immutable."""
        return cls(kind, at, actor, subject, tuple(sorted(payload.items())))

    def detail(self, name: str) -> str:
        return dict(self.payload)[name]

    def canonical(self) -> bytes:
        """The bytes a hash-chained ledger commits to."""
        record = {
            "kind": self.kind,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "subject": self.subject,
            "payload": dict(self.payload),
        }
        return json.dumps(record, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def digest(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


def subject_hash(key: bytes, section: str, record_id: str) -> str:
    """The keyed hash that names a person's record in events (HMAC-SHA256, hex)."""
    message = f"{section}:{record_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
