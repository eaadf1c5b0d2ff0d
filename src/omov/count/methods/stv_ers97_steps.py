"""ERS97's decisions between transfers: who is deemed elected, who can be excluded
together, whether surpluses wait, and tie-breaks by the earliest point of difference.
The transfers themselves are in ``stv_ers97``."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from fractions import Fraction

from omov.count.ballots import BallotSet
from omov.count.figures import Counts, candidate_figures
from omov.count.methods.stv_common import Parcels, by_votes, names
from omov.count.options import CountOptions, TieBreakMode
from omov.count.report import Round, TieBreak
from omov.count.tiebreak import TieBreaker, declared_lots

SCALE = 100
"""Values in units of 0.01 votes."""


def ers97_quota(votes: int, seats: int) -> int:
    """5.1.6, on scaled votes: the division to 0.01, plus 0.01 unless it is exact."""
    quota, remainder = divmod(votes, seats + 1)
    return quota + (1 if remainder else 0)


class Ers97Steps:
    def __init__(self, ballots: BallotSet, seats: int, options: CountOptions) -> None:
        self.ballots = ballots
        self.seats = seats
        self.options = options
        standing = ballots.standing()
        self.parcels = Parcels(ballots, SCALE, standing)
        self.valid = ballots.total * SCALE
        self.quota = ers97_quota(self.valid, seats)
        self.elected: list[int] = []
        self.pending: list[int] = []
        """Deemed elected with a surplus not yet transferred."""
        self.newly: list[int] = []
        self.ties: list[TieBreak] = []
        self.rounds: list[Round] = []
        self.history: list[dict[str, Fraction]] = []
        """Votes at the first stage and after every batch, for tie-breaks: "point k of
        the count" in a tie-break record is ``history[k - 1]``."""
        self.breaker = TieBreaker(
            TieBreakMode.EARLIEST_ROUND_THEN_LOT,
            seed=options.seed,
            candidate_order=ballots.candidates,
            lot_order=declared_lots(ballots),
        )
        self.snapshot()

    @property
    def continuing(self) -> set[int]:
        return self.parcels.continuing

    def snapshot(self) -> None:
        totals = self.parcels.totals()
        self.history.append(
            candidate_figures(self.ballots, totals, range(self.ballots.n_candidates))
        )

    # -- election ------------------------------------------------------------------
    def active_vote(self, totals: Counts) -> int:
        """5.6.1: valid vote less the elected's quotas (or votes, if less) and the
        non-transferable vote."""
        n = self.ballots.n_candidates
        kept = sum(min(int(totals[c]), self.quota) for c in self.elected)
        return self.valid - kept - int(totals[n:].sum())

    def deem_elected(self) -> None:
        """5.1.7 / 5.3.13 / 5.4.9, repeated while an election lowers the threshold."""
        while len(self.elected) < self.seats:
            totals = self.parcels.totals()
            vacancies = self.seats - len(self.elected)
            active = self.active_vote(totals)
            reached = by_votes(
                (
                    c
                    for c in self.continuing
                    if totals[c] > 0
                    and (totals[c] >= self.quota or totals[c] * (vacancies + 1) >= active)
                ),
                totals,
            )
            chosen = self._up_to(reached, vacancies, totals)
            if not chosen:
                return
            for candidate in chosen:
                self.continuing.discard(candidate)
                self.elected.append(candidate)
                self.newly.append(candidate)
                if totals[candidate] > self.quota:
                    self.pending.append(candidate)

    def _up_to(self, reached: list[int], places: int, totals: Counts) -> list[int]:
        """5.6.2: at most ``places`` of ``reached``; equal votes at the boundary are
        ordered by the earliest point of difference, and if equal throughout, none of
        them is chosen."""
        if len(reached) <= places:
            return reached
        boundary = int(totals[reached[places - 1]]) if places else None
        above = [c for c in reached if boundary is None or totals[c] > boundary]
        tied = [c for c in reached if boundary is not None and totals[c] == boundary]
        wanted = places - len(above)
        ordered = sorted(tied, key=self._earliest_key, reverse=True)
        if wanted and self._earliest_key(ordered[wanted - 1]) == self._earliest_key(
            ordered[wanted]
        ):
            boundary_key = self._earliest_key(ordered[wanted])
            ordered = [c for c in ordered if self._earliest_key(c) > boundary_key]
        return above + ordered[:wanted]

    def _earliest_key(self, candidate: int) -> tuple[Fraction, ...]:
        name = self.ballots.candidates[candidate]
        return tuple(h.get(name, Fraction(0)) for h in self.history)

    def elect_all_continuing(self, totals: Counts, leaving_out: Collection[int] = ()) -> list[int]:
        """4.3 and 5.5.1: the continuing candidates (less ``leaving_out``) fill the places."""
        last = by_votes(set(self.continuing) - set(leaving_out), totals)
        self.elected.extend(last)
        self.continuing.clear()
        return last

    # -- exclusion -----------------------------------------------------------------
    def sure_losers(self, totals: Counts, deferred: int) -> list[int]:
        """5.2.5: the largest group of lowest candidates whose votes, with ``deferred``,
        do not exceed the next candidate up, leaving enough candidates for the places.
        Empty if there is none (so surpluses cannot be deferred)."""
        ordered = sorted(self.continuing, key=lambda c: int(totals[c]))
        most = len(ordered) - (self.seats - len(self.elected))
        running = 0
        best: list[int] = []
        for k in range(1, min(most, len(ordered) - 1) + 1):
            running += int(totals[ordered[k - 1]])
            if running + deferred <= int(totals[ordered[k]]):
                best = ordered[:k]
        return best

    def choose_lowest(self, totals: Counts, how_many: int) -> list[int]:
        """The ``how_many`` lowest continuing candidates; candidates with equal votes
        across the boundary are told apart by 5.2.5 (earliest difference, then lot)."""
        ordered = sorted(self.continuing, key=lambda c: (int(totals[c]), c))
        how_many = max(how_many, 1)
        if how_many == len(ordered):
            return ordered
        boundary = int(totals[ordered[how_many - 1]])
        if int(totals[ordered[how_many]]) != boundary:
            return ordered[:how_many]
        chosen = [c for c in ordered if totals[c] < boundary]
        tied = [c for c in ordered if totals[c] == boundary]
        while len(chosen) < how_many:
            pick = self.pick(tied, purpose="exclusion", lowest=True)
            chosen.append(pick)
            tied.remove(pick)
        return chosen

    def pick(self, tied: list[int], *, purpose: str, lowest: bool) -> int:
        if len(tied) == 1:
            return tied[0]
        chosen, record = self.breaker.pick(
            names(self.ballots, tied), self.history, purpose=purpose, lowest=lowest
        )
        # The history has a point per batch, not per round: say so in the record.
        point = record.resolved_by.rpartition(" at round ")
        if point[1]:
            when = "the first stage" if point[2] == "1" else f"point {point[2]} of the count"
            record = replace(record, resolved_by=f"{point[0]} at {when} (5.2.3, 5.2.5)")
        self.ties.append(record)
        return self.ballots.candidates.index(chosen)

    def after_exclusion_batch(self) -> None:
        """5.4.8 then 5.4.9: lower the quota while nobody is elected, then elect."""
        lost = int(self.parcels.totals()[self.ballots.n_candidates :].sum())
        if not self.elected and lost:
            self.quota = ers97_quota(self.valid - lost, self.seats)
        self.snapshot()
        self.deem_elected()
