from __future__ import annotations

import csv
import io

from omov.count import BallotSet, count
from omov.count.reports import render_report
from omov.count.reports.csv_report import COLUMNS

from .test_native_json import stv_like_report


def rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


def test_one_row_per_candidate_per_round_with_status():
    table = rows(render_report(stv_like_report(), "csv"))
    candidates = [r for r in table if r["row"] == "candidate" and not r["section"]]
    assert [(r["round"], r["name"], r["votes"], r["status"]) for r in candidates] == [
        ("1", "Ann", "10.00000", "elected"),
        ("1", "Bob", "4.00000", "continuing"),
        ("1", "Cat", "4.00000", "continuing"),
        ("2", "Ann", "7.00000", "elected"),
        ("2", "Bob", "6.00000", "continuing"),
        ("2", "Cat", "4.66666", "excluded"),
    ]


def test_inactive_residual_threshold_and_section_rows():
    table = rows(render_report(stv_like_report(), "csv"))
    second = [r for r in table if r["round"] == "2" and not r["section"]]
    assert {(r["row"], r["name"]): r["votes"] for r in second if r["row"] != "candidate"} == {
        ("inactive", "exhaustedChoices"): "0.33333",
        ("inactive", "overvotes"): "0.00000",
        ("residual surplus", ""): "0.00001",
        ("threshold", ""): "7.00000",
    }
    members = [r for r in table if r["section"] == "members"]
    assert [(r["round"], r["row"], r["name"], r["votes"]) for r in members] == [
        ("1", "candidate", "Ann", "6.00000"),
        ("1", "candidate", "Bob", "4.00000"),
        ("1", "inactive", "", "0.00000"),
    ]


def test_section_rows_add_up_to_the_round():
    ballots = BallotSet.from_rankings(
        ["A", "B"], [[0], [1], [0], [], [1, 0]], sections=["m", "s", "s", "m", "m"]
    )
    table = rows(render_report(count(ballots, method="fptp"), "csv"))
    whole = {
        r["name"]: int(r["votes"]) for r in table if r["row"] == "candidate" and not r["section"]
    }
    by_section: dict[str, int] = {}
    for r in table:
        if r["row"] == "candidate" and r["section"]:
            by_section[r["name"]] = by_section.get(r["name"], 0) + int(r["votes"])
    assert whole == by_section == {"A": 2, "B": 2}
