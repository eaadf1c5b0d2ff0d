"""Electorate figures: eligibility with reasons, exclusion statistics, turnout."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from omov.web.contests.models import Contest
from omov.web.electorate.models import (
    Appeal,
    AppealState,
    Elector,
    Eligibility,
    Exclusion,
    ExclusionState,
)


def exclusion_statistics(*, contest: Contest) -> list[dict[str, object]]:
    """Electors per section, eligibility and reason code."""
    rows = (
        contest.electors.values("section", "eligibility", "reason")
        .annotate(n=Count("pk"))
        .order_by("section", "eligibility", "reason")
    )
    return list(rows)


def turnout_by_section(*, contest: Contest) -> list[dict[str, Any]]:
    """Eligible electors and how many have voted, per section (the only per-person fact)."""
    rows = (
        contest.electors.filter(eligibility=Eligibility.ELIGIBLE)
        .values("section")
        .annotate(eligible=Count("pk"), voted=Count("pk", filter=Q(has_voted=True)))
        .order_by("section")
    )
    return [
        {**row, "percent": 100.0 * row["voted"] / row["eligible"] if row["eligible"] else 0.0}
        for row in rows
    ]


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
