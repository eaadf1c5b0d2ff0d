"""The weighted electoral college against Labour's 2010 leadership count
(../shared/domain/rules-and-results.md: the Guardian's per-section first-round figures)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from omov.count import BallotSet, CountOptions, MethodError, count

NAMES = ("David Miliband", "Ed Miliband", "Ed Balls", "Andy Burnham", "Diane Abbott")
SECTIONS = ("MPs and MEPs", "members", "affiliates")
THIRDS = CountOptions(section_weights={name: Fraction(1, 3) for name in SECTIONS})

# Published round-1 votes for the two Milibands per section, and each section's valid
# first-round votes as the published percentages imply (111 MPs = 41.73% -> 266;
# 55,905 members = 44.064% -> 126,872; 58,189 and 87,585 affiliates = 27.546% and
# 41.463% -> 211,239, within the Guardian's rounding). The other three candidates'
# per-section counts are not in our sources: their share of each section is split here
# 40/35/25 only to fill the papers.
SECTION_TOTALS = (266, 126_872, 211_239)
DAVID = (111, 55_905, 58_189)
ED = (84, 37_980, 87_585)


def _labour_2010() -> BallotSet:
    rankings: list[list[int]] = []
    weights: list[int] = []
    sections: list[str] = []
    for s, total in enumerate(SECTION_TOTALS):
        rest = total - DAVID[s] - ED[s]
        balls = rest * 40 // 100
        burnham = rest * 35 // 100
        abbott = rest - balls - burnham
        # Abbott's papers go to Ed Miliband next, the others' to David, then Ed.
        for ranking, votes in (
            ([0, 1], DAVID[s]),
            ([1, 0], ED[s]),
            ([2, 0, 1], balls),
            ([3, 0, 1], burnham),
            ([4, 1], abbott),
        ):
            rankings.append(ranking)
            weights.append(votes)
            sections.append(SECTIONS[s])
    return BallotSet.from_rankings(NAMES, rankings, weights=weights, sections=sections)


def _rounded(value: Fraction, places: int) -> Fraction:
    scale = 10**places
    return Fraction(round(value * scale), scale)


def test_labour_2010_round_one_college_percentages() -> None:
    report = count(_labour_2010(), method="college", options=THIRDS)
    first = report.rounds[0]
    assert _rounded(first.tallies["David Miliband"], 2) == Fraction("37.78")
    assert _rounded(first.tallies["Ed Miliband"], 2) == Fraction("34.33")
    assert sum(first.tallies.values()) == 100


def test_labour_2010_round_one_section_percentages() -> None:
    first = count(_labour_2010(), method="college", options=THIRDS).rounds[0]
    published = {
        ("David Miliband", "members"): "44.064",
        ("David Miliband", "affiliates"): "27.546",
        ("Ed Miliband", "affiliates"): "41.463",
    }
    for (name, section), percent in published.items():
        figures = first.sections[section]
        share = 100 * figures.tallies[name] / sum(figures.tallies.values())
        assert abs(share - Fraction(percent)) < Fraction(1, 1000)  # published to 3 places
    mps = first.sections["MPs and MEPs"]
    assert _rounded(100 * mps.tallies["David Miliband"] / 266, 2) == Fraction("41.73")


def test_lowest_college_score_is_excluded_and_papers_move_within_sections() -> None:
    report = count(_labour_2010(), method="college", options=THIRDS)
    assert report.rounds[0].excluded == ("Diane Abbott",)
    second = report.rounds[1]
    members = second.sections["members"]
    first_members = report.rounds[0].sections["members"]
    moved = members.tallies["Ed Miliband"] - first_members.tallies["Ed Miliband"]
    assert moved == first_members.tallies["Diane Abbott"]
    assert report.elected == ("David Miliband",)  # our made-up transfers favour David


def test_exhausted_papers_leave_their_section_denominator() -> None:
    """A section's share is split among the papers still counting in it."""
    ballots = BallotSet.from_rankings(
        ("A", "B", "C"),
        [[0], [1], [2], [0], [1]],
        weights=[3, 2, 1, 1, 1],
        sections=["x", "x", "x", "y", "y"],
    )
    options = CountOptions(section_weights={"x": Fraction(1, 2), "y": Fraction(1, 2)})
    report = count(ballots, method="college", options=options)
    assert report.rounds[0].excluded == ("C",)
    second = report.rounds[1].tallies
    # x: A 3 of 5 counting; y: A 1 of 2.  50 * 3/5 + 50 * 1/2 = 55.
    assert second == {"A": Fraction(55), "B": Fraction(45)}
    assert report.elected == ("A",)


def test_college_needs_a_share_for_every_section() -> None:
    ballots = BallotSet.from_rankings(("A", "B"), [[0], [1]], sections=["x", "y"])
    with pytest.raises(MethodError, match="no share to section"):
        count(ballots, method="college", options=CountOptions(section_weights={"x": 1}))
    with pytest.raises(MethodError, match="add up to one"):
        count(ballots, method="college", options=CountOptions(section_weights={"x": 1, "y": 1}))
    with pytest.raises(MethodError, match="needs ballots labelled"):
        count(BallotSet.from_rankings(("A", "B"), [[0], [1]]), method="college")
