"""How marks on a paper are read, and why a paper stops counting: the ballot policy's
terms, with nothing imported, so the command line and a rulebook can name them without
loading NumPy (``omov.count.ballots`` applies them)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Inactive(IntEnum):
    """Why a ballot stops counting for any candidate (RCTab's inactive-ballot categories)."""

    EXHAUSTED = 0
    """Ran out of marked choices (or every remaining choice has been elected or excluded)."""
    OVERVOTE = 1
    """Reached a rank with more than one candidate marked, under the 'exhaust' overvote rule."""
    SKIPPED = 2
    """Reached a mark after more consecutive skipped ranks than the policy allows."""
    REPEATED = 3
    """Reached a candidate ranked earlier, under the 'exhaust' duplicate rule."""


N_STOPS = len(Inactive)


class OvervoteRule(StrEnum):
    EXHAUST = "exhaust"
    SKIP = "skip"
    EXHAUST_IF_MULTIPLE_CONTINUING = "exhaust-if-multiple-continuing"
    """RCTab's rule: an overvoted rank counts for its one continuing candidate, exhausts the
    ballot (for good) if several are continuing, and is passed over if none is."""


class DuplicateRule(StrEnum):
    EXHAUST = "exhaust"
    SKIP = "skip"


@dataclass(frozen=True)
class BallotPolicy:
    """How marks on a ballot paper are read into a ranking.

    The defaults read a ballot as most preferential-voting rules do: an overvoted rank
    ends the ballot, skipped ranks are passed over, and a repeated candidate is ignored.
    """

    overvote: OvervoteRule = OvervoteRule.EXHAUST
    max_skipped_ranks: int | None = None
    """Consecutive blank ranks allowed before a later mark; more ends the ballot. None: any."""
    duplicates: DuplicateRule = DuplicateRule.SKIP
    max_rankings: int | None = None
    """Ranks beyond this many are ignored. None: every rank on the paper counts."""
