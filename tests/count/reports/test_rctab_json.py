"""The RCTab detailed-report JSON: every surplus and exclusion is a ``tallyResults`` entry
of the round it happens in, on counts worked by hand; and the checks RCVis's rcvformats
makes, on RCTab's own reports and on reports it must refuse."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omov.count import BallotSet, count
from omov.count.methods.stv_meek import proportional_shares
from omov.count.reports.native_json import report_record
from omov.count.reports.rctab_json import rctab_document
from tests.count.reports.rcvis import (
    as_rcvformats_knows_it,
    assert_rcvis_accepts,
    rcvformats_errors,
)
from tests.count.test_stv_meek import _sc


def results(document: dict[str, Any]) -> list[tuple[dict[str, str], list[Any]]]:
    return [(r["tally"], r["tallyResults"]) for r in document["results"]]


def test_a_surplus_waiting_its_turn_is_an_entry_of_the_round_it_moves_in() -> None:
    """Scottish rules, quota 21 // 4 + 1 = 6. A (8) and B (7) are elected at stage 1; rule
    48 moves the largest surplus first: A's 2, from 8 papers at 0.25, at stage 2; then B's
    1, from 7 papers at 1/7 = 0.14285 each (0.99995, 0.00005 lost to truncation), at
    stage 3. B's 7 falls to 6 between rounds 2 and 3, so B's entry is in round 2."""
    ballots = BallotSet.from_rankings(
        list("ABCDE"), [[0, 2], [1, 3], [2], [3], [4]], weights=[8, 7, 3, 2, 1]
    )
    report = count(ballots, method="scottish-stv", seats=3)
    assert report.rounds[0].elected == ("A", "B")
    document = rctab_document(report)
    assert results(document) == [
        ({"A": "8", "B": "7", "C": "3", "D": "2", "E": "1"},
         [{"elected": "A", "transfers": {"C": "2"}}]),
        ({"A": "6", "B": "7", "C": "5", "D": "2", "E": "1"},
         [{"elected": "B", "transfers": {"D": "0.99995", "residual surplus": "0.00005"}}]),
        ({"A": "6", "B": "6", "C": "5", "D": "2.99995", "E": "1"},
         [{"eliminated": "E", "transfers": {"exhausted": "1"}}]),
        ({"A": "6", "B": "6", "C": "5", "D": "2.99995"},
         [{"eliminated": "D", "transfers": {"exhausted": "2.99995"}}]),
        ({"A": "6", "B": "6", "C": "5"}, [{"elected": "C", "transfers": {}}]),
    ]  # fmt: skip
    assert rcvformats_errors(document) is None


def test_rcvformats_refuses_a_surplus_with_no_entry() -> None:
    """The report as omov wrote it before: B's surplus had no entry, so B's votes fell
    from 7 to 6 with nothing to say where they went."""
    ballots = BallotSet.from_rankings(
        list("ABCDE"), [[0, 2], [1, 3], [2], [3], [4]], weights=[8, 7, 3, 2, 1]
    )
    document = rctab_document(count(ballots, method="scottish-stv", seats=3))
    document["results"][1]["tallyResults"] = []
    assert "Candidate B's votes decreased" in str(rcvformats_errors(document))


def test_papers_left_with_an_excluded_candidate_when_the_places_fill_are_exhausted() -> None:
    """ERS97, quota 16/3 = 5.34. A's surplus 1.66 moves at 0.23 a paper (B 0.92, C 0.69,
    0.05 non-transferable). B (2.92) is excluded: its batch of value 1 (2 papers to D)
    moves first and D's 6 fills the last place, so 5.5.2 stops the count with B's four
    papers at 0.23 unmoved. RCTab's format has no eliminated candidate holding votes: they
    are reported as exhausted, and B leaves the last round's tally."""
    ballots = BallotSet.from_rankings(
        list("ABCD"), [[0, 2], [0, 1], [2, 3], [3], [1, 3]], weights=[3, 4, 3, 4, 2]
    )
    report = count(ballots, method="ers97", seats=2)
    assert report.rounds[2].tallies["B"] == Fraction("0.92")  # the count sheet keeps them
    document = rctab_document(report)
    second, last = document["results"][1:]
    assert second["tallyResults"] == [
        {"eliminated": "B", "transfers": {"D": "2", "exhausted": "0.92"}}
    ]
    assert last["tally"] == {"A": "5.34", "C": "3.69", "D": "6"}
    assert last["inactiveBallots"]["exhaustedChoices"] == "0.97"
    assert_rcvis_accepts(report)


def test_meek_reports_each_round_of_transfers_and_ends_on_an_election() -> None:
    """42u.blt (4 Castor>Pollux, 2 Helen; 2 seats): Castor's keep factor falls to
    0.500000001, passing 1.999999996 to Pollux; Pollux is excluded with 5 units of 10^-9
    less than Helen and its papers' value leaves the count as excess; Helen is elected
    in the round after, which is the last."""
    ballots = BallotSet.from_rankings(["Castor", "Pollux", "Helen"], [[0, 1], [2]], weights=[4, 2])
    document = rctab_document(count(ballots, method="meek", seats=2))
    assert [r["tallyResults"] for r in document["results"]] == [
        [{"elected": "Castor", "transfers": {"Pollux": "1.999999996"}}],
        [{"eliminated": "Pollux", "transfers": {"exhausted": "1.999999996"}}],
        [{"elected": "Helen", "transfers": {}}],
    ]
    assert document["results"][-1]["inactiveBallots"]["exhaustedChoices"] == "1.999999996"


@given(
    losses=st.lists(st.integers(1, 10**12), min_size=1, max_size=6),
    weights=st.lists(st.integers(1, 10**6), min_size=1, max_size=6),
)
def test_proportional_shares_add_up_exactly_both_ways(
    losses: list[int], weights: list[int]
) -> None:
    total = sum(losses)
    gains = [total * w // sum(weights) for w in weights]
    gains[0] += total - sum(gains)
    lost = {f"s{i}": v for i, v in enumerate(losses)}
    got = {f"t{i}": v for i, v in enumerate(gains) if v}
    shares = proportional_shares(lost, got)
    for s, amount in lost.items():
        assert sum(shares[s].values()) == amount
        for t, gain in got.items():
            assert abs(shares[s][t] - Fraction(amount * gain, total)) < len(got) + len(lost)
    for t, gain in got.items():
        assert sum(shares[s][t] for s in lost) == gain


def test_rctab_own_reports_pass_once_the_predated_fields_are_set_aside(
    data_dir: Path,
) -> None:
    """The fields set aside are those RCTab writes and rcvformats' schema predates: RCTab's
    own reports pass without them, and fail with any one of them put back."""
    paths = sorted((data_dir / "rctab").glob("*/*_expected_detailed_report.json"))
    assert len(paths) > 20
    for path in paths:
        document = json.loads(path.read_text(encoding="utf-8"))
        assert rcvformats_errors(document) is None, path.name
    for where, name in [
        ((), "jsonFormatVersion"),
        ((), "summary"),
        (("config",), "generatedBy"),
        (("results", 0), "inactiveBallots"),
        (("results", 0), "threshold"),
    ]:
        known = as_rcvformats_knows_it(document)
        original: Any = document
        part: Any = known
        for key in where:
            original, part = original[key], part[key]
        part[name] = original[name]
        assert "not allowed" in str(rcvformats_errors(known, set_aside=False)), name


@pytest.mark.parametrize("method", ["scottish-stv", "ers97", "meek", "wigm"])
def test_the_native_json_shows_the_same_transfers(method: str) -> None:
    """Every vote the RCTab JSON moves, the native JSON moves in the same round, from the
    same candidate to the same place (the Green Party's 2005 SC election, 4 seats)."""
    report = count(_sc(), method=method, seats=4)

    def moves(rounds: list[Any], entries: str, source: str, to: str) -> set[tuple[Any, ...]]:
        return {
            (number, entry[source], dest, Fraction(votes))
            for number, round_ in enumerate(rounds, start=1)
            for entry in round_[entries]
            for dest, votes in entry[to].items()
        }

    native = report_record(report)["rounds"]
    rctab = rctab_document(report)["results"]
    for entry in (e for r in rctab for e in r["tallyResults"]):
        entry["source"] = entry.get("elected", entry.get("eliminated"))
    assert moves(native, "transfers", "source", "to") == moves(
        rctab, "tallyResults", "source", "transfers"
    )
    assert any(round_["transfers"] for round_ in native)
