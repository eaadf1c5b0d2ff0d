"""A members' petition's log and its signed count (pure): what the web app appends, what it
publishes at close, and the count both it and ``omov verify`` derive from the log.

The petition's log is an append-only Merkle log (``omov.ledger.log``) of canonical JSON
entries: ``petition-opened`` first, then decisions while it is open (a signature reviewed,
the petition moderated), then at close one ``signature`` leaf per signature in rising order
of its signer key (so nobody appears twice, and the order says nothing of when anyone
signed), then ``petition-closed`` with the count. Signers appear only as keyed hashes:
members by their identity on the roll, non-members by their normalised email, each under
the petition's own key, so the log cannot be joined to a roll or to another petition.

The bundle (format ``omov-petition-count`` version 1, ``docs/petition-count.md``)::

    omov-petition.json      marker: format, version, petition (log id), title, rulebook
    petition.txt            the petition's text (its SHA-256 is in petition-opened)
    rulebook.toml           the rulebook as loaded (thresholds, smallest published unit)
    count.json              total, members, non-members, by unit, awaiting review, rejected
    ledger/entries.jsonl    the log, one canonical entry a line
    ledger/heads.json       {"petition": [signed tree heads]}
    MANIFEST.json           every file's SHA-256 (canonical JSON)
    signatures/organisation.json   the organisation's signature of the manifest
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rfc8785

from omov.ledger.bundle import sha256_file, signed_message
from omov.ledger.errors import BundleError, LedgerError
from omov.ledger.heads import SignedTreeHead
from omov.ledger.keys import SigningKey
from omov.ledger.log import Log

FORMAT = "omov-petition-count"
VERSION = 1
MARKER = "omov-petition.json"
TEXT = "petition.txt"
RULEBOOK = "rulebook.toml"
COUNT = "count.json"
ENTRIES = "ledger/entries.jsonl"
HEADS = "ledger/heads.json"
MANIFEST = "MANIFEST.json"
SIGNATURES = "signatures"
SIGNATURE = f"{SIGNATURES}/organisation.json"
ROLE = "organisation"

OPENED = "petition-opened"
REVIEWED = "signature-reviewed"
MODERATED = "petition-moderated"
SIGNATURE_LEAF = "signature"
CLOSED = "petition-closed"
KINDS = (OPENED, REVIEWED, MODERATED, SIGNATURE_LEAF, CLOSED)

MEMBER, NON_MEMBER = "member", "non-member"
COUNTED, AWAITING, REJECTED = "counted", "awaiting-review", "rejected"
OTHER_UNITS = "other units"
"""Where units with fewer signatures than the rulebook publishes are counted."""


def entry_bytes(kind: str, **fields: Any) -> bytes:
    """One canonical (RFC 8785) entry."""
    if kind not in KINDS:
        raise LedgerError(f"unknown petition log entry kind {kind!r}")
    return bytes(rfc8785.dumps({"kind": kind, **fields}))


@dataclass(frozen=True, order=True)
class Leaf:
    """One signature as published at close."""

    signer: str
    klass: str
    unit: str
    status: str

    def to_bytes(self) -> bytes:
        return entry_bytes(
            SIGNATURE_LEAF, signer=self.signer, **{"class": self.klass}, unit=self.unit,
            status=self.status,
        )  # fmt: skip


def published_units(leaves: Iterable[Leaf], min_published: int) -> dict[str, str]:
    """Each member's unit -> the label it is published under: a unit with fewer counted
    signatures than ``min_published`` is counted in "other units", so that nobody in a
    small unit is picked out by the figures."""
    counted = Counter(
        leaf.unit for leaf in leaves if leaf.klass == MEMBER and leaf.status == COUNTED
    )
    return {unit: unit if n >= min_published else OTHER_UNITS for unit, n in counted.items()}


def count_of(leaves: Sequence[Leaf], thresholds: Sequence[int]) -> dict[str, Any]:
    """The count of the leaves as published (their units already as published)."""
    counted = [leaf for leaf in leaves if leaf.status == COUNTED]
    members = [leaf for leaf in counted if leaf.klass == MEMBER]
    by_unit = Counter(leaf.unit for leaf in members)
    total = len(counted)
    return {
        "total": total,
        "members": len(members),
        "non_members": total - len(members),
        "by_unit": dict(sorted(by_unit.items())),
        "awaiting_review": sum(1 for leaf in leaves if leaf.status == AWAITING),
        "rejected": sum(1 for leaf in leaves if leaf.status == REJECTED),
        "thresholds_reached": [t for t in thresholds if total >= t],
    }


def closing_entries(
    leaves: Iterable[Leaf], *, thresholds: Sequence[int], min_published: int, at: str, actor: str
) -> list[bytes]:
    """The entries appended at close: the signature leaves, sorted by signer, with small
    units merged, then ``petition-closed`` with their count."""
    ordered = sorted(leaves)
    signers = [leaf.signer for leaf in ordered]
    if len(set(signers)) != len(signers):
        raise LedgerError("a signer appears twice among the signatures")
    labels = published_units(ordered, min_published)
    published = [
        Leaf(leaf.signer, leaf.klass, labels.get(leaf.unit, OTHER_UNITS), leaf.status)
        if leaf.klass == MEMBER
        else leaf
        for leaf in ordered
    ]
    count = count_of(published, thresholds)
    closed = entry_bytes(CLOSED, signatures=len(published), at=at, actor=actor, **count)
    return [leaf.to_bytes() for leaf in published] + [closed]


@dataclass(frozen=True)
class PetitionPublication:
    log: Log
    heads: tuple[SignedTreeHead, ...]
    title: str
    text: str
    rulebook_text: str
    edition: str


def marker_of(log_id: str, title: str, edition: str) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "petition": log_id,
        "title": title,
        "rulebook": {"edition": edition, "file": RULEBOOK},
    }


def closed_count(log: Log) -> dict[str, Any]:
    """The count as the ``petition-closed`` entry states it (the log's last entry)."""
    if log.size == 0:
        raise LedgerError("the petition's log is empty")
    last = json.loads(list(log)[-1])
    if last.get("kind") != CLOSED:
        raise LedgerError("the petition's log does not end with its petition-closed entry")
    fields = ("total", "members", "non_members", "by_unit", "awaiting_review", "rejected")
    return {name: last[name] for name in (*fields, "thresholds_reached")}


def write_petition_bundle(pub: PetitionPublication, directory: Path, key: SigningKey) -> Path:
    """Write every file, the manifest, then the organisation's signature of it."""
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.iterdir()):
        raise BundleError(f"{directory} is not empty; a bundle is written into a new directory")
    (directory / "ledger").mkdir()
    (directory / SIGNATURES).mkdir()
    files = {
        MARKER: _json(marker_of(pub.log.log_id, pub.title, pub.edition)),
        TEXT: pub.text.encode("utf-8"),
        RULEBOOK: pub.rulebook_text.encode("utf-8"),
        COUNT: _json(closed_count(pub.log)),
        ENTRIES: pub.log.to_jsonl(),
        HEADS: _json({"petition": [h.to_json() for h in pub.heads]}),
    }
    for rel, data in files.items():
        (directory / rel).write_bytes(data)
    listed = {rel: sha256_file(directory / rel) for rel in sorted(files)}
    manifest = bytes(rfc8785.dumps({"format": FORMAT, "version": VERSION, "files": listed}))
    (directory / MANIFEST).write_bytes(manifest)
    message = signed_message(manifest, role=ROLE, signer=key.fingerprint)
    record = {
        "role": ROLE,
        "key": key.fingerprint,
        "public_key": key.public.b64,
        "signature": base64.b64encode(key.sign(message)).decode(),
    }
    (directory / SIGNATURE).write_bytes(_json(record))
    return directory


def _json(value: Any) -> bytes:
    return json.dumps(value, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def leaf_fields(entry: Mapping[str, Any]) -> Leaf | None:
    """A signature entry as a ``Leaf``, or None if its fields are not as published."""
    try:
        leaf = Leaf(entry["signer"], entry["class"], entry["unit"], entry["status"])
    except KeyError:
        return None
    if set(entry) != {"kind", "signer", "class", "unit", "status"}:
        return None
    ok = (
        isinstance(leaf.signer, str)
        and len(leaf.signer) == 64
        and all(c in "0123456789abcdef" for c in leaf.signer)
        and leaf.klass in (MEMBER, NON_MEMBER)
        and isinstance(leaf.unit, str)
        and (leaf.unit == "") == (leaf.klass == NON_MEMBER)
        and leaf.status in (COUNTED, AWAITING, REJECTED)
    )
    return leaf if ok else None
