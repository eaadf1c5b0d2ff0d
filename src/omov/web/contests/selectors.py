"""Reading contests."""

from __future__ import annotations

from django.db.models import QuerySet

from omov.web.contests.models import Candidate, Contest


def contest_list() -> QuerySet[Contest]:
    return Contest.objects.select_related("organisation").order_by("-pk")


def ballot_candidates(*, contest: Contest) -> list[Candidate]:
    """The candidates on the ballot paper, in ballot order."""
    return list(contest.candidates.filter(on_ballot=True).order_by("position"))


def ballot_positions(*, contest: Contest) -> set[int]:
    """The ballot positions of the candidates on the paper (cheap: no model instances)."""
    return set(contest.candidates.filter(on_ballot=True).values_list("position", flat=True))
