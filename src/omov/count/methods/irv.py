"""The alternative vote (instant-runoff voting) with RCTab's options.

Each round counts every ballot for its highest-ranked continuing candidate. A candidate
with more than half of the round's continuing votes (RCTab's threshold: floor(V/2) + 1)
wins; otherwise candidates are excluded and their ballots move on. Exclusion, in order:
the undeclared write-ins (while they hold votes), then a batch of candidates who together
cannot overtake the next one up (when ``batch_elimination`` is on and the batch has at
least two), then the lowest candidate, ties broken by the tie-break rule.

``continue_until_two`` keeps excluding after a winner emerges until two candidates remain,
as some jurisdictions publish. Ties are broken as RCTab breaks them (``rctab_tiebreak``:
lots drawn from ``java.util.Random(seed)``), and every tie-break is recorded in its round.

All figures are whole ballots, so the count is integer arithmetic on the kernel's
``Preferences``: one pointer per unique ranking, advanced only for rows whose candidate left
the count, and tallies updated by the ballots that moved.
"""

from __future__ import annotations

from fractions import Fraction

from omov.count import kernel
from omov.count.ballots import BallotSet
from omov.count.figures import (
    candidate_figures,
    exclusion_transfers,
    inactive_figures,
    section_figures,
)
from omov.count.methods import register
from omov.count.options import CountOptions
from omov.count.rctab_tiebreak import RctabTieBreaker
from omov.count.report import CountReport, Round, TieBreak, Transfer

UNDECLARED_WRITE_INS = "Undeclared Write-ins"
"""RCTab's pseudo-candidate for write-ins that name nobody declared: it cannot win, and it
is excluded first while it holds votes."""


@register("irv")
def count_irv(ballots: BallotSet, *, seats: int, options: CountOptions) -> CountReport:
    return _IrvCount(ballots, options).run()


def batch_exclusion(tallies: dict[str, Fraction]) -> tuple[list[str], list[str]]:
    """RCTab's batch elimination: walking up from the lowest tally, everyone seen so far is
    out once their combined votes fall short of the next tally. Ties are seen together.

    Returns the batch and the batch as it stood one step earlier (RCTab falls back to that
    one when counting on until two remain would otherwise leave a single candidate)."""
    running = Fraction(0)
    seen: list[str] = []
    out: list[str] = []
    previous: list[str] = []
    for votes in sorted(set(tallies.values())):
        if running < votes and len(seen) > len(out):
            previous = list(out)
            out.extend(name for name in seen if name not in out)
        at_votes = [name for name, v in tallies.items() if v == votes]
        running += votes * len(at_votes)
        seen.extend(at_votes)
    return out, previous


class _IrvCount:
    def __init__(self, ballots: BallotSet, options: CountOptions) -> None:
        self.ballots = ballots
        self.options = options
        self.names = ballots.candidates
        self.continuing = ballots.standing()
        self.standing = len(self.continuing)
        self.elected: list[str] = []
        self.excluded_count = 0
        self.breaker = RctabTieBreaker(
            options.tie_break, seed=options.seed, candidate_order=self.names
        )
        self.history: list[dict[str, Fraction]] = []
        self.uwi = (
            self.names.index(UNDECLARED_WRITE_INS) if UNDECLARED_WRITE_INS in self.names else -1
        )

    # -- the count ---------------------------------------------------------------------
    def run(self) -> CountReport:
        rounds: list[Round] = []
        self.preferences = kernel.Preferences.start(self.ballots, self._mask())
        excluded_last: list[int] = []
        while self._keep_counting(rounds, excluded_last):
            rounds.append(self._round(len(rounds) + 1))
            excluded_last = [self.names.index(n) for n in rounds[-1].excluded]
        return CountReport.of_ballots(
            self.ballots,
            method="irv",
            seats=1,
            rounds=rounds,
            elected=self.elected,
            options=self.options.as_record(),
        )

    def _keep_counting(self, rounds: list[Round], excluded_last: list[int]) -> bool:
        if not rounds:
            return True
        if self.options.continue_until_two:
            # RCTab: go on while more than two remain, and tally once more after the last
            # exclusion so the final two are shown.
            out = self.excluded_count + len(self.elected)
            return out + 1 < self.standing or bool(excluded_last)
        return not self.elected

    def _round(self, number: int) -> Round:
        counts = self.preferences.counts.copy()
        per_section = self.preferences.section_counts.copy()
        ids = self._counted_ids()
        tallies = candidate_figures(self.ballots, counts, ids)
        self.history.append(tallies)
        # Whole ballots: summed as integers (a sum of Fractions costs a hundred times more).
        threshold = Fraction(sum(int(counts[i]) for i in ids) // 2 + 1)
        tie_breaks: list[TieBreak] = []
        winner = self._winner(tallies, threshold, tie_breaks)
        excluded: list[str] = []
        if winner is not None:
            self.elected.append(winner)
        elif self._must_exclude():
            excluded = self._exclusions(tallies, tie_breaks)
        transfers = self._exclude(excluded)
        return Round(
            number=number,
            tallies=tallies,
            inactive=inactive_figures(self.ballots, counts),
            threshold=threshold,
            elected=(winner,) if winner is not None else (),
            excluded=tuple(excluded),
            transfers=transfers,
            tie_breaks=tuple(tie_breaks),
            sections=section_figures(self.ballots, per_section, ids),
        )

    def _counted_ids(self) -> set[int]:
        """Continuing candidates, plus the winner while counting on until two remain."""
        ids = set(self.continuing)
        if self.options.continue_until_two:
            ids |= {self.names.index(name) for name in self.elected}
        return ids

    # -- decisions -----------------------------------------------------------------------
    def _winner(
        self, tallies: dict[str, Fraction], threshold: Fraction, tie_breaks: list[TieBreak]
    ) -> str | None:
        if self.elected:
            return None
        if self.uwi in self.continuing and tallies[UNDECLARED_WRITE_INS] > 0:
            return None  # no one wins while undeclared write-ins still hold votes
        contenders = {n: v for n, v in tallies.items() if n != UNDECLARED_WRITE_INS}
        if len(tallies) == 1:
            return next(iter(tallies))
        reaching = [name for name, votes in contenders.items() if votes >= threshold]
        if reaching:
            return reaching[0]
        if len(tallies) == 2 and contenders:
            # Two left and neither reaches the threshold (a tie): the tie-break decides.
            best = max(contenders.values())
            tied = [name for name, votes in contenders.items() if votes == best]
            chosen, record = self.breaker.pick(tied, self.history, purpose="election", lowest=False)
            if len(tied) > 1:
                tie_breaks.append(record)
            return chosen
        return None

    def _must_exclude(self) -> bool:
        if not self.elected:
            return True
        return self.options.continue_until_two and self.excluded_count < self.standing - 2

    def _exclusions(self, tallies: dict[str, Fraction], tie_breaks: list[TieBreak]) -> list[str]:
        if tallies.get(UNDECLARED_WRITE_INS, 0) > 0:
            return [UNDECLARED_WRITE_INS]
        if self.options.batch_elimination:
            batch, previous = batch_exclusion(tallies)
            if self.options.continue_until_two and len(batch) + self.excluded_count == (
                self.standing - 1
            ):
                batch = previous
            if len(batch) > 1:
                return sorted(batch)
        lowest = min(tallies.values())
        tied = [name for name, votes in tallies.items() if votes == lowest]
        chosen, record = self.breaker.pick(tied, self.history, purpose="exclusion", lowest=True)
        if len(tied) > 1:
            tie_breaks.append(record)
        return [chosen]

    # -- moving ballots ------------------------------------------------------------------
    def _exclude(self, excluded: list[str]) -> tuple[Transfer, ...]:
        """Take ``excluded`` out of the count and move their ballots on, recording where to."""
        if not excluded:
            return ()
        ids = [self.names.index(name) for name in excluded]
        self.continuing -= set(ids)
        self.excluded_count += len(ids)
        moved = self.preferences.move_on(ids, self._mask())
        return exclusion_transfers(self.ballots, moved, ids)

    def _mask(self) -> kernel.Mask:
        return kernel.continuing_mask(self.ballots, self._counted_ids())
