"""Burlington (Vermont) 2009 mayoral IRV against the city's official detail report.

tests/data/burlington-2009/official-detail-report.md (ChoicePlus Pro): round 1 first
preferences, three candidates defeated together in round 1 because their defeat was
mathematically inevitable (batch elimination), 4 ballots exhausted from the start (an
overvote at the first rank), Bob Kiss elected in round 3 with a majority of the votes left.

ChoicePlus reads an overvote as RCTab's "exhaust if multiple continuing": a ballot reaching
several candidates marked at one rank counts for the one still continuing, if only one is,
and is exhausted for good if several are. Read that way (the TOI file keeps which
candidates each ``{a,b}`` marked) every official figure is reproduced exactly, including
``2,4,{3,5},1`` counting for Wright once Simpson is out, and the three ``{5,6}`` papers
staying exhausted after Write-In is excluded.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from omov.count import CountOptions, count
from omov.count.ballots import BallotPolicy, Inactive, OvervoteRule
from omov.count.formats import read_ballots
from omov.count.report import EXHAUSTED, CountReport
from tests.count.reports.rcvis import assert_rcvis_accepts

OFFICIAL_ROUNDS = [
    (
        {
            "Kurt Wright": 2951,
            "Bob Kiss": 2585,
            "Andy Montroll": 2063,
            "Dan Smith": 1306,
            "Write-In": 36,
            "James Simpson": 35,
        },
        4,
    ),
    ({"Kurt Wright": 3294, "Bob Kiss": 2981, "Andy Montroll": 2554}, 151),
    ({"Bob Kiss": 4313, "Kurt Wright": 4061}, 606),
]
"""(tallies, exhausted pile) per round, as published."""


def _read(data_dir: Path, rule: OvervoteRule) -> CountReport:
    ballots = read_ballots(
        data_dir / "burlington-2009" / "ballots.toi",
        format="toi",
        policy=BallotPolicy(overvote=rule),
    )
    assert ballots.total == 8980
    report = count(ballots, method="irv", options=CountOptions(batch_elimination=True))
    assert_rcvis_accepts(report)
    return report


@pytest.fixture(scope="module")
def report(data_dir: Path) -> CountReport:
    return _read(data_dir, OvervoteRule.EXHAUST_IF_MULTIPLE_CONTINUING)


def test_every_official_round_is_reproduced(report: CountReport) -> None:
    assert len(report.rounds) == len(OFFICIAL_ROUNDS)
    for round_, (tallies, exhausted) in zip(report.rounds, OFFICIAL_ROUNDS, strict=True):
        assert {name: int(v) for name, v in round_.tallies.items()} == tallies
        assert round_.inactive_total == exhausted
        assert round_.continuing_total + round_.inactive_total == 8980


def test_first_rank_overvotes_stay_exhausted_as_overvotes(report: CountReport) -> None:
    """The 4 papers overvoted at the first rank are overvotes in every round, although
    three of them ({Wright, Write-In}) have one continuing candidate once Write-In is out."""
    assert [r.inactive[Inactive.OVERVOTE] for r in report.rounds] == [4, 4, 4]


def test_three_candidates_are_batch_excluded_in_round_one(report: CountReport) -> None:
    assert set(report.rounds[0].excluded) == {"Dan Smith", "Write-In", "James Simpson"}
    assert report.rounds[1].excluded == ("Andy Montroll",)


def test_batch_transfers_match_the_official_round_two_gains(report: CountReport) -> None:
    gains: dict[str, Fraction] = {}
    for transfer in report.rounds[0].transfers:
        for dest, votes in transfer.to.items():
            gains[dest] = gains.get(dest, Fraction(0)) + votes
    assert gains == {"Kurt Wright": 343, "Bob Kiss": 396, "Andy Montroll": 491, EXHAUSTED: 147}


def test_montroll_transfer_matches_the_official_round_three_gains(report: CountReport) -> None:
    (transfer,) = report.rounds[1].transfers
    assert transfer.to == {"Bob Kiss": 1332, "Kurt Wright": 767, EXHAUSTED: 455}


def test_kiss_wins_with_a_majority_of_continuing_votes(report: CountReport) -> None:
    assert report.elected == ("Bob Kiss",)
    final = report.final_round
    assert final.elected == ("Bob Kiss",)
    assert 2 * final.tallies["Bob Kiss"] > final.continuing_total
    assert not report.tie_breaks


def test_exhausting_at_every_overvote_is_one_paper_off(data_dir: Path) -> None:
    """Under the plain 'exhaust' rule, ``2,4,{3,5},1`` exhausts in round 3 instead of going
    to Wright: the official count did not read overvotes that way."""
    final = _read(data_dir, OvervoteRule.EXHAUST).final_round
    assert final.tallies == {"Bob Kiss": 4313, "Kurt Wright": 4060}
    assert final.inactive_total == 607
