"""The live nomination standing: each candidate's nominations as the rules engine would
decide them if nominations closed now."""

from __future__ import annotations

from omov.web.contests.engine import Needed, Standing, nominations_needed, standing
from omov.web.contests.models import Contest

__all__ = ["Needed", "Standing", "contest_threshold", "nomination_standing"]


def nomination_standing(*, contest: Contest) -> list[Standing]:
    return standing(contest)


def contest_threshold(*, contest: Contest) -> Needed:
    """Nominations each candidate needs from the nominating bodies (the engine's figure)."""
    return nominations_needed(contest)
