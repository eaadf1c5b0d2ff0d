"""STV by the Scottish Local Government Elections Order 2007 (SSI 2007/42), rules 45-52.

- Quota (rule 46): valid papers / (seats + 1), decimals ignored, plus one.
- A candidate at or above the quota is deemed elected (rule 47) and stops continuing.
- Surpluses (rules 48, 49): the largest first; every paper the candidate holds moves on
  at ``surplus x value on receipt / candidate's total``, worked to five decimal places
  with the remainder ignored, per paper. A candidate at exactly the quota has no surplus
  and so no transfer stage. Equal surpluses: the candidate with more votes at the most
  recent stage where they differed goes first; equal at every stage: lot.
- Exclusion (rules 50, 51) when no surplus is left: the lowest candidate's papers move at
  the values they arrived with, all in one stage (the order of parcels within the stage
  cannot change any total, since nobody is deemed elected part-way through a stage).
  Ties: fewest votes at the most recent stage where they differed, then lot.
- Last vacancies (rule 52): once the continuing candidates are as many as the seats left,
  they are all elected and nothing more moves.

Values are integers in units of 10^-5 votes. The tie-break is the statute's, whatever
``options.tie_break`` says; ``options.seed`` seeds the lot. One report round per stage:
its tallies are the totals at the end of that stage, and its transfers are the next stage.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from omov.count.ballots import BallotSet
from omov.count.methods import register
from omov.count.methods.stv_common import (
    Parcels,
    by_votes,
    names,
    round_figures,
    transfer_record,
)
from omov.count.options import CountOptions, TieBreakMode
from omov.count.report import CountReport, Round, TieBreak, Transfer
from omov.count.tiebreak import TieBreaker, declared_lots

DECIMALS = 5
SCALE = 10**DECIMALS


@register("scottish-stv")
def count_scottish_stv(ballots: BallotSet, *, seats: int, options: CountOptions) -> CountReport:
    return _ScottishCount(ballots, seats, options).run()


def scottish_quota(valid: int, seats: int) -> int:
    """Rule 46: whole votes needed for election."""
    return valid // (seats + 1) + 1


class _ScottishCount:
    def __init__(self, ballots: BallotSet, seats: int, options: CountOptions) -> None:
        self.ballots = ballots
        self.seats = seats
        self.options = options
        standing = ballots.standing()
        self.parcels = Parcels(ballots, SCALE, standing)
        self.quota = scottish_quota(ballots.total, seats) * SCALE
        self.elected: list[int] = []
        self.pending: list[int] = []
        """Elected candidates whose surplus has not been transferred yet."""
        self.rounds: list[Round] = []
        self.breaker = TieBreaker(
            TieBreakMode.PREVIOUS_ROUNDS_THEN_LOT,
            seed=options.seed,
            candidate_order=ballots.candidates,
            lot_order=declared_lots(ballots),
        )

    @property
    def continuing(self) -> set[int]:
        return self.parcels.continuing

    def run(self) -> CountReport:
        while True:
            totals = self.parcels.totals()
            self._stage_residual = Fraction(self.parcels.residual, SCALE)
            self._stage = round_figures(self.parcels, self.continuing | set(self.elected), totals)
            newly = self._deem_elected(totals)
            vacancies = self.seats - len(self.elected)
            if vacancies and len(self.continuing) <= vacancies:
                last = by_votes(self.continuing, totals)
                self.elected.extend(last)
                newly.extend(last)
                self.continuing.clear()
                vacancies = 0
            if not vacancies:
                self._record(newly, (), None, (), note="all seats filled")
                break
            if self.pending:
                self._transfer_surplus(newly, totals)
            else:
                self._exclude_lowest(newly, totals)
        return self._report()

    def _deem_elected(self, totals: np.ndarray) -> list[int]:
        """Rule 47: continuing candidates at or above the quota, most votes first."""
        reached = by_votes([c for c in self.continuing if totals[c] >= self.quota], totals)
        for candidate in reached:
            self.continuing.discard(candidate)
            self.elected.append(candidate)
            if totals[candidate] > self.quota:
                self.pending.append(candidate)
        return reached

    def _transfer_surplus(self, newly: list[int], totals: np.ndarray) -> None:
        """Rules 48 and 49: move the largest surplus, each paper at its own value."""
        largest = max(int(totals[c]) for c in self.pending)
        tied = [c for c in self.pending if totals[c] == largest]
        source, tie = self._pick(tied, purpose="surplus order", lowest=False)
        self.pending.remove(source)
        total = int(totals[source])
        surplus = total - self.quota
        rows = self.parcels.rows_of(source)
        on_receipt = self.parcels.values[rows]
        passed_on = surplus * on_receipt // total
        self.parcels.keep_at(source, self.quota, rows, passed_on)
        self.parcels.values[rows] = passed_on
        self.parcels.move_on(rows)
        received = self.parcels.received(rows)
        residual = surplus - int(received.sum())
        self.parcels.residual += residual
        values = set(passed_on.tolist())
        value = Fraction(values.pop(), SCALE) if len(values) == 1 else None
        transfer = transfer_record(
            self.ballots,
            source,
            "surplus",
            received,
            SCALE,
            residual=residual,
            transfer_value=value,
        )
        note = f"surplus of {self.ballots.candidates[source]} transferred"
        self._record(newly, (), transfer, tie, note=note)

    def _exclude_lowest(self, newly: list[int], totals: np.ndarray) -> None:
        """Rules 50 and 51: exclude the lowest; papers move at the values they hold."""
        lowest = min(int(totals[c]) for c in self.continuing)
        tied = [c for c in self.continuing if totals[c] == lowest]
        source, tie = self._pick(tied, purpose="exclusion", lowest=True)
        self.continuing.discard(source)
        rows = self.parcels.rows_of(source)
        self.parcels.move_on(rows)
        transfer = transfer_record(
            self.ballots, source, "exclusion", self.parcels.received(rows), SCALE
        )
        note = f"{self.ballots.candidates[source]} excluded"
        self._record(newly, (source,), transfer, tie, note=note)

    def _pick(
        self, tied: list[int], *, purpose: str, lowest: bool
    ) -> tuple[int, tuple[TieBreak, ...]]:
        if len(tied) == 1:
            return tied[0], ()
        history = [r.tallies for r in self.rounds]
        chosen, record = self.breaker.pick(
            names(self.ballots, tied), history, purpose=purpose, lowest=lowest
        )
        return self.ballots.candidates.index(chosen), (record,)

    def _record(
        self,
        newly: list[int],
        excluded: tuple[int, ...],
        transfer: Transfer | None,
        ties: tuple[TieBreak, ...],
        *,
        note: str,
    ) -> None:
        """One round: the totals at the end of this stage (before ``transfer`` moves)."""
        tallies, inactive, sections = self._stage
        self.rounds.append(
            Round(
                number=len(self.rounds) + 1,
                tallies=tallies,
                inactive=inactive,
                residual_surplus=self._stage_residual,
                threshold=Fraction(self.quota, SCALE),
                elected=names(self.ballots, newly),
                excluded=names(self.ballots, excluded),
                transfers=() if transfer is None else (transfer,),
                tie_breaks=ties,
                sections=sections,
                note=note,
            )
        )

    def _report(self) -> CountReport:
        return CountReport.of_ballots(
            self.ballots,
            method="scottish-stv",
            seats=self.seats,
            rounds=self.rounds,
            elected=names(self.ballots, self.elected),
            options=self.options.as_record(),
            quota=Fraction(self.quota, SCALE),
            decimals=DECIMALS,
        )
