"""Burlington (Vermont) 2009 mayoral IRV against the city's official detail report.

../shared/data/burlington-2009/official-detail-report.md (ChoicePlus Pro): round 1 first
preferences, three candidates defeated together in round 1 because their defeat was
mathematically inevitable (batch elimination), 4 ballots exhausted from the start (an
overvote at the first rank), Bob Kiss elected in round 3 with a majority of the votes left.

ChoicePlus reads an overvote as RCTab's "exhaust if multiple continuing": a ballot reaching
two candidates marked at one rank counts for the one still continuing, if only one is. Our
ballot model reads an overvote as exhausting (or skipped), so one paper in the file
(``2,4,{3,5},1``: Montroll, Smith, then Simpson and Wright at one rank) exhausts in round 3
where ChoicePlus gives it to Wright. ``_overvote_correction`` finds such papers in the file
itself, round by round, and the comparison adds exactly that difference back.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest

from omov.count import CountOptions, count
from omov.count.ballots import BallotPolicy, OvervoteRule
from omov.count.formats import read_ballots
from omov.count.report import EXHAUSTED, CountReport

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


@pytest.fixture(scope="module")
def report(shared_data: Path) -> CountReport:
    ballots = read_ballots(
        shared_data / "burlington-2009" / "ballots.toi",
        format="toi",
        policy=BallotPolicy(overvote=OvervoteRule.EXHAUST),
    )
    assert ballots.total == 8980
    return count(ballots, method="irv", options=CountOptions(batch_elimination=True))


def _overvote_corrections(toi: Path, rounds: list[set[str]]) -> list[dict[str, int]]:
    """Per round (given its continuing candidates): what ChoicePlus's reading of overvotes
    changes against exhausting at any overvote, read from the file. Under ChoicePlus a paper
    exhausted once stays exhausted; a paper reaching an overvoted rank counts for its one
    continuing candidate, exhausts if two are continuing, and reads on if none is."""
    text = toi.read_text(encoding="utf-8")
    names = dict(re.findall(r"# ALTERNATIVE NAME (\d+): (.*)", text))
    papers = [
        (int(weight), [[names[i] for i in re.findall(r"\d+", rank)] for rank in ranks])
        for weight, order in re.findall(r"^(\d+): (.*)$", text, flags=re.MULTILINE)
        for ranks in [re.findall(r"\{[^}]*\}|[^,]+", order)]
    ]
    exhausted = [False] * len(papers)
    corrections = []
    for continuing in rounds:
        correction: dict[str, int] = {}
        for p, (weight, ranks) in enumerate(papers):
            ours = theirs = EXHAUSTED
            for marked in ranks:
                live = [name for name in marked if name in continuing]
                if len(marked) > 1:
                    break
                if live:
                    ours = live[0]
                    break
            for marked in [] if exhausted[p] else ranks:
                live = [name for name in marked if name in continuing]
                if len(live) == 1:
                    theirs = live[0]
                    break
                if len(live) > 1:
                    break
            exhausted[p] = theirs == EXHAUSTED
            if ours != theirs:
                correction[theirs] = correction.get(theirs, 0) + weight
                correction[ours] = correction.get(ours, 0) - weight
        corrections.append(correction)
    return corrections


def test_every_official_round_is_reproduced(report: CountReport, shared_data: Path) -> None:
    toi = shared_data / "burlington-2009" / "ballots.toi"
    assert len(report.rounds) == len(OFFICIAL_ROUNDS)
    corrections = _overvote_corrections(toi, [set(r.tallies) for r in report.rounds])
    for round_, (tallies, exhausted), correction in zip(
        report.rounds, OFFICIAL_ROUNDS, corrections, strict=True
    ):
        ours = {name: int(v) + correction.get(name, 0) for name, v in round_.tallies.items()}
        assert ours == tallies
        assert int(round_.inactive_total) + correction.get(EXHAUSTED, 0) == exhausted


def test_only_one_paper_reads_differently_and_only_in_round_three(
    report: CountReport, shared_data: Path
) -> None:
    toi = shared_data / "burlington-2009" / "ballots.toi"
    corrections = _overvote_corrections(toi, [set(r.tallies) for r in report.rounds])
    assert corrections == [{}, {}, {"Kurt Wright": 1, EXHAUSTED: -1}]


def test_three_candidates_are_batch_excluded_in_round_one(report: CountReport) -> None:
    assert set(report.rounds[0].excluded) == {"Dan Smith", "Write-In", "James Simpson"}
    assert report.rounds[1].excluded == ("Andy Montroll",)


def test_batch_transfers_match_the_official_round_two_gains(report: CountReport) -> None:
    gains: dict[str, Fraction] = {}
    for transfer in report.rounds[0].transfers:
        for dest, votes in transfer.to.items():
            gains[dest] = gains.get(dest, Fraction(0)) + votes
    assert gains == {"Kurt Wright": 343, "Bob Kiss": 396, "Andy Montroll": 491, EXHAUSTED: 147}


def test_kiss_wins_with_a_majority_of_continuing_votes(report: CountReport) -> None:
    assert report.elected == ("Bob Kiss",)
    final = report.final_round
    assert final.elected == ("Bob Kiss",)
    assert 2 * final.tallies["Bob Kiss"] > final.continuing_total
    assert not report.tie_breaks
