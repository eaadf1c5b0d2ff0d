"""Multi-seat STV as RCTab counts it: the weighted inclusive Gregory method (WIGM).

The threshold is fixed in round 1 from the votes then active: Droop as
floor(V/(S+1)) + 1 ("whole"), or V/(S+1) truncated plus one unit of the last decimal
place (``whole_threshold=False``); Hare as V/S rounded up. A candidate at or over the
threshold is elected; every ballot they hold passes on at the surplus fraction
(T - threshold)/T, truncated to ``decimals`` places (RCTab's decimalPlacesForVoteArithmetic),
and each ballot's new value is truncated again. What truncation loses is the *residual
surplus*: in the next round the winner's votes are capped at the threshold and the excess
is reported. When every seat is filled one last round is tallied, and the surplus then
left on winners' ballots is the *final round surplus*. Otherwise, as in IRV: undeclared
write-ins out first, then the lowest candidate (ties by the tie-break rule).

Three variants are registered: ``wigm`` (several may be elected in one round),
``wigm-one-per-round`` (only the top one; the rest wait) and ``wigm-bottoms-up`` (no
threshold elections and no surpluses: exclude until as many remain as seats).

Ballots with the same ranking follow the same path and hold the same value, so values
live per unique ranking: scaled integers (10^decimals) times the ranking's weight, which
is exactly RCTab's per-ballot arithmetic. Like RCTab, we also track which figures have been
through fractional arithmetic, so the rctab-json writer prints them as RCTab does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from omov.count import kernel
from omov.count.ballots import N_STOPS, BallotSet, Inactive
from omov.count.methods import register
from omov.count.methods.irv import UNDECLARED_WRITE_INS
from omov.count.options import CountOptions, Quota
from omov.count.rctab_tiebreak import RctabTieBreaker
from omov.count.report import (
    EXHAUSTED,
    INACTIVE_LABELS,
    RESIDUAL_SURPLUS,
    CountReport,
    Round,
    SectionFigures,
    TieBreak,
    Transfer,
)

Values = npt.NDArray[np.int64]


@register("wigm")
def count_wigm(ballots: BallotSet, *, seats: int, options: CountOptions) -> CountReport:
    return _Wigm(ballots, seats, options, "wigm").run()


@register("wigm-one-per-round")
def count_wigm_one(ballots: BallotSet, *, seats: int, options: CountOptions) -> CountReport:
    return _Wigm(ballots, seats, options, "wigm-one-per-round").run()


@register("wigm-bottoms-up")
def count_bottoms_up(ballots: BallotSet, *, seats: int, options: CountOptions) -> CountReport:
    return _Wigm(ballots, seats, options, "wigm-bottoms-up").run()


@dataclass
class _Figures:
    """One round as it is built: transfers arrive a round later, as in RCTab."""

    number: int
    tallies: dict[str, Fraction]
    inactive: dict[Inactive, Fraction]
    threshold: Fraction
    fixed: set[str]
    sections: dict[str, SectionFigures]
    residual: Fraction = Fraction(0)
    elected: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    moved: dict[str, dict[str, Fraction]] = field(default_factory=dict)
    tie_breaks: list[TieBreak] = field(default_factory=list)


class _Wigm:
    def __init__(self, ballots: BallotSet, seats: int, options: CountOptions, name: str) -> None:
        self.b, self.seats, self.options, self.name = ballots, seats, options, name
        self.decimals = 4 if options.decimals is None else options.decimals
        self.unit = 10**self.decimals
        self.surpluses = name != "wigm-bottoms-up"
        n = ballots.n_unique
        self.values: Values = np.full(n, self.unit, dtype=np.int64)
        self.fixed = np.zeros(n, dtype=np.bool_)
        self.final_surplus = np.zeros(n, dtype=np.bool_)
        self.pointers = np.zeros(n, dtype=np.intp)
        self.continuing = ballots.standing()
        self.elected: list[int] = []
        self.kept: dict[int, tuple[npt.NDArray[np.intp], Values]] = {}
        """Winner -> (rows they held, value each ballot keeps with them)."""
        self.winner_tally: dict[int, tuple[int, bool]] = {}
        self.threshold = 0
        self.threshold_fixed = False
        self.breaker = RctabTieBreaker(
            options.tie_break, seed=options.seed, candidate_order=ballots.candidates
        )
        self.history: list[dict[str, Fraction]] = []
        self.rounds: list[_Figures] = []
        self.residual = 0

    # -- the count ---------------------------------------------------------------------
    def run(self) -> CountReport:
        kernel.advance(self.b, self.pointers, self._mask())
        elected_last = False
        while len(self.elected) < self.seats or (
            elected_last and self.surpluses and self.seats > 1
        ):
            if self.rounds:
                self._move(self.rounds[-1])
            figures = self._tally(len(self.rounds) + 1)
            self.rounds.append(figures)
            elected_last = self._decide(figures)
        return self._report()

    def _tally(self, number: int) -> _Figures:
        live = ~self.final_surplus
        votes = self.values * self.b.weights * live
        counts = kernel.tally(self.b, self.pointers, votes)
        touched = kernel.tally(self.b, self.pointers, (self.fixed & live).astype(np.int64))
        n = self.b.n_candidates
        names = self.b.candidates
        tallies = {names[c]: Fraction(int(counts[c]), self.unit) for c in sorted(self.continuing)}
        fixed = {f"tally:{names[c]}" for c in self.continuing if touched[c]}
        inactive = {r: Fraction(int(counts[n + r]), self.unit) for r in Inactive}
        fixed |= {f"inactive:{INACTIVE_LABELS[r]}" for r in Inactive if touched[n + r]}
        if number == 1:
            self._set_threshold(sum(tallies.values(), Fraction(0)))
        figures = _Figures(
            number,
            tallies,
            inactive,
            Fraction(self.threshold, self.unit),
            fixed,
            self._sections(votes),
        )
        if self.threshold_fixed:
            figures.fixed.add("threshold")
        return figures

    def _set_threshold(self, active: Fraction) -> None:
        """RCTab's threshold from round 1's active votes, as a scaled integer."""
        scaled = int(active * self.unit)
        whole = self.options.whole_threshold
        if self.options.quota is Quota.HARE:
            step = self.unit if whole else 1
            self.threshold = -(-scaled // (self.seats * step)) * step
        elif whole:
            self.threshold = (scaled // self.unit // (self.seats + 1) + 1) * self.unit
        else:
            self.threshold = scaled // (self.seats + 1) + 1
        self.threshold_fixed = not whole

    # -- decisions -----------------------------------------------------------------------
    def _decide(self, figures: _Figures) -> bool:
        """Elect or exclude at the end of a round; True if anyone was elected."""
        self.history.append(dict(figures.tallies))
        winners = self._winners(figures)
        earlier = list(self.elected)
        for c in winners:
            self._elect(c, figures)
        if not winners and len(self.elected) < self.seats:
            for c in self._exclusions(figures):
                self.continuing.discard(c)
                figures.excluded.append(self.b.candidates[c])
        self._winner_tallies(figures, earlier)
        return bool(winners)

    def _winners(self, figures: _Figures) -> list[int]:
        names = self.b.candidates
        ids = {names.index(name): votes for name, votes in figures.tallies.items()}
        if ids.get(self._uwi(), 0) > 0:
            return []
        unfilled = self.seats - len(self.elected)
        if unfilled <= 0:
            return []
        if len(ids) == unfilled:
            return sorted(ids, key=lambda c: -ids[c])
        if not self.surpluses:
            return []
        threshold = Fraction(self.threshold, self.unit)
        reaching = [c for c in ids if ids[c] >= threshold and c != self._uwi()]
        reaching.sort(key=lambda c: -ids[c])  # most votes first: the order of election
        if len(reaching) > 1 and self.name == "wigm-one-per-round":
            best = max(ids[c] for c in reaching)
            tied = [names[c] for c in reaching if ids[c] == best]
            chosen, record = self.breaker.pick(tied, self.history, purpose="election", lowest=False)
            if len(tied) > 1:
                figures.tie_breaks.append(record)
            reaching = [names.index(chosen)]
        return reaching

    def _elect(self, c: int, figures: _Figures) -> None:
        self.elected.append(c)
        self.continuing.discard(c)
        figures.elected.append(self.b.candidates[c])
        if not self.surpluses:
            return
        total = int(figures.tallies[self.b.candidates[c]] * self.unit)
        extra = total - self.threshold
        fraction = extra * self.unit // total if extra > 0 else 0
        rows = kernel.rows_preferring(self.b, self.pointers, [c])
        rows = rows[~self.final_surplus[rows]]
        before = self.values[rows]
        after = before * fraction // self.unit
        self.values[rows] = after
        self.fixed[rows] = True
        self.kept[c] = (rows, before - after)

    def _exclusions(self, figures: _Figures) -> list[int]:
        names = self.b.candidates
        uwi = self._uwi()
        if uwi in self.continuing and figures.tallies.get(UNDECLARED_WRITE_INS, 0) > 0:
            return [uwi]
        lowest = min(figures.tallies.values())
        tied = [name for name, votes in figures.tallies.items() if votes == lowest]
        chosen, record = self.breaker.pick(tied, self.history, purpose="exclusion", lowest=True)
        if len(tied) > 1:
            figures.tie_breaks.append(record)
        return [names.index(chosen)]

    def _winner_tallies(self, figures: _Figures, earlier: list[int]) -> None:
        """Earlier winners' votes this round (RCTab's updateWinnerTallies): what their
        ballots kept, capped at the threshold the round after their election."""
        names = self.b.candidates
        for c in earlier:
            if c not in self.winner_tally:
                rows, kept = self.kept.get(c, (np.zeros(0, dtype=np.intp), np.zeros(0, np.int64)))
                total = int((kept * self.b.weights[rows]).sum()) if self.surpluses else 0
                fixed = True
                if total > self.threshold:
                    self.residual += total - self.threshold
                    source = self.rounds[-2] if len(self.rounds) > 1 else figures
                    source.moved.setdefault(names[c], {})[RESIDUAL_SURPLUS] = Fraction(
                        total - self.threshold, self.unit
                    )
                    source.fixed.add(f"transfer:{names[c]}:{RESIDUAL_SURPLUS}")
                    total, fixed = self.threshold, self.threshold_fixed
                self.winner_tally[c] = (total, fixed)
            total, fixed = self.winner_tally[c]
            figures.tallies[names[c]] = Fraction(total, self.unit)
            if fixed:
                figures.fixed.add(f"tally:{names[c]}")
        figures.residual = Fraction(self.residual, self.unit)

    # -- moving ballots ------------------------------------------------------------------
    def _move(self, last: _Figures) -> None:
        """Ballots of candidates who left the count at the end of ``last`` move on (or, once
        every seat is filled, stay as final round surplus); recorded against ``last``."""
        current = kernel.current_preferences(self.b, self.pointers).astype(np.intp)
        n = self.b.n_candidates
        leaving = (current < n) & ~self._mask()[np.minimum(current, n + N_STOPS - 1)]
        rows = np.flatnonzero(leaving & ~self.final_surplus)
        before = current[rows]
        if len(self.elected) >= self.seats and self.surpluses:
            self.final_surplus[rows] = True
            after = np.full(len(rows), n, dtype=np.intp)
        else:
            kernel.advance(self.b, self.pointers, self._mask(), rows)
            after = kernel.current_preferences(self.b, self.pointers)[rows].astype(np.intp)
        self._record_moves(last, rows, before, after)

    def _record_moves(
        self,
        last: _Figures,
        rows: npt.NDArray[np.intp],
        before: npt.NDArray[np.intp],
        after: npt.NDArray[np.intp],
    ) -> None:
        names = self.b.candidates
        n = self.b.n_candidates
        moving = self.values[rows] > 0
        width = n + 1  # destinations: candidates, then one bin for every way of leaving
        keys = before[moving] * width + np.minimum(after[moving], n)
        votes = (self.values[rows] * self.b.weights[rows])[moving]
        fixed = self.fixed[rows][moving].astype(np.int64)
        cells, inverse = np.unique(keys, return_inverse=True)
        summed = np.zeros(len(cells), dtype=np.int64)
        np.add.at(summed, inverse, votes)
        touched = np.bincount(inverse, weights=fixed, minlength=len(cells))
        for key, value, was_fixed in zip(cells.tolist(), summed.tolist(), touched, strict=True):
            source, dest = names[key // width], key % width
            to = names[dest] if dest < n else EXHAUSTED
            last.moved.setdefault(source, {})[to] = Fraction(value, self.unit)
            if was_fixed:
                last.fixed.add(f"transfer:{source}:{to}")

    # -- helpers -------------------------------------------------------------------------
    def _mask(self) -> kernel.Mask:
        return kernel.continuing_mask(self.b, self.continuing)

    def _uwi(self) -> int:
        names = self.b.candidates
        return names.index(UNDECLARED_WRITE_INS) if UNDECLARED_WRITE_INS in names else -1

    def _sections(self, votes: Values) -> dict[str, SectionFigures]:
        """Per-section tallies: continuing candidates from the ballots they hold now, earlier
        winners from what each section's ballots kept with them (before the cap at the
        threshold, so each section's figures account for all its ballots). A section's
        inactive votes include its final round surplus, as in RCTab's per-precinct reports."""
        if not self.b.section_names:
            return {}
        per = kernel.section_tally(self.b, self.pointers, votes)
        n = self.b.n_candidates
        names = self.b.candidates
        kept = np.zeros((self.b.n_sections, n), dtype=np.int64)
        for c in self.elected:
            rows, values = self.kept.get(c, (np.zeros(0, dtype=np.intp), np.zeros(0, np.int64)))
            np.add.at(kept[:, c], self.b.section_ids[rows], values * self.b.weights[rows])
        final = np.zeros(self.b.n_sections, dtype=np.int64)
        held = self.final_surplus
        np.add.at(final, self.b.section_ids[held], (self.values * self.b.weights)[held])
        figures = {}
        for i, s in enumerate(self.b.section_names):
            tallies = {
                names[c]: Fraction(int(per[i, c]), self.unit) for c in sorted(self.continuing)
            }
            tallies |= {names[c]: Fraction(int(kept[i, c]), self.unit) for c in self.elected}
            inactive = int(per[i, n:].sum()) + int(final[i])
            figures[s] = SectionFigures(tallies, Fraction(inactive, self.unit))
        return figures

    def _report(self) -> CountReport:
        final = self.values * self.b.weights * self.final_surplus
        final_surplus = Fraction(int(final.sum()), self.unit)
        rounds = tuple(self._round(f) for f in self.rounds)
        if self.surpluses and self.seats > 1 and rounds:
            last = rounds[-1]
            rounds = (*rounds[:-1], _with_residual(last, last.residual_surplus + final_surplus))
        extra: dict[str, Any] = {
            "fixed": {str(f.number): sorted(f.fixed) for f in self.rounds if f.fixed}
        }
        if self.surpluses and self.seats > 1:
            extra["final_round_surplus"] = str(final_surplus)
            if self.final_surplus.any():
                extra["fixed"].setdefault(str(self.rounds[-1].number), []).append(
                    "finalRoundSurplus"
                )
        return CountReport.of_ballots(
            self.b,
            method=self.name,
            seats=self.seats,
            rounds=rounds,
            elected=[self.b.candidates[c] for c in self.elected],
            options={**self.options.as_record(), "rctab": extra},
            quota=Fraction(self.threshold, self.unit),
            decimals=self.decimals,
        )

    def _round(self, f: _Figures) -> Round:
        transfers = tuple(
            Transfer(source, "surplus" if source in f.elected else "exclusion", to)
            for source, to in f.moved.items()
        )
        return Round(
            number=f.number,
            tallies=f.tallies,
            inactive=f.inactive,
            residual_surplus=f.residual,
            threshold=f.threshold,
            elected=tuple(f.elected),
            excluded=tuple(f.excluded),
            transfers=transfers,
            tie_breaks=tuple(f.tie_breaks),
            sections=f.sections,
        )


def _with_residual(round_: Round, residual: Fraction) -> Round:
    """The final round with the final round surplus counted in with the residual surplus,
    so tallies + inactive + residual still add up to the valid poll."""
    from dataclasses import replace

    return replace(round_, residual_surplus=residual)
