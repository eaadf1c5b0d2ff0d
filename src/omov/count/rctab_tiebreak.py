"""Tie-breaks as RCTab breaks them, so a count from an RCTab config repeats RCTab's draws.

RCTab draws lots from one ``java.util.Random(seed)`` per count: the tied candidates are
sorted by name and the one at ``floor(nextDouble() * len(tied))`` is chosen.
"Previous round counts" looks back from the round before the tie, keeping at each round
only those with the fewest (or most) votes, and draws lots among any still tied. "Candidate
order" chooses the tied candidate listed latest (to exclude) or earliest (to elect).

``JavaRandom`` is the 48-bit linear congruential generator that ``java.util.Random``
specifies, so a seed gives the same sequence of doubles here as in the JVM.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from omov.count.options import TieBreakMode
from omov.count.report import TieBreak
from omov.count.tiebreak import History

_MULTIPLIER = 0x5DEECE66D
_MASK = (1 << 48) - 1


class JavaRandom:
    """``java.util.Random``: the same seed gives the same draws as on the JVM."""

    def __init__(self, seed: int) -> None:
        self._seed = (seed ^ _MULTIPLIER) & _MASK

    def _next(self, bits: int) -> int:
        self._seed = (self._seed * _MULTIPLIER + 0xB) & _MASK
        return self._seed >> (48 - bits)

    def next_int(self) -> int:
        """A 32-bit signed integer, as ``Random.nextInt()``."""
        value = self._next(32)
        return value - (1 << 32) if value >= 1 << 31 else value

    def next_double(self) -> float:
        return ((self._next(26) << 27) + self._next(27)) * 2.0**-53


class RctabTieBreaker:
    """The ``TieBreaker`` interface (``pick``), with RCTab's rules."""

    def __init__(
        self, mode: TieBreakMode, *, seed: int = 0, candidate_order: Sequence[str] = ()
    ) -> None:
        self.mode = mode
        self.seed = seed
        self._random = JavaRandom(seed)
        self._order = {name: i for i, name in enumerate(candidate_order)}

    def pick(
        self, tied: Sequence[str], history: History, *, purpose: str, lowest: bool = True
    ) -> tuple[str, TieBreak]:
        """Choose one of ``tied``: lowest (to exclude) or highest (to elect)."""
        names = tuple(sorted(tied))
        if len(names) == 1:
            return names[0], TieBreak(purpose, names, names[0], "no tie")
        if self.mode is TieBreakMode.CANDIDATE_ORDER:
            ordered = sorted(names, key=lambda name: self._order.get(name, len(self._order)))
            chosen = ordered[-1] if lowest else ordered[0]
            return chosen, TieBreak(purpose, names, chosen, "candidate order")
        remaining = list(names)
        if self.mode is not TieBreakMode.LOT:
            rounds = list(enumerate(history[:-1], start=1))
            if self.mode is TieBreakMode.PREVIOUS_ROUNDS_THEN_LOT:
                rounds.reverse()
            for number, tallies in rounds:
                votes = {name: tallies.get(name, Fraction(0)) for name in remaining}
                extreme = min(votes.values()) if lowest else max(votes.values())
                remaining = [name for name in remaining if votes[name] == extreme]
                if len(remaining) == 1:
                    extreme_word = "fewest" if lowest else "most"
                    return remaining[0], TieBreak(
                        purpose, names, remaining[0], f"{extreme_word} votes at round {number}"
                    )
        chosen = remaining[int(self._random.next_double() * len(remaining))]
        return chosen, TieBreak(purpose, names, chosen, f"lot (seed {self.seed})")
