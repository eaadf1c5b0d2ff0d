"""Ledger entries: one decision each, stored as canonical JSON (RFC 8785).

Canonical JSON gives every entry exactly one byte form, so the same decision always
hashes to the same Merkle leaf whoever serialises it, and a verifier can refuse any entry
whose bytes are not that form (no whitespace or key-order games). People appear only as
a keyed hash (HMAC-SHA256 under the contest's secret): the officer can show which
decision concerned a given person, an outsider cannot enumerate the roll from the log.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import rfc8785

from omov.ledger.errors import EntryError


class EntryKind(StrEnum):
    RULEBOOK_LOADED = "rulebook-loaded"
    ENGINE_DECISION = "engine-decision"
    NOMINATION = "nomination"
    ROLL_IMPORTED = "roll-imported"
    ELIGIBILITY_DECIDED = "eligibility-decided"
    VETTING_DECIDED = "vetting-decided"
    APPEAL_DECIDED = "appeal-decided"
    ELECTORATE_FROZEN = "electorate-frozen"
    CREDENTIALS_ISSUED = "credentials-issued"
    BALLOT_OPENED = "ballot-opened"
    CANDIDATE_WITHDRAWN = "candidate-withdrawn"
    BALLOT_CLOSED = "ballot-closed"
    COUNT_RUN = "count-run"
    RESULTS_PUBLISHED = "results-published"


_Fields = Mapping[str, type | tuple[type, ...]]

REQUIRED: Mapping[EntryKind, _Fields] = MappingProxyType(
    {
        EntryKind.RULEBOOK_LOADED: {"edition": str, "sha256": str},
        EntryKind.ENGINE_DECISION: {"decision": str, "rule": str},
        EntryKind.NOMINATION: {"candidate": str, "nominator": str},
        EntryKind.ROLL_IMPORTED: {"section": str, "sha256": str, "rows": int},
        EntryKind.ELIGIBILITY_DECIDED: {
            "person": str,
            "section": str,
            "eligible": bool,
            "reason": str,
        },
        EntryKind.VETTING_DECIDED: {
            "person": str,
            "section": str,
            "excluded": bool,
            "grounds": str,
        },
        EntryKind.APPEAL_DECIDED: {"person": str, "upheld": bool, "reason": str},
        EntryKind.ELECTORATE_FROZEN: {"sha256": str, "sections": dict},
        EntryKind.CREDENTIALS_ISSUED: {"issued": dict},
        EntryKind.BALLOT_OPENED: {
            "title": str,
            "candidates": list,
            "sections": list,
            "min_section": int,
            "trackers": str,
        },
        EntryKind.CANDIDATE_WITHDRAWN: {"candidate": str},
        EntryKind.BALLOT_CLOSED: {"ballots": int, "ballot_log_root": str, "cast": dict},
        EntryKind.COUNT_RUN: {"method": str, "seats": int, "elected": list, "reports": dict},
        EntryKind.RESULTS_PUBLISHED: {"board_root": str, "trackers_sha256": str, "ballots": int},
    }
)


@dataclass(frozen=True)
class Entry:
    """One ledger entry: its kind and its fields (plain JSON values)."""

    kind: EntryKind
    fields: Mapping[str, Any]

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))
        _check_fields(self.kind, self.fields)

    def to_bytes(self) -> bytes:
        """The canonical (RFC 8785) form: the Merkle leaf."""
        try:
            return bytes(rfc8785.dumps({"kind": self.kind.value, **self.fields}))
        except Exception as error:  # rfc8785 raises its own errors for floats, big ints...
            raise EntryError(
                f"{self.kind} entry holds a value JSON cannot carry: {error}"
            ) from None

    def __getitem__(self, name: str) -> Any:
        return self.fields[name]


def make_entry(kind: EntryKind | str, **fields: Any) -> Entry:
    try:
        chosen = EntryKind(kind)
    except ValueError:
        raise EntryError(f"unknown ledger entry kind {kind!r}") from None
    return Entry(chosen, fields)


def parse_entry(data: bytes) -> Entry:
    """Read one stored entry, refusing anything that is not exactly its canonical form."""
    from omov.ledger import strict_json
    from omov.ledger.errors import BundleError

    try:
        value = strict_json.loads_canonical(data, source="entry")
    except BundleError as error:
        raise EntryError(str(error).removeprefix("entry: ")) from None
    if not isinstance(value, dict) or not isinstance(value.get("kind"), str):
        raise EntryError("an entry is a JSON object with a 'kind'")
    kind = value.pop("kind")
    return make_entry(kind, **value)  # its canonical form is ``data``, checked above


def _check_fields(kind: EntryKind, fields: Mapping[str, Any]) -> None:
    for name, wanted in REQUIRED[kind].items():
        if name not in fields:
            raise EntryError(f"{kind} entry lacks {name!r}")
        value = fields[name]
        # bool is an int in Python; a count must not be True.
        if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
            raise EntryError(f"{kind} entry: {name!r} must be {_type_name(wanted)}")


def _type_name(wanted: type | tuple[type, ...]) -> str:
    names = {str: "text", int: "a whole number", bool: "true or false", dict: "an object"}
    if isinstance(wanted, tuple):
        return " or ".join(names.get(t, t.__name__) for t in wanted)
    return names.get(wanted, wanted.__name__)


def person_key(secret: bytes, person: str) -> str:
    """The keyed hash that stands for a person in the log (never their name or number)."""
    return hmac.new(secret, person.encode("utf-8"), hashlib.sha256).hexdigest()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
