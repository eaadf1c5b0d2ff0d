"""Properties every counting method in the registry must have (hypothesis), and agreement
with two independent tabulators, pyrankvote and pref_voting, where the rules coincide.

The tests loop over ``omov.count.METHODS``, so a newly registered method is covered
without touching this file. Profiles are small (up to 6 candidates, 12 distinct
rankings) so that a shrunk counter-example can be read by eye.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from omov.count import METHODS, BallotSet, CountOptions, CountReport, count

SECTIONS = ("members", "supporters", "affiliates")
EXAMPLES = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


@dataclass(frozen=True)
class Profile:
    n_candidates: int
    rankings: tuple[tuple[int, ...], ...]
    weights: tuple[int, ...]
    sections: tuple[str, ...]

    @property
    def candidates(self) -> tuple[str, ...]:
        return tuple("ABCDEFGH"[: self.n_candidates])

    def ballots(self, *, with_sections: bool = True) -> BallotSet:
        return BallotSet.from_rankings(
            self.candidates,
            [list(r) for r in self.rankings],
            weights=list(self.weights),
            sections=list(self.sections) if with_sections else None,
        )

    def papers(self) -> list[tuple[tuple[int, ...], str]]:
        """One entry per ballot paper."""
        return [
            (ranking, section)
            for ranking, weight, section in zip(
                self.rankings, self.weights, self.sections, strict=True
            )
            for _ in range(weight)
        ]


@st.composite
def profiles(draw: st.DrawFn, max_weight: int = 30) -> Profile:
    n = draw(st.integers(2, 6))
    ranking = st.permutations(range(n)).flatmap(
        lambda order: st.integers(1, n).map(lambda length: tuple(order[:length]))
    )
    rankings = draw(st.lists(ranking, min_size=1, max_size=12))
    weights = draw(
        st.lists(st.integers(1, max_weight), min_size=len(rankings), max_size=len(rankings))
    )
    sections = draw(
        st.lists(st.sampled_from(SECTIONS), min_size=len(rankings), max_size=len(rankings))
    )
    return Profile(n, tuple(rankings), tuple(weights), tuple(sections))


def options_for(method: str, ballots: BallotSet) -> CountOptions:
    """Default options, plus what a method cannot count without (the college's shares)."""
    if METHODS[method].needs_sections:
        names = ballots.section_names or ()
        return CountOptions(section_weights={name: Fraction(1, len(names)) for name in names})
    return CountOptions()


def run(method: str, ballots: BallotSet, seats: int = 1) -> CountReport:
    return count(ballots, method=method, seats=seats, options=options_for(method, ballots))


def seats_for(method: str, profile: Profile, draw: Callable[[Any], int]) -> int:
    if not METHODS[method].multi_seat:
        return 1
    return draw(st.integers(1, max(1, profile.n_candidates - 1)))


ALL_METHODS = sorted(METHODS)


def test_the_registry_has_the_methods_of_this_issue() -> None:
    assert {"fptp", "meek", "exhaustive", "college"} <= set(METHODS)


# -- votes are conserved ---------------------------------------------------------------
def _tolerance(report: CountReport) -> Fraction:
    """Exact for exact rules; rules that round publish figures at their precision."""
    return Fraction(0)


@pytest.mark.parametrize("method", ALL_METHODS)
@EXAMPLES
@given(profile=profiles(), data=st.data())
def test_votes_are_conserved_in_every_round(method: str, profile: Profile, data: Any) -> None:
    report = run(method, profile.ballots(), seats_for(method, profile, data.draw))
    # A block vote gives each ballot up to one vote per seat.
    per_ballot = report.seats if report.method == "fptp" else 1
    for round_ in report.rounds:
        held = sum(round_.tallies.values(), Fraction(0))
        if METHODS[method].needs_sections:
            # The college's tallies are percentages of the college (its sections carry
            # the votes); all of it when every section still has votes counting.
            assert held <= 100
            continue
        if per_ballot > 1:
            assert held <= per_ballot * report.valid_ballots
            continue
        total = held + round_.inactive_total + round_.residual_surplus
        assert abs(total - report.valid_ballots) <= _tolerance(report), round_.number


@pytest.mark.parametrize("method", ALL_METHODS)
@EXAMPLES
@given(profile=profiles(), data=st.data())
def test_every_sections_votes_are_conserved(method: str, profile: Profile, data: Any) -> None:
    """Per-section figures account for each section's ballots in every round (a rule's
    residual surplus may or may not be left on the elected in the section figures)."""
    report = run(method, profile.ballots(), seats_for(method, profile, data.draw))
    per_ballot = report.seats if report.method == "fptp" else 1
    section_totals = dict.fromkeys(profile.sections, 0)
    for weight, name in zip(profile.weights, profile.sections, strict=True):
        section_totals[name] += weight
    for round_ in report.rounds:
        assert set(round_.sections) == set(section_totals)
        for name, figures in round_.sections.items():
            cast = sum(figures.tallies.values(), Fraction(0)) + figures.inactive
            floor = section_totals[name] - round_.residual_surplus
            assert floor <= cast <= per_ballot * section_totals[name], (round_.number, name)


# -- ballot order does not matter ------------------------------------------------------
def _summary(report: CountReport) -> list[Any]:
    return [report.elected] + [
        (dict(r.tallies), r.elected, r.excluded, dict(r.inactive)) for r in report.rounds
    ]


@pytest.mark.parametrize("method", ALL_METHODS)
@EXAMPLES
@given(profile=profiles(max_weight=5), data=st.data())
def test_ballot_order_does_not_matter(method: str, profile: Profile, data: Any) -> None:
    seats = seats_for(method, profile, data.draw)
    papers = profile.papers()
    shuffled = data.draw(st.permutations(papers))
    one_by_one = BallotSet.from_rankings(
        profile.candidates, [list(r) for r, _ in shuffled], sections=[s for _, s in shuffled]
    )
    assert _summary(run(method, one_by_one, seats)) == _summary(
        run(method, profile.ballots(), seats)
    )


@pytest.mark.parametrize("method", ALL_METHODS)
@EXAMPLES
@given(profile=profiles(), data=st.data())
def test_rankings_count_alike_in_either_memory_order(
    method: str, profile: Profile, data: Any
) -> None:
    """Readers that build rankings rank by rank hand them over column-major: every method
    counts them exactly as the same rankings held row by row."""
    seats = seats_for(method, profile, data.draw)
    by_row = profile.ballots()
    by_rank = replace(by_row, rankings=np.asfortranarray(by_row.rankings))
    assert by_rank.rankings.flags.f_contiguous
    assert by_row.rankings.flags.c_contiguous
    assert run(method, by_rank, seats) == run(method, by_row, seats)


# -- seats filled, majorities respected -------------------------------------------------
@pytest.mark.parametrize("method", ALL_METHODS)
@EXAMPLES
@given(profile=profiles(), data=st.data())
def test_every_method_fills_exactly_its_seats(method: str, profile: Profile, data: Any) -> None:
    seats = seats_for(method, profile, data.draw)
    report = run(method, profile.ballots(), seats)
    assert len(report.elected) == seats
    assert len(set(report.elected)) == seats
    assert set(report.elected) <= set(profile.candidates)


@pytest.mark.parametrize("method", [m for m in ("irv", "exhaustive") if m in METHODS])
@EXAMPLES
@given(profile=profiles())
def test_the_winner_holds_a_majority_of_continuing_votes(method: str, profile: Profile) -> None:
    report = run(method, profile.ballots())
    last = report.final_round
    held = sum(last.tallies.values(), Fraction(0))
    assert 2 * last.tallies[report.elected[0]] > held or last.tie_breaks


def _single_section(profile: Profile) -> BallotSet:
    return BallotSet.from_rankings(
        profile.candidates,
        [list(r) for r in profile.rankings],
        weights=list(profile.weights),
        sections=["members"] * len(profile.rankings),
    )


@pytest.mark.parametrize("method", ALL_METHODS)
@EXAMPLES
@given(profile=profiles())
def test_a_majority_of_first_preferences_wins(method: str, profile: Profile) -> None:
    ballots = _single_section(profile)
    first = ballots.first_preferences()
    leader = int(first.argmax())
    assume(2 * int(first[leader]) > ballots.total)
    assert run(method, ballots).elected == (profile.candidates[leader],)


# -- agreement with other tabulators ----------------------------------------------------
def _no_ties(report: CountReport) -> bool:
    return all(len(set(r.tallies.values())) == len(r.tallies) for r in report.rounds)


def _pref_voting_profile(profile: Profile) -> Any:
    from pref_voting.profiles_with_ties import ProfileWithTies

    return ProfileWithTies(
        [{c: rank for rank, c in enumerate(r, start=1)} for r in profile.rankings],
        rcounts=list(profile.weights),
        candidates=list(range(profile.n_candidates)),
    )


def _pref_voting_irv(profile: Profile) -> list[int]:
    from pref_voting.voting_methods import instant_runoff_for_truncated_linear_orders

    return list(instant_runoff_for_truncated_linear_orders(_pref_voting_profile(profile)))


def _pref_voting_plurality(profile: Profile) -> list[int]:
    from pref_voting.voting_methods import plurality

    return list(plurality(_pref_voting_profile(profile)))


def _pyrankvote(profile: Profile, seats: int) -> list[int]:
    import pyrankvote

    people = [pyrankvote.Candidate(name) for name in profile.candidates]
    papers = [
        pyrankvote.Ballot(ranked_candidates=[people[c] for c in ranking])
        for ranking, _section in profile.papers()
    ]
    if seats == 1:
        result = pyrankvote.instant_runoff_voting(people, papers)
    else:
        result = pyrankvote.single_transferable_vote(people, papers, number_of_seats=seats)
    return sorted(profile.candidates.index(c.name) for c in result.get_winners())


@pytest.mark.parametrize("method", ALL_METHODS)
@EXAMPLES
@given(profile=profiles(max_weight=60))
def test_single_seat_winner_agrees_with_pyrankvote_and_pref_voting(
    method: str, profile: Profile
) -> None:
    """With one seat every preferential method here is the alternative vote (STV's quota
    is then a majority), and FPTP is plurality; compared where no round has a tie."""
    ballots = _single_section(profile)
    assume(_no_ties(run("exhaustive", ballots)))
    ours = profile.candidates.index(run(method, ballots).elected[0])
    if method == "fptp":
        assert _pref_voting_plurality(profile) == [ours]
        return
    assert _pref_voting_irv(profile) == [ours]
    assert _pyrankvote(profile, 1) == [ours]


def _well_separated(report: CountReport, gap: Fraction) -> bool:
    """No two hopefuls, and no hopeful and the quota, closer than ``gap`` in any round:
    the float arithmetic of a peer then cannot decide differently."""
    elected: set[str] = set()
    for r in report.rounds:
        hopeful = sorted(v for name, v in r.tallies.items() if name not in elected)
        if any(b - a < gap for a, b in itertools.pairwise(hopeful)):
            return False
        if r.threshold is not None and any(abs(v - r.threshold) < gap for v in hopeful):
            return False
        elected |= set(r.elected)
    return True


@EXAMPLES
@given(profile=profiles(max_weight=60), data=st.data())
def test_meek_elects_as_pref_voting_meek(profile: Profile, data: Any) -> None:
    from pref_voting.proportional_methods import stv_meek

    seats = data.draw(st.integers(1, max(1, profile.n_candidates - 1)))
    report = run("meek", profile.ballots(with_sections=False), seats)
    assume(_well_separated(report, Fraction(1, 1000)))
    theirs = sorted(stv_meek(_pref_voting_profile(profile), num_seats=seats))
    assert theirs == sorted(profile.candidates.index(name) for name in report.elected)
