"""Meek STV (Meek 1969; Hill, Wichmann and Woodall, Algorithm 123, 1987).

Every candidate has a *keep factor*: hopeful 1, excluded 0, elected somewhere in between.
A paper starts at weight 1 and, at each candidate in its order of preference, that
candidate keeps weight x keep factor and the rest passes on; what is left at the end of
the paper is excess (non-transferable). The quota is recomputed on every iteration from
the votes still held, so it falls as papers exhaust: quota = votes held / (seats + 1)
(Droop; ``Quota.HARE`` divides by seats). Elected candidates' keep factors are scaled
by quota / votes until the total surplus is below omega (10^-6 by default), then the
lowest hopeful is excluded.

Arithmetic: fixed point with 9 decimal places (integers scaled by 10^9; ``decimals``
overrides), with the rounding of the Proportional Representation Foundation's Meek
reference rule, the published step-by-step form of Algorithm 123 as revised by Hill
(Voting Matters 22): the part of a paper a candidate keeps is rounded up, the quota is
truncated and one unit (10^-9) added, and a new keep factor is rounded up at each of its
multiplication and division. So a candidate's votes, the excess and every figure in the
report are exact multiples of 10^-9 and votes are conserved exactly: nothing is lost to
rounding, so there is never a residual surplus.

Equal rankings (BLT's ``b=c``) are shared, as Droop's Meek counts them: at a rank of
several candidates, a paper's remaining value is split equally among those of them still
standing (hopeful or elected), each share kept by its candidate as the keep factor says
and the rest going on to the next rank by itself. A rank none of whose candidates stands
is passed over. The split is truncated to the last decimal; what it leaves (less than one
unit a share) is excess, as a paper's remainder always is.

Rounds (as in Droop's and OpenSTV's reports): each round iterates until someone reaches
the quota (elected, highest first) or the surplus settles (the lowest hopeful is
excluded; hopefuls within the total surplus of the lowest count as tied with it, and the
tie-break rule chooses among them). A round's tallies are the votes its decision was made
on; its note gives the iterations and the elected candidates' keep factors. Once every
seat is filled the count stops: hopefuls left then are not elected, and nothing moves.

Transfers: between one round and the next, the excluded candidate's papers move on and
every elected candidate's keep factor falls, all at once, so which loss reached which gain
has no single answer. As RCTab reports a surplus (fractional votes to each destination),
each candidate whose votes fell passes its loss on to the candidates whose votes rose and
to the excess (``exhausted``), in proportion to what each gained: a surplus from an
elected candidate, an exclusion from an excluded one. The shares are exact to the last
unit of 10^-9 both ways: each loss adds up to what its candidate lost, and each gain to
what its candidate gained.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from omov.count import kernel
from omov.count.ballots import N_STOPS, BallotSet, Inactive
from omov.count.equal import ranking_equal
from omov.count.errors import MethodError
from omov.count.figures import candidate_figures, inactive_figures, section_figures
from omov.count.methods import register
from omov.count.options import CountOptions, Quota
from omov.count.report import EXHAUSTED, CountReport, Round, TieBreak, Transfer, format_votes
from omov.count.tiebreak import TieBreaker

DEFAULT_DECIMALS = 9


@dataclass
class _Count:
    """The state of a Meek count: keep factors (scaled) and who is hopeful or elected."""

    ballots: BallotSet
    scale: int
    divisor: int
    omega: int
    keep: npt.NDArray[np.int64]
    hopeful: set[int]
    elected: list[int] = field(default_factory=list)
    history: list[dict[str, Fraction]] = field(default_factory=list)

    @property
    def decimals(self) -> int:
        return len(str(self.scale)) - 1

    @property
    def standing(self) -> set[int]:
        return self.hopeful | set(self.elected)


@dataclass(frozen=True)
class _Settled:
    """The votes a round's decision is made on."""

    votes: npt.NDArray[np.int64]
    per_section: npt.NDArray[np.int64]
    quota: int
    surplus: int
    reached: list[int]
    """Hopefuls at or over the quota."""
    iterations: int


@register("meek")
def count_meek(ballots: BallotSet, *, seats: int, options: CountOptions) -> CountReport:
    decimals = DEFAULT_DECIMALS if options.decimals is None else options.decimals
    if not 0 < decimals <= DEFAULT_DECIMALS:
        # weight x keep factor must fit in 64 bits: at most 10^9 x 10^9.
        raise MethodError(f"Meek counts to 1..9 decimal places, not {decimals}")
    scale = 10**decimals
    hopeful = ballots.standing()
    keep = np.zeros(ballots.n_candidates + N_STOPS, dtype=np.int64)
    keep[sorted(hopeful)] = scale
    keep[ballots.n_candidates :] = scale  # a paper's stop keeps what is left: the excess
    state = _Count(
        ballots=ballots,
        scale=scale,
        divisor=seats if options.quota is Quota.HARE else seats + 1,
        omega=max(1, int(options.meek_omega * scale)),
        keep=keep,
        hopeful=hopeful,
    )
    breaker = TieBreaker.for_count(ballots, options)
    rounds: list[Round] = []
    while len(state.hopeful) > seats - len(state.elected) > 0:
        settled = _settle(state)
        if settled.reached:
            rounds.append(_elect(state, settled, settled.reached, breaker, len(rounds) + 1))
        else:
            rounds.append(_exclude_lowest(state, settled, breaker, len(rounds) + 1))
    rounds = _with_transfers(_finish(state, rounds, seats, breaker), scale)
    return CountReport.of_ballots(
        ballots,
        method="meek",
        seats=seats,
        rounds=rounds,
        elected=[ballots.candidates[c] for c in state.elected],
        options=options.as_record(),
        quota=rounds[-1].threshold,
        decimals=decimals,
    )


def distribute(
    ballots: BallotSet, keep: npt.NDArray[np.int64], scale: int
) -> npt.NDArray[np.int64]:
    """Scaled votes per (section, candidate or stop code) under the keep factors ``keep``.

    Column by column over the unique rankings: each candidate keeps ``weight x keep``
    rounded up; a paper's stop code keeps whatever is left (excess, by reason), so every
    paper's whole value is accounted for. Papers with nothing left drop out.
    """
    rankings = ballots.rankings
    width = ballots.n_candidates + N_STOPS
    base = ballots.section_ids.astype(np.intp) * width
    weight = np.full(ballots.n_unique, scale, dtype=np.int64)
    live = np.arange(ballots.n_unique)
    keys: list[npt.NDArray[np.int64]] = []
    values: list[npt.NDArray[np.int64]] = []
    if ballots.equal_groups:
        sharing = ranking_equal(ballots)
        keys, values = _shared(ballots, np.flatnonzero(sharing), keep, scale)
        live = np.flatnonzero(~sharing)
    for column in range(rankings.shape[1]):
        preference = rankings[live, column]
        held = weight[live]
        kept = (held * keep[preference] + (scale - 1)) // scale
        weight[live] = held - kept
        keys.append(base[live] + preference)
        values.append(kept * ballots.weights[live])
        # A paper that reached a hopeful candidate or its stop has no weight left.
        live = live[weight[live] > 0]
        if not len(live):
            break
    totals = kernel.exact_bincount(
        np.concatenate(keys), np.concatenate(values), ballots.n_sections * width
    )
    return totals.reshape(ballots.n_sections, width)


def _shared(
    ballots: BallotSet, rows: npt.NDArray[np.intp], keep: npt.NDArray[np.int64], scale: int
) -> tuple[list[npt.NDArray[np.int64]], list[npt.NDArray[np.int64]]]:
    """Keys and kept values (as ``distribute`` makes them) of the rows that rank candidates
    equal, one paper at a time: they are few, and a paper splits at each equal rank."""
    n = ballots.n_candidates
    width = n + N_STOPS
    first_group = ballots.group_code(0)
    standing = [sorted(c for c in group if keep[c] > 0) for group in ballots.equal_groups]
    keys, values = [], []
    for row in rows.tolist():
        kept = _kept_by(ballots.rankings[row].tolist(), keep, scale, standing, first_group)
        codes = np.fromiter(kept, dtype=np.intp, count=len(kept))
        base = int(ballots.section_ids[row]) * width
        keys.append(base + codes)
        values.append(np.fromiter(kept.values(), np.int64, len(kept)) * ballots.weights[row])
    return keys, values


def _kept_by(
    ranking: list[int],
    keep: npt.NDArray[np.int64],
    scale: int,
    standing: list[list[int]],
    first_group: int,
) -> dict[int, int]:
    """What each candidate and stop code keeps of one paper worth ``scale``."""
    kept: dict[int, int] = {}
    shares = [(0, scale)]  # (rank, value): parts of the paper still to place
    exhausted = first_group - N_STOPS + int(Inactive.EXHAUSTED)
    while shares:
        rank, value = shares.pop()
        while value > 0:
            code = ranking[rank]
            if code < first_group:  # a candidate, or a stop (which keeps all)
                part = -(-value * int(keep[code]) // scale)
                kept[code] = kept.get(code, 0) + part
                value -= part
                rank += 1
                continue
            live = standing[code - first_group]
            if not live:
                rank += 1
                continue
            share, left = divmod(value, len(live))
            kept[exhausted] = kept.get(exhausted, 0) + left
            for candidate in live:
                part = -(-share * int(keep[candidate]) // scale)
                kept[candidate] = kept.get(candidate, 0) + part
                shares.append((rank + 1, share - part))
            break
    return kept


def _settle(state: _Count) -> _Settled:
    """Iterate the keep factors until someone reaches the quota or the surplus settles."""
    last_surplus: int | None = None
    iterations = 0
    while True:
        iterations += 1
        settled = _measure(state, iterations)
        if settled.reached or settled.surplus < state.omega:
            return settled
        if last_surplus is not None and settled.surplus >= last_surplus:
            return settled  # the rounding allows no further progress
        last_surplus = settled.surplus
        for c in state.elected:
            scaled = -(-int(state.keep[c]) * settled.quota // state.scale)
            state.keep[c] = -(-scaled * state.scale // int(settled.votes[c]))


def _measure(state: _Count, iterations: int, quota: int | None = None) -> _Settled:
    """The votes under the present keep factors, the quota they give (or ``quota``), who
    has reached it and the elected candidates' total surplus."""
    per_section = distribute(state.ballots, state.keep, state.scale)
    votes = per_section.sum(axis=0)
    if quota is None:
        held = int(sum(int(votes[c]) for c in state.standing))
        quota = held // state.divisor + 1
    reached = [c for c in state.hopeful if votes[c] >= quota]
    surplus = max(0, sum(int(votes[c]) - quota for c in state.elected))
    return _Settled(votes, per_section, quota, surplus, reached, iterations)


def _figures(state: _Count, settled: _Settled, number: int) -> Round:
    ballots, scale, standing = state.ballots, state.scale, state.standing
    tallies = candidate_figures(ballots, settled.votes, standing, scale)
    state.history.append(tallies)
    return Round(
        number=number,
        tallies=tallies,
        inactive=inactive_figures(ballots, settled.votes, scale),
        threshold=Fraction(settled.quota, scale),
        sections=section_figures(ballots, settled.per_section, standing, scale),
    )


def _elect(
    state: _Count, settled: _Settled, reaching: list[int], breaker: TieBreaker, number: int
) -> Round:
    """Elect ``reaching``, most votes first (ties broken by the tie-break rule)."""
    figures = _figures(state, settled, number)
    names = _in_order(state, settled, reaching, breaker)
    iterations = _iterations_note(state, settled)
    for name, _record in names:
        c = state.ballots.candidates.index(name)
        state.hopeful.discard(c)
        state.elected.append(c)
    tie_breaks = tuple(record for _name, record in names if record.resolved_by != "no tie")
    elected = tuple(name for name, _record in names)
    note = f"{', '.join(elected)} reached the quota; {iterations}"
    return replace(figures, elected=elected, tie_breaks=tie_breaks, note=note)


def _in_order(
    state: _Count, settled: _Settled, ids: list[int], breaker: TieBreaker
) -> list[tuple[str, TieBreak]]:
    remaining = {state.ballots.candidates[c]: int(settled.votes[c]) for c in ids}
    order = []
    while remaining:
        best = max(remaining.values())
        tied = [name for name, votes in remaining.items() if votes == best]
        chosen, record = breaker.pick(tied, state.history, purpose="election", lowest=False)
        order.append((chosen, record))
        del remaining[chosen]
    return order


def _exclude_lowest(state: _Count, settled: _Settled, breaker: TieBreaker, number: int) -> Round:
    figures = _figures(state, settled, number)
    lowest = min(int(settled.votes[c]) for c in state.hopeful)
    tied = sorted(c for c in state.hopeful if int(settled.votes[c]) <= lowest + settled.surplus)
    names = [state.ballots.candidates[c] for c in tied]
    chosen, record = breaker.pick(names, state.history, purpose="exclusion")
    c = state.ballots.candidates.index(chosen)
    state.hopeful.discard(c)
    state.keep[c] = 0
    tie_breaks = (record,) if len(tied) > 1 else ()
    note = f"{chosen} excluded with the fewest votes; {_iterations_note(state, settled)}"
    return replace(figures, excluded=(chosen,), tie_breaks=tie_breaks, note=note)


def _finish(state: _Count, rounds: list[Round], seats: int, breaker: TieBreaker) -> list[Round]:
    """Elect the remaining hopefuls if seats are left, else exclude them."""
    if not state.hopeful:
        return rounds
    if len(state.elected) < seats:
        # The rule elects the last hopefuls without iterating again (as the reference
        # counts do): the votes as they now stand, against the last iteration's quota.
        if rounds and rounds[-1].threshold is not None:
            quota = int(rounds[-1].threshold * state.scale)
            settled = _measure(state, 0, quota)
        else:
            settled = _settle(state)
        last = _elect(state, settled, sorted(state.hopeful), breaker, len(rounds) + 1)
        rounds.append(replace(last, note=f"{', '.join(last.elected)} fill the seats left"))
        return rounds
    left = ", ".join(state.ballots.candidates[c] for c in sorted(state.hopeful))
    last = rounds[-1]
    rounds[-1] = replace(last, note=f"{last.note}; every seat is filled ({left} not elected)")
    return rounds


def _with_transfers(rounds: list[Round], scale: int) -> list[Round]:
    """Each round with the transfers that take its votes to the next round's."""
    moved = [
        replace(this, transfers=_transfers(this, after, scale))
        for this, after in itertools.pairwise(rounds)
    ]
    return [*moved, rounds[-1]]


def _transfers(this: Round, after: Round, scale: int) -> tuple[Transfer, ...]:
    change = {
        name: int((after.tallies.get(name, 0) - votes) * scale)
        for name, votes in this.tallies.items()
    }
    change[EXHAUSTED] = int((after.inactive_total - this.inactive_total) * scale)
    losses = {name: -units for name, units in change.items() if units < 0}
    gains = {name: units for name, units in change.items() if units > 0}
    if EXHAUSTED in losses:
        raise AssertionError(f"Meek: excess fell between rounds {this.number} and {after.number}")
    shares = proportional_shares(losses, gains)
    return tuple(
        Transfer(
            name,
            "exclusion" if name in this.excluded else "surplus",
            {dest: Fraction(units, scale) for dest, units in shares[name].items() if units},
        )
        for name in losses
    )


def proportional_shares(losses: dict[str, int], gains: dict[str, int]) -> dict[str, dict[str, int]]:
    """Each loss split over the gains in proportion to them, in whole units, so that every
    loss and every gain adds up exactly: shares rounded down, then the units left over
    paired off in order (losses with gains, as far as each goes)."""
    total = sum(gains.values())
    if total != sum(losses.values()):
        raise AssertionError(f"losses {sum(losses.values())} and gains {total} differ")
    shares = {s: {t: lost * got // total for t, got in gains.items()} for s, lost in losses.items()}
    rows = [(s, lost - sum(shares[s].values())) for s, lost in losses.items()]
    cols = [(t, got - sum(shares[s][t] for s in losses)) for t, got in gains.items()]
    row_names, row_left = [s for s, _ in rows], [left for _, left in rows]
    col_names, col_left = [t for t, _ in cols], [left for _, left in cols]
    i = j = 0
    while i < len(rows) and j < len(cols):
        units = min(row_left[i], col_left[j])
        shares[row_names[i]][col_names[j]] += units
        row_left[i] -= units
        col_left[j] -= units
        i += row_left[i] == 0
        j += col_left[j] == 0
    return shares


def _iterations_note(state: _Count, settled: _Settled) -> str:
    factors = ", ".join(
        f"{state.ballots.candidates[c]} {_keep_factor(state, c)}" for c in state.elected
    )
    text = f"{settled.iterations} iteration{'s' * (settled.iterations != 1)}"
    return f"{text}; keep factors {factors}" if factors else text


def _keep_factor(state: _Count, c: int) -> str:
    return format_votes(Fraction(int(state.keep[c]), state.scale), state.decimals)
