"""STV by the Electoral Reform Society's 1997 rules (ERS97), sections 4-7.

- Values to two decimal places (integers in units of 0.01 votes).
- Quota (5.1.6): valid votes / (seats + 1) to two decimals; if inexact, the remainder is
  ignored and 0.01 added. While nobody is elected, papers that become non-transferable
  in an exclusion lower it (5.4.8).
- Deemed elected (5.1.7, 5.3.13, 5.4.9): at or above the quota, or at or above the total
  active vote / (places not yet filled + 1); most votes first, up to the places left.
  Equal votes for the last place: the one ahead at the earliest point where they
  differed; equal throughout: none of them at that stage (5.6.2).
- Surpluses (5.2.2-5.2.3, 5.3): the largest first, unless all surpluses together could not
  change who is excluded next, in which case they are deferred. A first-stage surplus
  examines all the candidate's papers; a later one only the last batch received. If the
  transferable papers are worth more than the surplus, each moves at
  surplus / transferable papers, truncated to 0.01; otherwise at its present value. The
  difference is non-transferable.
- Exclusion (5.2.5, 5.4): as many of the lowest together as possible while enough
  candidates remain and their votes plus deferred surpluses do not exceed the next one
  up. Their papers move in batches of equal value, highest value first; candidates
  reaching the quota after a batch receive nothing more.
- Completion (5.5): when the places are filled, or an exclusion would leave as many
  continuing candidates as places, which are then all elected.

Tie-breaks look at the first stage and every batch after it, earliest first, then lot
(``options.seed``), as 5.2.3 and 5.2.5 say. One report round per stage.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from omov.count.ballots import N_STOPS, BallotSet
from omov.count.figures import Counts
from omov.count.methods import register
from omov.count.methods.stv_common import names, round_figures, transfer_record
from omov.count.methods.stv_ers97_steps import SCALE, Ers97Steps, ers97_quota
from omov.count.options import CountOptions
from omov.count.report import CountReport, Round, Transfer

DECIMALS = 2


@register("ers97")
def count_ers97(ballots: BallotSet, *, seats: int, options: CountOptions) -> CountReport:
    return _Ers97Count(ballots, seats, options).run()


class _Ers97Count(Ers97Steps):
    def run(self) -> CountReport:
        self.deem_elected()
        while True:
            totals = self.parcels.totals()
            figures = round_figures(self.parcels, self._shown(totals), totals)
            residual = Fraction(self.parcels.residual, SCALE)
            quota = Fraction(self.quota, SCALE)
            newly, self.newly, self.ties = self.newly, [], []
            transfers, excluded, note = self._stage(totals, newly)
            self.rounds.append(
                Round(
                    number=len(self.rounds) + 1,
                    tallies=figures[0],
                    inactive=figures[1],
                    residual_surplus=residual,
                    threshold=quota,
                    elected=names(self.ballots, newly),
                    excluded=names(self.ballots, excluded),
                    transfers=transfers,
                    tie_breaks=tuple(self.ties),
                    sections=figures[2],
                    note=note,
                )
            )
            if not transfers and not excluded:
                return self._report()

    def _stage(
        self, totals: Counts, newly: list[int]
    ) -> tuple[tuple[Transfer, ...], tuple[int, ...], str]:
        """Decide and carry out the next stage; its votes show in the next round."""
        vacancies = self.seats - len(self.elected)
        if vacancies and len(self.continuing) <= vacancies:
            newly.extend(self.elect_all_continuing(totals))
            vacancies = 0
        if not vacancies:
            return (), (), "all places filled"
        surpluses = {c: int(totals[c]) - self.quota for c in self.pending}
        deferred = sum(surpluses.values())
        losers = self.sure_losers(totals, deferred)
        if surpluses and not losers:
            return (self._transfer_surplus(surpluses),), (), "surplus transferred"
        if not losers:
            losers = self.sure_losers(totals, 0)
        group = self.choose_lowest(totals, len(losers))
        if len(self.continuing) - len(group) <= vacancies:
            # 5.5.1: the proposed exclusion would leave as many candidates as places.
            newly.extend(self.elect_all_continuing(totals, leaving_out=group))
            return (), (), "remaining candidates fill the places"
        note = "surpluses deferred; " if surpluses else ""
        return self._exclude(group), tuple(group), note + "exclusion"

    def _transfer_surplus(self, surpluses: dict[int, int]) -> Transfer:
        """5.3: the largest surplus, from the last batch the candidate received."""
        largest = max(surpluses.values())
        tied = [c for c, s in surpluses.items() if s == largest]
        source = self.pick(tied, purpose="surplus order", lowest=False)
        self.pending.remove(source)
        held = self.parcels.rows_of(source)
        batch = held[self.parcels.batches[held] == self.parcels.batches[held].max()]
        onward = self.parcels.next_holders(batch)
        moving = batch[onward < self.ballots.n_candidates]
        papers = int(self.ballots.weights[moving].sum())
        present = self.parcels.values[batch[0]] if len(batch) else 0
        surplus = largest
        value = int(present)
        if papers * value > surplus:
            value = surplus // papers
        passed_on = np.zeros(len(held), dtype=np.int64)
        passed_on[np.isin(held, moving)] = value
        self.parcels.keep_at(source, self.quota, held, passed_on)
        self.parcels.values[moving] = value
        self.parcels.move_on(moving)
        received = self.parcels.received(moving)
        difference = surplus - papers * value
        self.parcels.set_aside += difference
        received[self.ballots.n_candidates] += difference
        self.snapshot()
        self.deem_elected()
        return transfer_record(
            self.ballots, source, "surplus", received, SCALE, transfer_value=Fraction(value, SCALE)
        )

    def _exclude(self, group: list[int]) -> tuple[Transfer, ...]:
        """5.4: the excluded candidates' papers in batches of equal value, highest first."""
        self.continuing.difference_update(group)
        rows = np.concatenate([self.parcels.rows_of(c) for c in group])
        sources = self.parcels.ballots.rankings[rows, self.parcels.pointers[rows]]
        values = self.parcels.values[rows]
        received = {c: np.zeros(self.ballots.n_candidates + N_STOPS, dtype=np.int64) for c in group}
        for value in sorted(set(values.tolist()), reverse=True):
            if len(self.elected) == self.seats:
                break
            batch = rows[values == value]
            self.parcels.move_on(batch)
            for c in group:
                from_c = batch[sources[values == value] == c]
                received[c] += self.parcels.received(from_c)
            self.after_exclusion_batch()
        return tuple(
            transfer_record(self.ballots, c, "exclusion", received[c], SCALE) for c in group
        )

    def _shown(self, totals: Counts) -> set[int]:
        """Continuing and elected candidates, and any excluded ones still holding papers
        (an exclusion stops part-way once the places are filled, 5.5.2)."""
        holding = {int(c) for c in np.flatnonzero(totals[: self.ballots.n_candidates])}
        return self.continuing | set(self.elected) | (holding - self.ballots.withdrawn)

    def _report(self) -> CountReport:
        return CountReport.of_ballots(
            self.ballots,
            method="ers97",
            seats=self.seats,
            rounds=self.rounds,
            elected=names(self.ballots, self.elected),
            options=self.options.as_record(),
            quota=Fraction(self.quota, SCALE),
            decimals=DECIMALS,
        )


__all__ = ["count_ers97", "ers97_quota"]
