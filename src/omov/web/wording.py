"""Sentences people read, kept in one place: times in the site's zone with the zone named,
and what a voter is told when the ballot is not open."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from omov.web.contests.models import Contest, ContestState

NOT_YET = (ContestState.NOMINATIONS, ContestState.ELECTORATE, ContestState.FROZEN)


def when(moment: dt.datetime) -> str:
    """A moment in the site's time zone, the zone named: "12:00 on 21 September 2026 (BST)"."""
    local = timezone.localtime(moment)
    return f"{local:%H:%M} on {local.day} {local:%B %Y} ({local:%Z})"


def ballot_not_open(contest: Contest, now: dt.datetime | None = None) -> str | None:
    """Why a voter cannot vote online now (``None`` while the ballot is open): when it
    opens, or that it has closed."""
    now = timezone.now() if now is None else now
    if contest.state in NOT_YET:
        if now < contest.ballot_opens_at:
            return f"Voting has not started: the ballot opens at {when(contest.ballot_opens_at)}."
        return "Voting has not started: the returning officer has not opened the ballot yet."
    if contest.state != ContestState.BALLOT_OPEN or now >= contest.ballot_closes_at:
        return (
            f"The ballot closed at {when(contest.ballot_closes_at)}; "
            "no more votes can be cast online."
        )
    return None
