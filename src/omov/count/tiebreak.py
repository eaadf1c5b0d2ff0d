"""Breaking ties, and recording how each was broken.

A ``TieBreaker`` is made once per count and keeps the seeded generator, so every draw of
lots in a count comes from one reproducible sequence: a recount with the same seed makes
the same draws in the same order. Where the ballot file declares the order in which lots
fall (``BallotSet.tie_order``, BLT's ``[tie]`` line), that order stands for the draw: the
earliest of the tied candidates in it is the one chosen (excluded first, or elected or
transferred first), as Droop reads the line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

from omov.count.ballots import BallotSet
from omov.count.options import CountOptions, TieBreakMode
from omov.count.report import TieBreak

if TYPE_CHECKING:
    import random

History = Sequence[Mapping[str, Fraction]]
"""Tallies of the rounds so far, oldest first."""


class TieBreaker:
    def __init__(
        self,
        mode: TieBreakMode,
        *,
        seed: int = 0,
        candidate_order: Sequence[str] = (),
        lot_order: Sequence[str] = (),
    ) -> None:
        self.mode = mode
        self.seed = seed
        self._rng: random.Random | None = None  # made when first drawn from
        self._order = {name: i for i, name in enumerate(candidate_order)}
        self._lots = {name: i for i, name in enumerate(lot_order)}

    def _generator(self) -> random.Random:
        """The seeded generator: ``random`` is imported only for a count that draws lots
        (its import costs a command-line count more than most counts take)."""
        if self._rng is None:
            import random

            self._rng = random.Random(self.seed)
        return self._rng

    @classmethod
    def for_count(cls, ballots: BallotSet, options: CountOptions) -> TieBreaker:
        """The tie-breaker a count's options ask for, candidates in ballot-file order."""
        return cls(
            options.tie_break,
            seed=options.seed,
            candidate_order=ballots.candidates,
            lot_order=declared_lots(ballots),
        )

    def pick(
        self, tied: Sequence[str], history: History, *, purpose: str, lowest: bool = True
    ) -> tuple[str, TieBreak]:
        """Choose one of ``tied``: lowest (to exclude) or highest (to elect, or transfer first)."""
        tied = sorted(tied, key=lambda name: self._order.get(name, len(self._order)))
        if len(tied) == 1:
            return tied[0], TieBreak(purpose, tuple(tied), tied[0], "no tie")
        if self.mode is TieBreakMode.CANDIDATE_ORDER:
            chosen = tied[-1] if lowest else tied[0]
            return chosen, TieBreak(purpose, tuple(tied), chosen, "candidate order")
        if self.mode in (
            TieBreakMode.PREVIOUS_ROUNDS_THEN_LOT,
            TieBreakMode.EARLIEST_ROUND_THEN_LOT,
        ):
            remaining, round_number = self._by_history(tied, history, lowest=lowest)
            if len(remaining) == 1:
                extreme = "fewest" if lowest else "most"
                return remaining[0], TieBreak(
                    purpose, tuple(tied), remaining[0], f"{extreme} votes at round {round_number}"
                )
            tied_at_lot = remaining
        else:
            tied_at_lot = tied
        if self._lots:
            chosen = min(tied_at_lot, key=self._lots.__getitem__)
            return chosen, TieBreak(purpose, tuple(tied), chosen, "lot, as the file's [tie] order")
        chosen = self._generator().choice(tied_at_lot)
        return chosen, TieBreak(purpose, tuple(tied), chosen, f"lot (seed {self.seed})")

    def _by_history(
        self, tied: Sequence[str], history: History, *, lowest: bool
    ) -> tuple[list[str], int | None]:
        """Narrow ``tied`` round by round, in look-back order, to those lowest (or highest)
        where their votes differed; stop when one is left. Returns those left and the round."""
        rounds = list(enumerate(history, start=1))
        if self.mode is TieBreakMode.PREVIOUS_ROUNDS_THEN_LOT:
            rounds.reverse()
        for number, tallies in rounds:
            votes = {name: tallies.get(name, Fraction(0)) for name in tied}
            if len(set(votes.values())) == 1:
                continue
            extreme = min(votes.values()) if lowest else max(votes.values())
            at_extreme = [name for name in tied if votes[name] == extreme]
            tied = at_extreme
            if len(tied) == 1:
                return tied, number
        return list(tied), None


def declared_lots(ballots: BallotSet) -> tuple[str, ...]:
    """The order in which lots fall, as the ballot file declares it (empty: draw them)."""
    return tuple(ballots.candidates[c] for c in ballots.tie_order)
