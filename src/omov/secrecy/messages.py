"""What trustees publish: signed messages, each one entry of the contest's log.

A message is JSON: its kind, the contest, the trustee's index, a body, the trustee's
Ed25519 public key and their signature over the RFC 8785 canonical JSON of everything
else. The first message of each trustee introduces them (their signing key and the X25519
key that other trustees seal shares to), and the *roster* of those introductions is what
every later message is checked against: a message signed by another key is not that
trustee's.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import nacl.exceptions
import nacl.signing
import rfc8785

from omov.secrecy.elgamal import Ciphertext
from omov.secrecy.errors import ProofError
from omov.secrecy.keyfile import TrusteeKey
from omov.secrecy.records import b64, unb64

FORMAT = "omov-trustee-message/1"


class MessageKind(StrEnum):
    INTRODUCED = "trustee-introduced"
    DEALT = "keygen-dealt"
    CONFIRMED = "keygen-confirmed"
    MIXED = "mixed"
    DECRYPTED = "decryption-share"


@dataclass(frozen=True)
class Message:
    kind: MessageKind
    contest: str
    trustee: int
    body: dict[str, Any]
    signing_key: bytes
    signature: bytes

    def _signed(self) -> bytes:
        return bytes(
            rfc8785.dumps(
                {
                    "format": FORMAT,
                    "kind": self.kind.value,
                    "contest": self.contest,
                    "trustee": self.trustee,
                    "body": self.body,
                    "signing_key": b64(self.signing_key),
                }
            )
        )

    @classmethod
    def sign(cls, key: TrusteeKey, kind: MessageKind, body: dict[str, Any]) -> Message:
        unsigned = cls(kind, key.contest, key.trustee, body, bytes(key.signing_key.verify_key), b"")
        signature = key.signing_key.sign(unsigned._signed()).signature
        return cls(kind, key.contest, key.trustee, body, unsigned.signing_key, signature)

    def signature_holds(self) -> bool:
        try:
            nacl.signing.VerifyKey(self.signing_key).verify(self._signed(), self.signature)
        except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, ValueError):
            return False
        return True

    @property
    def digest(self) -> str:
        """SHA-256 of the message as recorded: what the log entry holds for large bodies."""
        return hashlib.sha256(self.to_json().encode()).hexdigest()

    def as_record(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "kind": self.kind.value,
            "contest": self.contest,
            "trustee": self.trustee,
            "body": self.body,
            "signing_key": b64(self.signing_key),
            "signature": b64(self.signature),
        }

    def to_json(self) -> str:
        return json.dumps(self.as_record(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_record(cls, record: object, source: str = "a trustee message") -> Message:
        if not isinstance(record, dict) or record.get("format") != FORMAT:
            raise ProofError(f"{source}: not a trustee message ({FORMAT})")
        try:
            kind = MessageKind(record["kind"])
            contest, trustee, body = record["contest"], record["trustee"], record["body"]
            signing_key = unb64(record["signing_key"], f"{source}: signing key")
            signature = unb64(record["signature"], f"{source}: signature")
        except KeyError as e:
            raise ProofError(f"{source}: no {e.args[0]!r}") from None
        except (ValueError, TypeError):  # a kind of no known name, or of a wrong JSON type
            raise ProofError(f"{source}: unknown kind, or a key of the wrong type") from None
        if (
            not isinstance(contest, str)
            or not isinstance(trustee, int)
            or not isinstance(body, dict)
        ):
            raise ProofError(f"{source}: contest, trustee or body of the wrong type")
        return cls(kind, contest, trustee, body, signing_key, signature)

    @classmethod
    def from_json(cls, text: str, source: str = "a trustee message") -> Message:
        try:
            record = json.loads(text)
        except ValueError:
            raise ProofError(f"{source}: not JSON") from None
        except RecursionError:  # json recurses into nested arrays and objects
            raise ProofError(f"{source}: not JSON: nested too deeply") from None
        return cls.from_record(record, source)


@dataclass(frozen=True)
class Roster:
    """The trustees as their introductions named them: n, k and each one's keys."""

    contest: str
    trustees: int
    threshold: int
    signing_keys: dict[int, bytes]
    box_keys: dict[int, bytes]

    @classmethod
    def from_introductions(cls, messages: Iterable[Message]) -> Roster:
        intros = sorted(
            (m for m in messages if m.kind is MessageKind.INTRODUCED), key=lambda m: m.trustee
        )
        if not intros:
            raise ProofError("no trustee introduced themselves")
        first = intros[0]
        n, k = first.body.get("trustees"), first.body.get("threshold")
        if not isinstance(n, int) or not isinstance(k, int):
            raise ProofError("a trustee's introduction names no number of trustees or threshold")
        for m in intros:
            if not m.signature_holds():
                raise ProofError(f"trustee {m.trustee}'s introduction is not signed by its key")
            if (m.contest, m.body.get("trustees"), m.body.get("threshold")) != (
                first.contest,
                n,
                k,
            ):
                raise ProofError(
                    f"trustee {m.trustee}'s introduction names another contest or set-up"
                )
        indices = [m.trustee for m in intros]
        if indices != list(range(1, n + 1)):
            raise ProofError(f"the introductions name trustees {indices}, not 1..{n}")
        return cls(
            first.contest,
            n,
            k,
            {m.trustee: m.signing_key for m in intros},
            {m.trustee: unb64(m.body.get("box_key"), "a box key") for m in intros},
        )

    def check(self, message: Message) -> None:
        """A one-line ``ProofError`` unless the roster's trustee signed this message."""
        if message.contest != self.contest:
            raise ProofError(f"trustee {message.trustee}'s {message.kind} is for another contest")
        if self.signing_keys.get(message.trustee) != message.signing_key:
            raise ProofError(f"a {message.kind} claims trustee {message.trustee} under another key")
        if not message.signature_holds():
            raise ProofError(f"trustee {message.trustee}'s {message.kind} signature does not hold")


def ciphertexts_digest(ciphertexts: Sequence[Ciphertext]) -> str:
    """SHA-256 of the ciphertexts end to end: how a mix or a share names its input."""
    h = hashlib.sha256()
    for c in ciphertexts:
        h.update(c.alpha)
        h.update(c.beta)
    return h.hexdigest()
