"""The results page like RCVis: every round for all and for each section (threshold and
exhausted papers each round), the bar chart, readable transfers, exclusion figures by
reason, empty sections left out, and the printable declaration."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import omov.web as web_package
from omov.count import BallotSet, count
from omov.web.balloting.services import ballot_cast, ballot_close
from omov.web.contests.models import Contest
from omov.web.contests.services import contest_archive
from omov.web.electorate.models import Elector
from omov.web.electorate.selectors import elector_counts, statistics_of
from omov.web.results.charts import sankey_svg
from omov.web.results.figures import bar_chart, section_tables, whole_table
from omov.web.results.reporting import report_summary
from omov.web.results.services import result_count, result_publish
from omov.web.trust.publication import electorate_stats

from .conftest import ballot_ready

NAMES = {"members": "members", "supporters": "registered supporters", "empty": "affiliates"}
ORDER = ["members", "supporters", "empty"]


def _summary() -> dict[str, object]:
    """Three rounds: Cy out first, then Rebecca Long-Bailey, whose papers elect Bo; two
    sections with ballots, one without."""
    names = ["Al", "Bo", "Cy", "Rebecca Long-Bailey"]
    rankings = [[0]] * 5 + [[1, 0]] * 3 + [[2, 1]] * 2 + [[3, 1]] * 3 + [[3]]
    sections = ["members"] * 8 + ["supporters"] * 6
    ballots = BallotSet.from_rankings(names, rankings, sections=sections)
    return report_summary(count(ballots, method="irv"))


def test_every_round_of_every_section_with_threshold_and_exhausted() -> None:
    summary = _summary()
    tables = section_tables(summary, NAMES, ORDER)
    assert [t.title for t in tables] == ["Members", "Registered supporters"]  # no empty table
    rounds = len(summary["rounds"])  # type: ignore[arg-type]
    assert rounds >= 3
    for table in tables:
        assert table.rounds == list(range(1, rounds + 1))
        assert all(len(line.cells) == rounds for line in table.lines)
        assert len(table.exhausted) == rounds
        assert all(table.exhausted)
    whole = whole_table(summary)
    assert len(whole.thresholds) == rounds
    assert all(whole.thresholds)
    cy = next(line for line in whole.lines if line.name == "Cy")
    assert cy.cells[0].votes == "2"
    assert cy.cells[-1].out


def test_sections_merged_for_secrecy_are_named_together() -> None:
    summary = _summary()
    for r in summary["rounds"]:  # type: ignore[attr-defined]
        merged = {}
        for section in ("members", "supporters"):
            for name, votes in r["sections"].pop(section).items():
                merged[name] = str(int(merged.get(name, "0")) + int(votes))
        r["sections"]["members + supporters"] = merged
        r["section_inactive"] = {"members + supporters": r["inactive"]}
    [table] = section_tables(summary, NAMES, ORDER)
    assert table.title == "Members + Registered supporters"


def test_the_bar_chart_builds_each_bar_round_by_round() -> None:
    bars, threshold = bar_chart(_summary())
    by_name = {b.name: b for b in bars}
    winner = bars[0]
    assert (winner.name, winner.note) == ("Bo", "elected")
    assert len(winner.segments) == 3  # first preferences, then what transfers added
    assert winner.segments[0][2] == "first"
    assert by_name["Cy"].note == "excluded after round 1"
    assert threshold is not None
    assert 0 < float(threshold) <= 1000


def test_the_sankey_has_room_for_every_label() -> None:
    svg = sankey_svg(_summary())
    width = float(re.search(r'viewBox="-2 -2 ([\d.]+)', svg).group(1))  # type: ignore[union-attr]
    labels = re.findall(r'<text x="([\d.]+)"[^>]*>([^<]+)</text>', svg)
    assert any("Rebecca Long-Bailey" in text for _, text in labels)
    for x, text in labels:  # each label ends inside the drawing, at 7.2 px a character
        assert float(x) + 7.2 * len(text) <= width


@pytest.mark.django_db
def test_the_published_page_and_declaration() -> None:
    ready = ballot_ready(per_section=12)
    contest = ready.contest
    sections = dict(Elector.objects.filter(pk__in=ready.codes).values_list("pk", "section"))
    cast = {"members": [[1]] * 5 + [[2, 1]] * 3 + [[3, 2]] * 3, "registered-supporters": []}
    cast["registered-supporters"] = [[2]] * 6 + [[3, 1]] * 4
    for elector, code in ready.codes.items():
        rankings = cast.get(sections[elector])
        if rankings:
            ballot_cast(contest=contest, code=code, ranking=rankings.pop())
    ballot_close(contest=contest, reason="the test closes it early")
    ready.mix_and_decrypt()
    result_count(contest=contest)
    result_publish(contest=contest)
    contest = Contest.objects.get(pk=contest.pk)

    html = Client().get(reverse("results", args=[contest.pk])).content.decode()
    assert "Party members: every round" in html
    assert "Registered supporters: every round" in html
    assert "Affiliated supporters: every round" not in html  # no ballots: no empty table
    assert "No ballots from: Affiliated supporters." in html
    assert 'id="threshold"' in html
    assert "Votes needed to win" in html
    assert html.count('<th scope="row">Exhausted</th>') == 3  # all, and each section
    assert 'class="round-bar"' in html
    assert "Joined after the freeze date" in html  # who could not vote, and why
    # The bundle's figures, a cell under the vetting rules' smallest figure suppressed.
    published = electorate_stats(contest)["members"].excluded
    assert published == {"joined_after_freeze": 1}
    assert "fewer than 10" in html
    assert f"omov verify contest-{contest.pk}-bundle.zip" in html
    # The page reads no download to say which exist (they grow with the ballots).
    assert ("results.csv" in html) == bool(contest.result.csv)
    assert ("rctab.json" in html) == bool(contest.result.rctab_json)

    # The closed rolls' figures are kept with the count, the bundle's own, and the page
    # reads them rather than every elector's row (too slow at 500,000 electors).
    assert contest.result.electors == elector_counts(contest=contest)
    kept: dict[str, dict[str, int]] = {}
    for row in statistics_of(contest.result.electors):
        if row["eligibility"] != "eligible":
            reason = str(row["reason"] or row["eligibility"])
            kept.setdefault(str(row["section"]), {})[reason] = int(str(row["n"]))
    assert kept == {s: e.excluded for s, e in electorate_stats(contest).items() if e.excluded}
    with CaptureQueriesContext(connection) as queries:
        again = Client().get(reverse("results", args=[contest.pk])).content.decode()
    assert again == html
    assert not [q for q in queries.captured_queries if "electorate_elector" in q["sql"]]
    assert "results.css" in html

    page = Client().get(reverse("results-declaration", args=[contest.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "I declare Bob Challenger duly elected." in text
    assert "more than half" in text  # the method in plain words
    assert re.search(r"Declared at \d\d:\d\d on \d+ \w+ \d{4} \((GMT|BST)\)", text)
    assert "Turnout: 21 of 36 eligible electors voted (58.3%)." in text
    assert "omov/results.css" in text  # whose print rules hide the site's header
    css = (Path(web_package.__file__).parent / "static" / "omov" / "results.css").read_text()
    assert "@media print" in css

    # Archived, it leaves the home page; its results and bundle stay at their addresses.
    contest_archive(contest=contest)
    assert contest.title not in Client().get(reverse("home")).content.decode()
    assert Client().get(reverse("results", args=[contest.pk])).status_code == 200
    assert Client().get(reverse("bundle-download", args=[contest.pk])).status_code == 200
