"""The published count's figures as the results page lays them out: every round for the
whole electorate and for each published section, with the threshold and the exhausted
papers, read from the stored summary (``reporting.report_summary``), never recounted.

A summary stored before the threshold and the sections' exhausted papers were kept has
neither: the page then says nothing of them rather than a wrong figure."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

GROUP_JOIN = " + "
"""How ``omov.ledger.board.merge_small_sections`` labels sections merged into one group."""


def percent(part: Decimal, whole: Decimal) -> str:
    return f"{100 * part / whole:.1f}" if whole else "0.0"


@dataclass(frozen=True)
class Cell:
    votes: str
    percent: str
    out: bool = False
    """The candidate was no longer in the count in this round (excluded or not continuing)."""


@dataclass(frozen=True)
class Line:
    name: str
    cells: list[Cell]


@dataclass(frozen=True)
class RoundTable:
    """Candidates down the side, rounds across: the shape Labour publishes each section in."""

    title: str
    key: str
    rounds: list[int]
    lines: list[Line]
    exhausted: list[str]
    totals: list[str]
    thresholds: list[str]
    """Each round's threshold (the whole count's table only; empty for a section's)."""


def _cells(
    candidates: list[str], rounds: list[dict[str, Any]], tallies: list[dict[str, str]]
) -> list[Line]:
    totals = [sum((Decimal(v) for v in t.values()), Decimal(0)) for t in tallies]
    lines = []
    for name in candidates:
        cells = []
        for r, t, total in zip(rounds, tallies, totals, strict=True):
            if name in t:
                cells.append(Cell(t[name], percent(Decimal(t[name]), total)))
            else:
                cells.append(Cell("", "", out=name not in r["tallies"]))
        lines.append(Line(name, cells))
    return lines


def whole_table(summary: dict[str, Any]) -> RoundTable:
    """Every round of the whole count; % of the votes for continuing candidates."""
    rounds = summary["rounds"]
    tallies = [r["tallies"] for r in rounds]
    return RoundTable(
        title=_("All sections"),
        key="all",
        rounds=[r["number"] for r in rounds],
        lines=_cells(summary["candidates"], rounds, tallies),
        exhausted=[r["inactive"] for r in rounds],
        totals=[_total(t) for t in tallies],
        thresholds=[r.get("threshold") or "" for r in rounds]
        if any(r.get("threshold") for r in rounds)
        else [],
    )


def _total(tallies: dict[str, str]) -> str:
    return str(sum((Decimal(v) for v in tallies.values()), Decimal(0)))


def group_name(label: str, names: dict[str, str]) -> str:
    """A published section group by the rulebook's names ("Members + Registered supporters")."""
    return GROUP_JOIN.join(names.get(s, s).capitalize() for s in label.split(GROUP_JOIN))


def _order(label: str, order: list[str]) -> int:
    first = label.split(GROUP_JOIN)[0]
    return order.index(first) if first in order else len(order)


def section_tables(
    summary: dict[str, Any], names: dict[str, str], order: list[str]
) -> list[RoundTable]:
    """One table per published section group with ballots, every round, in the rulebook's
    order; a group with no ballots in round 1 has none later, and is left out."""
    rounds = summary["rounds"]
    labels = sorted(rounds[0].get("sections", {}), key=lambda s: (_order(s, order), s))
    tables = []
    for label in labels:
        tallies = [r["sections"].get(label, {}) for r in rounds]
        exhausted = [r.get("section_inactive", {}).get(label, "") for r in rounds]
        papers = sum((Decimal(v) for v in tallies[0].values()), Decimal(0))
        if not papers and not Decimal(exhausted[0] or 0):
            continue
        tables.append(
            RoundTable(
                title=group_name(label, names),
                key=label.replace(GROUP_JOIN, "-"),
                rounds=[r["number"] for r in rounds],
                lines=_cells(summary["candidates"], rounds, tallies),
                exhausted=exhausted,
                totals=[_total(t) for t in tallies],
                thresholds=[],
            )
        )
    return tables


def sections_without_ballots(
    summary: dict[str, Any], names: dict[str, str], order: list[str]
) -> list[str]:
    """The rulebook's sections no published group holds a ballot of (named, not tabled)."""
    rounds = summary["rounds"]
    held = {
        part
        for label, tallies in rounds[0].get("sections", {}).items()
        if any(Decimal(v) for v in tallies.values())
        for part in label.split(GROUP_JOIN)
    }
    return [names.get(s, s).capitalize() for s in order if s not in held]


@dataclass(frozen=True)
class Bar:
    """One candidate in the bar chart: their votes round by round, as segments of the bar
    (first preferences, then each round's gain), and where the bar stops."""

    name: str
    votes: str
    percent: str
    note: str
    segments: list[tuple[str, str, str]]
    """(start, width, class) in per-mille of the widest figure, for the SVG: the first
    preferences, then each round's gain in alternating shades."""


def bar_chart(summary: dict[str, Any]) -> tuple[list[Bar], str | None]:
    """The round-by-round bar chart (RCVis's "bar chart"): each candidate's votes in their
    last round, built up round by round; and the threshold's place on the same scale."""
    rounds = summary["rounds"]
    threshold = rounds[-1].get("threshold")
    widest = max(
        [Decimal(v) for r in rounds for v in r["tallies"].values()]
        + ([Decimal(threshold)] if threshold else [])
        + [Decimal(1)]
    )
    scale = Decimal(960) / widest  # a margin, so a threshold at the widest still shows
    final_total = sum((Decimal(v) for v in rounds[-1]["tallies"].values()), Decimal(0))
    bars = []
    for name in summary["candidates"]:
        present = [r for r in rounds if name in r["tallies"]]
        if not present:
            continue
        segments: list[tuple[str, str, str]] = []
        shown = Decimal(0)
        for r in present:
            value = Decimal(r["tallies"][name])
            if value > shown:
                shade = "first" if not segments else f"gain-{len(segments) % 2}"
                segments.append((_mille(shown * scale), _mille((value - shown) * scale), shade))
                shown = value
        last = present[-1]
        bars.append(
            Bar(
                name=name,
                votes=last["tallies"][name],
                percent=percent(Decimal(last["tallies"][name]), final_total)
                if last is rounds[-1]
                else "",
                note=_bar_note(name, last, rounds, summary),
                segments=segments,
            )
        )
    bars.sort(key=lambda b: -Decimal(b.votes))
    return bars, _mille(Decimal(threshold) * scale) if threshold else None


def _mille(value: Decimal) -> str:
    return f"{value:.1f}"


def _bar_note(
    name: str, last: dict[str, Any], rounds: list[dict[str, Any]], summary: dict[str, Any]
) -> str:
    if name in summary["elected"]:
        return _("elected")
    if last is not rounds[-1]:
        return _("excluded after round %(number)s") % {"number": last["number"]}
    return ""
