"""The live nomination standing: who has how many, against the rulebook's threshold."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from omov.web.contests.models import Contest
from omov.web.contests.rulebooks import nomination_threshold


@dataclass(frozen=True)
class Standing:
    candidate_id: int
    name: str
    incumbent: bool
    nominations: int
    threshold: int

    @property
    def exempt(self) -> bool:
        return self.incumbent

    @property
    def qualifies(self) -> bool:
        return self.exempt or self.nominations >= self.threshold

    @property
    def percent(self) -> float:
        return 100.0 * self.nominations / max(self.threshold, 1)


def contest_threshold(*, contest: Contest) -> int:
    return nomination_threshold(contest.rulebook.facts, body_size=contest.nominating_body_size)


def nomination_standing(*, contest: Contest) -> list[Standing]:
    threshold = contest_threshold(contest=contest)
    exempt = bool(contest.rulebook.facts.get("incumbent_automatic"))
    rows = contest.candidates.annotate(n=Count("nominations")).order_by("position")
    return [Standing(c.pk, c.name, c.incumbent and exempt, c.n, threshold) for c in rows]
