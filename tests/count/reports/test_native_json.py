from __future__ import annotations

import json
from fractions import Fraction

import pytest

from omov.count import BallotSet, CountError, CountOptions, CountReport, Inactive, count
from omov.count.report import EXHAUSTED, RESIDUAL_SURPLUS, Round, SectionFigures, TieBreak, Transfer
from omov.count.reports import render_report
from omov.count.reports.native_json import report_from_json, report_record


def stv_like_report() -> CountReport:
    """Two rounds with a fractional surplus transfer, a tie-break and sections."""
    first = Round(
        number=1,
        tallies={"Ann": Fraction(10), "Bob": Fraction(4), "Cat": Fraction(4)},
        inactive={Inactive.EXHAUSTED: Fraction(0)},
        threshold=Fraction(7),
        elected=("Ann",),
        transfers=(
            Transfer(
                "Ann",
                "surplus",
                {"Bob": Fraction(2, 1), "Cat": Fraction(2, 3), EXHAUSTED: Fraction(1, 3)},
                transfer_value=Fraction(3, 10),
            ),
        ),
        sections={
            "members": SectionFigures({"Ann": Fraction(6), "Bob": Fraction(4)}, Fraction(0)),
            "supporters": SectionFigures({"Ann": Fraction(4), "Cat": Fraction(4)}, Fraction(0)),
        },
    )
    second = Round(
        number=2,
        tallies={"Ann": Fraction(7), "Bob": Fraction(6), "Cat": Fraction(14, 3)},
        inactive={Inactive.EXHAUSTED: Fraction(1, 3), Inactive.OVERVOTE: Fraction(0)},
        residual_surplus=Fraction(1, 100000),
        threshold=Fraction(7),
        excluded=("Cat",),
        tie_breaks=(TieBreak("exclusion", ("Bob", "Cat"), "Cat", "fewest votes at round 2"),),
        note="Cat excluded",
    )
    return CountReport(
        method="scottish-stv",
        seats=2,
        candidates=("Ann", "Bob", "Cat"),
        rounds=(first, second),
        elected=("Ann", "Bob"),
        valid_ballots=Fraction(18),
        quota=Fraction(7),
        decimals=5,
        sections=("members", "supporters"),
        options=CountOptions(decimals=5).as_record(),
        title="Ward 1",
    )


def test_figures_are_decimal_strings_at_the_reports_precision():
    record = json.loads(render_report(stv_like_report(), "json"))
    first, second = record["rounds"]
    assert second["tallies"] == {"Ann": "7.00000", "Bob": "6.00000", "Cat": "4.66666"}
    assert second["inactive"] == {"exhaustedChoices": "0.33333", "overvotes": "0.00000"}
    assert second["residual_surplus"] == "0.00001"
    assert record["quota"] == "7.00000"
    assert first["transfers"] == [
        {
            "source": "Ann",
            "kind": "surplus",
            "transfer_value": "0.3",
            "to": {"Bob": "2.00000", "Cat": "0.66666", EXHAUSTED: "0.33333"},
            "total": "3.00000",
        }
    ]
    assert first["sections"]["supporters"] == {
        "tallies": {"Ann": "4.00000", "Cat": "4.00000"},
        "inactive": "0.00000",
    }
    assert second["tie_breaks"] == [
        {
            "purpose": "exclusion",
            "tied": ["Bob", "Cat"],
            "chosen": "Cat",
            "resolved_by": "fewest votes at round 2",
        }
    ]
    assert (first["elected"], second["excluded"], record["elected"]) == (
        ["Ann"],
        ["Cat"],
        ["Ann", "Bob"],
    )
    assert record["options"]["decimals"] == 5


def test_a_recount_compares_equal_to_the_published_json_and_a_change_does_not():
    published = render_report(stv_like_report(), "json")
    assert report_from_json(published) == report_record(stv_like_report())
    altered = json.loads(published)
    altered["rounds"][1]["tallies"]["Cat"] = "4.66667"
    assert report_from_json(json.dumps(altered)) != report_record(stv_like_report())


def test_a_real_count_keeps_its_votes_in_every_round(data_dir):
    from omov.count.formats import read_ballots

    ballots = read_ballots(data_dir / "burlington-2009" / "ballots.toi")
    record = report_from_json(render_report(count(ballots, method="fptp"), "json"))
    (round_,) = record["rounds"]
    held = sum(int(v) for v in round_["tallies"].values()) + int(round_["inactive_total"])
    assert held == int(record["valid_ballots"]) == 8980
    assert round_["inactive"]["overvotes"] == "4"
    assert record["elected"] == ["Kurt Wright"]


def test_exact_values_stay_exact_without_a_fixed_precision():
    ballots = BallotSet.from_rankings(["A", "B"], [[0], [1], [0]])
    report = count(ballots, method="fptp")
    record = report_record(report)
    assert record["decimals"] is None
    assert record["rounds"][0]["tallies"] == {"A": "2", "B": "1"}
    third = Transfer("A", "surplus", {"B": Fraction(1, 3)}, transfer_value=Fraction(1, 3))
    odd = Round(number=1, tallies={"A": Fraction(1)}, transfers=(third,))
    with_third = CountReport("x", 1, ("A", "B"), (odd,), ("A",), Fraction(1))
    assert report_record(with_third)["rounds"][0]["transfers"][0]["transfer_value"] == "1/3"
    assert RESIDUAL_SURPLUS not in report_record(with_third)["rounds"][0]["tallies"]


@pytest.mark.parametrize(
    "text",
    ["not json", "[]", '{"format": "rctab"}', '{"format": "omov-count-report", "version": 9}'],
)
def test_anything_else_is_refused_in_one_line(text):
    with pytest.raises(CountError) as caught:
        report_from_json(text)
    assert "\n" not in str(caught.value)
