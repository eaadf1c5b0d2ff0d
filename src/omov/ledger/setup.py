"""What a bundled rulebook says the contest is: the count setup, the tracker mode, the
smallest section published on its own, and the trustees an encrypted contest needs.

``omov verify`` derives these from ``rulebook.toml`` (whose SHA-256 the log holds) and
never from what the bundle declares. Reading a rulebook needs ``omov.rules``; the ledger
imports it only here, when a rulebook is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from omov.count import CountOptions
from omov.ledger.errors import BundleError


@dataclass(frozen=True)
class RulebookSetup:
    method: str
    seats: int
    options: CountOptions
    trackers: str
    min_section: int
    trustees: int = 3
    """n: the trustees who make the election key (an encrypted contest's)."""
    threshold: int = 2
    """k: how many of them must act together to decrypt."""

    def count_record(self) -> dict[str, Any]:
        return {"method": self.method, "seats": self.seats, "options": self.options.as_record()}


def setup_from_text(text: str, *, source: str = "rulebook.toml") -> RulebookSetup:
    """The setup the rulebook ``text`` gives, or ``BundleError`` saying why it gives none."""
    from omov.rules.counting import count_setup
    from omov.rules.errors import RulebookError
    from omov.rules.loading import rulebook_from_text

    try:
        book = rulebook_from_text(text, label=source)
        method, seats, options = count_setup(book)
    except RulebookError as error:
        raise BundleError(f"not a valid rulebook: {error}") from None
    except Exception as error:  # a foreign or damaged file must never give a traceback
        raise BundleError(f"cannot be read as a rulebook ({type(error).__name__})") from None
    assert book.voting is not None  # count_setup refuses a rulebook without [voting]
    return RulebookSetup(
        method,
        seats,
        options,
        book.voting.trackers.value,
        book.voting.min_section_ballots,
        book.voting.trustees,
        book.voting.decryption_threshold,
    )
