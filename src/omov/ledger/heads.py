"""Signed tree heads: the (size, root) of a log at a checkpoint, signed with Ed25519.

Observers keep the heads the server publishes (ballot open, every N ballots or T minutes
while open, close, publication). Two heads of the same log must be *consistent*: a
consistency proof shows the later tree only appends to the earlier one, so a removed or
rewritten entry between two saved heads cannot pass unseen.

The signed message is a fixed context line and the canonical JSON of the head, so a
signature over a head can never be replayed as a signature over anything else.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import rfc8785

from omov.ledger.errors import LedgerError
from omov.ledger.keys import PublicKey, SigningKey
from omov.ledger.log import Log
from omov.ledger.merkle import verify_consistency

CONTEXT = b"omov signed tree head v1\n"


class Checkpoint:
    """Names of the moments a head is signed at (free text is allowed too)."""

    BALLOT_OPENED = "ballot-opened"
    WHILE_OPEN = "while-open"
    BALLOT_CLOSED = "ballot-closed"
    PUBLISHED = "published"


@dataclass(frozen=True)
class TreeHead:
    log_id: str
    size: int
    root: bytes
    checkpoint: str

    def message(self) -> bytes:
        body: dict[str, Any] = {
            "log": self.log_id,
            "size": self.size,
            "root": _b64(self.root),
            "checkpoint": self.checkpoint,
        }
        return CONTEXT + bytes(rfc8785.dumps(body))


@dataclass(frozen=True)
class SignedTreeHead:
    head: TreeHead
    public_key: PublicKey
    signature: bytes

    @property
    def size(self) -> int:
        return self.head.size

    @property
    def root(self) -> bytes:
        return self.head.root

    @property
    def key_fingerprint(self) -> str:
        return self.public_key.fingerprint

    def signature_holds(self) -> bool:
        return self.public_key.verify(self.signature, self.head.message())

    def to_json(self) -> dict[str, Any]:
        return {
            "log": self.head.log_id,
            "size": self.head.size,
            "root": _b64(self.head.root),
            "checkpoint": self.head.checkpoint,
            "key": self.public_key.fingerprint,
            "public_key": self.public_key.b64,
            "signature": _b64(self.signature),
        }

    @classmethod
    def from_json(cls, data: Any, *, source: str = "tree head") -> SignedTreeHead:
        if not isinstance(data, Mapping):
            raise LedgerError(f"{source}: a tree head is a JSON object")
        try:
            size, log_id, checkpoint = data["size"], data["log"], data["checkpoint"]
            root, signature = _unb64(data["root"]), _unb64(data["signature"])
            public_key = PublicKey.from_b64(data["public_key"])
        except KeyError as missing:
            raise LedgerError(f"{source}: the tree head lacks {missing}") from None
        except (LedgerError, TypeError) as error:
            raise LedgerError(f"{source}: {error}") from None
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise LedgerError(f"{source}: the tree head's size is not a count")
        if not isinstance(log_id, str) or not isinstance(checkpoint, str):
            raise LedgerError(f"{source}: the tree head's log and checkpoint are text")
        if data.get("key", public_key.fingerprint) != public_key.fingerprint:
            raise LedgerError(f"{source}: the key fingerprint does not match the public key")
        return cls(TreeHead(log_id, size, root, checkpoint), public_key, signature)


def sign_head(
    log: Log, key: SigningKey, checkpoint: str, size: int | None = None
) -> SignedTreeHead:
    n = log.size if size is None else size
    return sign_root(TreeHead(log.log_id, n, log.root(n), checkpoint), key)


def sign_root(head: TreeHead, key: SigningKey) -> SignedTreeHead:
    """Sign a head whose root was computed elsewhere (from a log's ``RightEdge``)."""
    return SignedTreeHead(head, key.public, key.sign(head.message()))


def head_matches_log(head: SignedTreeHead, log: Log) -> str | None:
    """None if the log holds this head's tree; else what differs."""
    if head.size > log.size:
        return f"head signs {head.size} entries but the log has {log.size}"
    if log.root(head.size) != head.root:
        return f"the log's first {head.size} entries do not give the signed root"
    return None


def heads_consistent(
    old: SignedTreeHead, new: SignedTreeHead, proof: Sequence[bytes]
) -> str | None:
    """None if ``proof`` shows ``new`` only extends ``old``; else what is wrong."""
    if old.head.log_id != new.head.log_id:
        return f"the heads are of different logs ({old.head.log_id} and {new.head.log_id})"
    if new.size < old.size:
        return f"the later head has fewer entries ({new.size}) than the earlier ({old.size})"
    if old.size == 0:
        return None
    if not verify_consistency(old.size, new.size, old.root, new.root, proof):
        return (
            f"the log of {new.size} entries does not extend the log of {old.size}: "
            "an entry was changed, removed or reordered"
        )
    return None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise LedgerError("expected base64 text")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise LedgerError("not valid base64") from None
