"""The results page's figures: every round for all and per section, the bar chart and the
transfers, turnout, and who could not vote and why."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models.functions import Length
from django.utils.safestring import mark_safe

from omov.web.audit.models import AuditEvent
from omov.web.contests.models import Contest
from omov.web.contests.rulebooks import stored_book
from omov.web.electorate.models import Eligibility
from omov.web.electorate.selectors import elector_counts, statistics_of, turnout_of
from omov.web.results.charts import sankey_svg
from omov.web.results.figures import (
    bar_chart,
    percent,
    section_tables,
    sections_without_ballots,
    whole_table,
)
from omov.web.results.models import Result
from omov.web.wording import officer_reason


def _table(tallies: dict[str, str]) -> list[dict[str, str]]:
    total = sum((Decimal(v) for v in tallies.values()), Decimal(0))
    return [
        {"name": n, "votes": v, "percent": percent(Decimal(v), total)} for n, v in tallies.items()
    ]


@dataclass(frozen=True)
class Excluded:
    section: str
    reason: str
    count: int | None
    """None: fewer than the smallest figure published (suppressed)."""


def counted_electors(contest: Contest) -> list[dict[str, Any]]:
    """The electorate's figures (``elector_counts``) as kept with the count, or counted now
    for a count stored before they were kept. The rolls cannot change once the ballot has
    closed, so the kept figures are the ones the bundle publishes."""
    result = Result.objects.filter(contest=contest).values_list("electors", flat=True).first()
    return result or elector_counts(contest=contest)


def exclusions(
    contest: Contest, counts: list[dict[str, Any]] | None = None
) -> tuple[list[Excluded], int | None]:
    """Electors on the rolls who could not vote, per section and reason: the figures the
    bundle publishes (``trust.publication.electorate_stats``), counted by the database in
    one grouped query, as at 500,000 electors reading every row would not do. With vetting,
    a cell under the rulebook's smallest published figure is suppressed, as the officer's
    vetting figures are."""
    book = stored_book(contest.rulebook.typed)
    smallest = book.vetting.min_published if book.vetting else None
    names = contest.rulebook.typed.section_names
    counted: Counter[tuple[str, str]] = Counter()
    for row in statistics_of(counted_electors(contest) if counts is None else counts):
        if row["eligibility"] != Eligibility.ELIGIBLE:
            counted[str(row["section"]), str(row["reason"] or row["eligibility"])] += int(
                row["n"]  # type: ignore[call-overload]
            )
    rows = []
    for (section, reason), n in sorted(counted.items()):
        shown = None if smallest is not None and n < smallest else n
        rows.append(Excluded(names.get(section, section).capitalize(), _reason(reason), shown))
    return rows, smallest


def _reason(code: str) -> str:
    return officer_reason(code).rstrip(".")


def published_at(contest: Contest) -> Any:
    """When the result was published (the log's entry), or None before."""
    return (
        AuditEvent.objects.filter(stream=contest.stream, kind="result.published")
        .values_list("recorded_at", flat=True)
        .first()
    )


def results_page(*, contest: Contest) -> dict[str, Any]:
    # Not the board, the CSV or the RCTab report: the page only says whether the last two
    # exist, and the three grow with the ballots (megabytes at a national contest).
    result = (
        Result.objects.defer("board", "rctab_json", "csv")
        .annotate(rctab_size=Length("rctab_json"), csv_size=Length("csv"))
        .get(contest=contest)
    )
    summary = result.summary
    facts = contest.rulebook.typed
    names, order = facts.section_names, list(facts.sections)
    rounds = [{**r, "table": _table(r["tallies"])} for r in summary["rounds"]]
    counts = result.electors or elector_counts(contest=contest)
    turnout = [
        {**row, "section": names.get(row["section"], row["section"])} for row in turnout_of(counts)
    ]
    eligible = sum(int(row["eligible"]) for row in turnout)
    voted = sum(int(row["voted"]) for row in turnout)
    bars, threshold_at = bar_chart(summary)
    excluded, smallest = exclusions(contest, counts)
    return {
        "summary": summary,
        "rounds": rounds,
        "first": rounds[0],
        "final": rounds[-1],
        "threshold": rounds[-1].get("threshold"),
        "whole": whole_table(summary),
        "section_tables": section_tables(summary, names, order),
        "no_ballots": sections_without_ballots(summary, names, order),
        "bars": bars,
        "threshold_at": threshold_at,
        "turnout": turnout,
        "eligible": eligible,
        "voted": voted,
        "turnout_percent": f"{100 * voted / eligible:.1f}" if eligible else "0.0",
        "excluded": excluded,
        "smallest": smallest,
        "sankey": mark_safe(sankey_svg(summary)),  # escaped names, numbers
        "has_rctab": bool(result.rctab_size),
        "has_csv": bool(result.csv_size),
        "published_at": published_at(contest),
    }
