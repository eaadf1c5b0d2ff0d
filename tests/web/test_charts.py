"""The transfers diagram: one band per flow, bars sized by votes, names escaped."""

from __future__ import annotations

import re

from omov.count import BallotSet, count
from omov.web.results.charts import sankey_svg
from omov.web.results.reporting import report_summary


def test_sankey_draws_each_flow_and_escapes_names() -> None:
    names = ["<b>Ann</b>", "Bob", "Cy"]
    ballots = BallotSet.from_rankings(names, [[0], [0], [0], [1], [1], [2, 1], [2]])
    summary = report_summary(count(ballots, method="irv"))
    svg = sankey_svg(summary)
    # Round 1 -> 2: Ann and Bob keep theirs; Cy's papers go to Bob and to exhausted.
    assert len(re.findall(r"<path ", svg)) == 4
    assert "&lt;b&gt;Ann&lt;/b&gt; 3" in svg
    assert "<b>" not in svg
    assert "Bob 3" in svg  # 2 of his own + 1 from Cy
    assert "exhausted 1" in svg


def test_no_diagram_for_a_single_round() -> None:
    ballots = BallotSet.from_rankings(["A", "B"], [[0], [0], [1]])
    assert sankey_svg(report_summary(count(ballots, method="irv"))) == ""
