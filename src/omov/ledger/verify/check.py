"""What a verifier step returns, and what every step is given.

A step is a pure function ``(Evidence, Options) -> Iterable[Check]``: it reads what was
read from the bundle (``evidence``) and what the observer asked (``options``), and says
what holds. No step hands anything to another; what two steps need is derived once,
before any step runs (``evidence.read_evidence``), or by a pure function both call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from omov.ledger.heads import SignedTreeHead

if TYPE_CHECKING:
    from omov.ledger.verify.evidence import Evidence


@dataclass(frozen=True)
class Check:
    """One verdict: which check, on which file of the bundle, whether it holds, and a
    one-line message (what was found, or what differs)."""

    name: str
    file: str
    ok: bool
    message: str

    def line(self) -> str:
        mark = "ok  " if self.ok else "FAIL"
        return f"{mark} {self.name}: {self.file}: {self.message}"


def passed(name: str, file: str, message: str) -> Check:
    return Check(name, file, True, message)


def failed(name: str, file: str, message: str) -> Check:
    return Check(name, file, False, message)


@dataclass(frozen=True)
class SavedHead:
    """A tree head an observer saved while the contest ran, and where they kept it."""

    source: str
    head: SignedTreeHead


@dataclass(frozen=True)
class Options:
    """What the observer running ``omov verify`` asks for."""

    tracker: str | None = None
    expect_keys: tuple[str, ...] = ()
    """Officer key fingerprints (full, 64 hex digits) the observer trusts."""
    trusted: tuple[str, ...] = ()
    """Scrutineers' key fingerprints whose countersignatures must be present."""
    saved_heads: tuple[SavedHead, ...] = ()


Step = Callable[["Evidence", Options], Iterable[Check]]
