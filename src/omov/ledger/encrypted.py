"""An encrypted contest's part of the bundle: the ballot boxes and the trustees' messages.

Two files (``docs/bundle-format.md`` §10):

    secrecy/ballot-boxes.json   every ciphertext as cast, with its proof of knowledge, one
                                box per published section (the boxes the trustees mixed)
    secrecy/trustees.jsonl      every trustee message, one a line, in the log's order: the
                                key generation, each mix with its proof of shuffle, each
                                decryption share with its proof

The log binds both: each message is an ``engine-decision`` entry ``trustee.<kind>`` holding
the trustee's index and the message's SHA-256, the ``election.key-made`` entry holds the
election key, and each box's first mix names its input by digest, signed by its mixer. The
web app (``omov.web.trustees``) and the demo (``omov.ledger.demo``) write the same entries.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from omov.ledger import strict_json
from omov.ledger.entries import Entry, EntryKind, make_entry
from omov.ledger.errors import BundleError
from omov.secrecy.errors import SecrecyError
from omov.secrecy.messages import Message
from omov.secrecy.tally import BallotBox

SECRECY_DIR = "secrecy"
BOXES = f"{SECRECY_DIR}/ballot-boxes.json"
TRUSTEES = f"{SECRECY_DIR}/trustees.jsonl"
BOXES_FORMAT = "omov-ballot-boxes/1"
TRUSTEE_DECISION = "trustee."
"""Prefix of the decision of each trustee message's entry: ``trustee.mixed``, ..."""
KEY_MADE = "election.key-made"
DECRYPTED = "ballots.decrypted"


@dataclass(frozen=True)
class EncryptedBallots:
    """The boxes by published section label (the board's order) and the messages."""

    boxes: Mapping[str, BallotBox]
    messages: tuple[Message, ...]

    def files(self) -> dict[str, bytes]:
        boxes = [{"section": label, **box.as_record()} for label, box in self.boxes.items()]
        record = {"format": BOXES_FORMAT, "boxes": boxes}
        lines = "".join(m.to_json() + "\n" for m in self.messages)
        return {BOXES: json.dumps(record, indent=1).encode() + b"\n", TRUSTEES: lines.encode()}

    @classmethod
    def from_files(cls, boxes: bytes, trustees: bytes) -> EncryptedBallots:
        """Read both files strictly; a one-line ``BundleError`` naming the file if not."""
        return cls(_boxes(boxes), _messages(trustees))


def _boxes(data: bytes) -> dict[str, BallotBox]:
    record = strict_json.loads(data, source=BOXES)
    if not isinstance(record, dict) or set(record) != {"format", "boxes"}:
        raise BundleError(f"{BOXES}: not an object of exactly format and boxes")
    if record["format"] != BOXES_FORMAT or not isinstance(record["boxes"], list):
        raise BundleError(f"{BOXES}: not {BOXES_FORMAT}")
    found: dict[str, BallotBox] = {}
    for n, item in enumerate(record["boxes"], start=1):
        label = item.get("section") if isinstance(item, dict) else None
        if not isinstance(label, str) or label in found:
            raise BundleError(f"{BOXES}: box {n} has no section label, or one used twice")
        try:
            found[label] = BallotBox.from_record(
                {k: v for k, v in item.items() if k != "section"}, source=f"box {label!r}"
            )
        except SecrecyError as error:
            raise BundleError(f"{BOXES}: {error}") from None
    return found


def _messages(data: bytes) -> tuple[Message, ...]:
    if data and not data.endswith(b"\n"):
        raise BundleError(f"{TRUSTEES}: the last line has no newline")
    found = []
    for n, line in enumerate(data.split(b"\n")[:-1], start=1):
        try:
            record = strict_json.loads(line, source=f"{TRUSTEES} line {n}")
            found.append(Message.from_record(record, source=f"line {n}"))
        except SecrecyError as error:
            raise BundleError(f"{TRUSTEES}: {error}") from None
        except BundleError as error:
            raise BundleError(str(error)) from None
    return tuple(found)


def trustee_entry(message: Message, rule: str) -> Entry:
    """The log entry of one trustee message (the web app's audit event makes the same)."""
    return make_entry(
        EntryKind.ENGINE_DECISION,
        decision=f"{TRUSTEE_DECISION}{message.kind.value}",
        rule=rule,
        trustee=message.trustee,
        sha256=message.digest,
    )


@dataclass(frozen=True)
class LoggedTrustees:
    """What the log says of the trustees: each message (kind, trustee, SHA-256) in order,
    and the election key the ``election.key-made`` entry holds (base64), if any."""

    messages: tuple[tuple[str, int, str], ...]
    election_key: str | None

    @property
    def encrypted(self) -> bool:
        return bool(self.messages) or self.election_key is not None


def logged_trustees(entries: Sequence[Entry]) -> LoggedTrustees:
    messages: list[tuple[str, int, str]] = []
    key: str | None = None
    for entry in entries:
        if entry.kind is not EntryKind.ENGINE_DECISION:
            continue
        decision: Any = entry.fields.get("decision")
        if decision == KEY_MADE:
            value = entry.fields.get("election_key")
            key = value if isinstance(value, str) else ""
        elif isinstance(decision, str) and decision.startswith(TRUSTEE_DECISION):
            trustee, digest = entry.fields.get("trustee"), entry.fields.get("sha256")
            messages.append(
                (
                    decision.removeprefix(TRUSTEE_DECISION),
                    trustee if isinstance(trustee, int) else -1,
                    digest if isinstance(digest, str) else "",
                )
            )
    return LoggedTrustees(tuple(messages), key)
