"""Electorate figures: eligibility with reasons, exclusion statistics, turnout."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum, Window

from omov.web.contests.models import Contest
from omov.web.electorate.models import (
    Appeal,
    AppealState,
    Elector,
    ElectorTally,
    Eligibility,
    Exclusion,
    ExclusionState,
)


def elector_counts(*, contest: Contest) -> list[dict[str, Any]]:
    """Electors per section, eligibility, reason code and whether they have voted, from the
    tally the database keeps as electors change (``ElectorTally``): at most 256 rows a
    figure however large the electorate, where grouping the electors read every row (~140 ms at
    500,000). Counts only, so it says nothing of who has voted; plain JSON, so a count can
    keep it. Equal to ``elector_counts_recounted``, as the tests check after each writer."""
    rows = (
        ElectorTally.objects.filter(contest_id=contest.pk)
        .values("section", "eligibility", "reason", "has_voted")
        .annotate(total=Sum("n"))
        .filter(total__gt=0)
    )
    return _figures(rows, "total")


def elector_counts_recounted(*, contest: Contest) -> list[dict[str, Any]]:
    """``elector_counts`` from the electors themselves, one grouped query over every row:
    what the tally is checked against."""
    rows = contest.electors.values("section", "eligibility", "reason", "has_voted").annotate(
        total=Count("pk")
    )
    return _figures(rows, "total")


def _figures(rows: Iterable[dict[str, Any]], count: str) -> list[dict[str, Any]]:
    return sorted(
        (
            {
                "section": str(row["section"]),
                "eligibility": str(row["eligibility"]),
                "reason": str(row["reason"]),
                "has_voted": bool(row["has_voted"]),
                "n": int(row[count]),
            }
            for row in rows
        ),
        key=lambda r: (r["section"], r["eligibility"], r["reason"], r["has_voted"]),
    )


def statistics_of(counts: list[dict[str, Any]]) -> list[dict[str, object]]:
    """Electors per section, eligibility and reason code, from ``elector_counts``."""
    totals: Counter[tuple[str, str, str]] = Counter()
    for row in counts:
        totals[row["section"], row["eligibility"], row["reason"]] += row["n"]
    return [
        {"section": s, "eligibility": e, "reason": r, "n": n}
        for (s, e, r), n in sorted(totals.items())
    ]


def turnout_of(counts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Eligible electors and how many have voted, per section, from ``elector_counts``."""
    eligible: Counter[str] = Counter()
    voted: Counter[str] = Counter()
    for row in counts:
        if row["eligibility"] == Eligibility.ELIGIBLE:
            eligible[row["section"]] += row["n"]
            voted[row["section"]] += row["n"] if row["has_voted"] else 0
    return [
        {
            "section": s,
            "eligible": eligible[s],
            "voted": voted[s],
            "percent": 100.0 * voted[s] / eligible[s] if eligible[s] else 0.0,
        }
        for s in sorted(eligible)
    ]


def exclusion_statistics(*, contest: Contest) -> list[dict[str, object]]:
    """Electors per section, eligibility and reason code."""
    return statistics_of(elector_counts(contest=contest))


def turnout_by_section(*, contest: Contest) -> list[dict[str, Any]]:
    """Eligible electors and how many have voted, per section (the only per-person fact)."""
    return turnout_of(elector_counts(contest=contest))


def electors_page(*, contest: Contest, search: str = "", limit: int = 50) -> QuerySet[Elector]:
    electors = contest.electors.order_by("reference")
    if search:
        electors = electors.filter(Q(reference__icontains=search) | Q(email__icontains=search))
    return electors[:limit]


APPEALS_SHOWN = 50
"""Waiting appeals the dashboard shows at once, oldest first (a purge can bring thousands)."""


def appeals_waiting(*, contest: Contest) -> QuerySet[Appeal]:
    """Appeals lodged and not yet decided, oldest first, with their electors."""
    waiting = Appeal.objects.filter(elector__contest=contest, state=AppealState.LODGED)
    return waiting.select_related("elector").order_by("pk")


def appeals_oldest(*, contest: Contest) -> tuple[list[Appeal], int]:
    """The oldest ``APPEALS_SHOWN`` appeals waiting, and how many wait in all: one query
    (the total counted alongside the rows, before the limit)."""
    rows = appeals_waiting(contest=contest).annotate(waiting=Window(Count("pk")))
    shown = list(rows[:APPEALS_SHOWN])
    return list[Appeal](shown), int(shown[0].waiting) if shown else 0


def exclusions_waiting(*, contest: Contest) -> QuerySet[Exclusion]:
    """Exclusions proposed and awaiting a second officer, oldest first."""
    waiting = Exclusion.objects.filter(elector__contest=contest, state=ExclusionState.PROPOSED)
    return waiting.select_related("elector", "proposed_by").order_by("pk")


@dataclass(frozen=True)
class Figure:
    section: str
    ground: str
    count: int | None
    """None: fewer than the rulebook's smallest published figure (suppressed)."""


def vetting_figures(*, contest: Contest, smallest: int) -> list[Figure]:
    """Exclusions in force per section and ground, as published: a cell under ``smallest``
    (the rulebook's ``min_published``) is suppressed, so nobody is identified by it."""
    rows = (
        Exclusion.objects.filter(elector__contest=contest, state=ExclusionState.CONFIRMED)
        .values("elector__section", "ground")
        .annotate(n=Count("pk"))
        .order_by("elector__section", "ground")
    )
    return [
        Figure(row["elector__section"], row["ground"], row["n"] if row["n"] >= smallest else None)
        for row in rows
    ]
