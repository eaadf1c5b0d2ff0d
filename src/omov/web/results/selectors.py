"""The results page's figures: rounds, per-section tables with %, and turnout."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.safestring import mark_safe

from omov.web.contests.models import Contest
from omov.web.electorate.selectors import turnout_by_section
from omov.web.results.charts import sankey_svg
from omov.web.results.models import Result


def _percent(part: str, whole: Decimal) -> str:
    return f"{100 * Decimal(part) / whole:.1f}" if whole else "0.0"


def _table(tallies: dict[str, str]) -> list[dict[str, str]]:
    total = sum((Decimal(v) for v in tallies.values()), Decimal(0))
    return [{"name": n, "votes": v, "percent": _percent(v, total)} for n, v in tallies.items()]


def results_page(*, contest: Contest) -> dict[str, Any]:
    result: Result = contest.result
    summary = result.summary
    names = contest.rulebook.typed.section_names
    zero = dict.fromkeys(summary["candidates"], "0")
    rounds = [
        {
            **r,
            "table": _table(r["tallies"]),
            # Every section the rulebook reports, in its order, even one with no ballots.
            "section_tables": {
                names.get(slug, slug): _table(r["sections"].get(slug, zero))
                for slug in contest.rulebook.typed.sections
            },
        }
        for r in summary["rounds"]
    ]
    turnout = [
        {**row, "section": names.get(row["section"], row["section"])}
        for row in turnout_by_section(contest=contest)
    ]
    eligible = sum(int(row["eligible"]) for row in turnout)
    voted = sum(int(row["voted"]) for row in turnout)
    return {
        "summary": summary,
        "rounds": rounds,
        "first": rounds[0],
        "final": rounds[-1],
        "turnout": turnout,
        "eligible": eligible,
        "voted": voted,
        "turnout_percent": f"{100 * voted / eligible:.1f}" if eligible else "0.0",
        "sankey": mark_safe(sankey_svg(summary)),  # escaped names, numbers
        "has_rctab": bool(result.rctab_json),
        "has_csv": bool(result.csv),
    }
