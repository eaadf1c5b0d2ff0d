"""Reading contests."""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet

from omov.web.contests.models import Candidate, Contest, ContestState
from omov.web.db import prepared_cursor


def contest_list() -> QuerySet[Contest]:
    return Contest.objects.select_related("organisation").order_by("-pk")


PUBLIC_STATES = (ContestState.BALLOT_OPEN, ContestState.PUBLISHED)
"""What the home page lists: ballots open now and published results (a contest still being
set up, or a test one, is the officer's business until its ballot opens)."""


def public_contests() -> QuerySet[Contest]:
    return contest_list().filter(state__in=PUBLIC_STATES, archived=False)


def _on_paper(contest: Contest | int) -> QuerySet[Candidate]:
    contest_id = contest if isinstance(contest, int) else contest.pk
    return Candidate.objects.filter(contest_id=contest_id, on_ballot=True)


def ballot_candidates(*, contest: Contest | int) -> list[Candidate]:
    """The candidates on the ballot paper, in ballot order (``contest`` or its id)."""
    return list(_on_paper(contest).order_by("position"))


def ballot_positions(*, contest: Contest | int) -> set[int]:
    """The ballot positions of the candidates on the paper.

    Fixed once the ballot is open. Plain (portable) SQL, prepared on PostgreSQL, because
    every cast that is not one statement (SQLite, a refusal) reads them: the ORM spends
    ~0.5 ms of CPU building this query, four times what running it costs."""
    contest_id = contest if isinstance(contest, int) else contest.pk
    table = connection.ops.quote_name(Candidate._meta.db_table)
    with prepared_cursor() as cursor:
        cursor.execute(
            f"SELECT position FROM {table} WHERE contest_id = %s AND on_ballot", [contest_id]
        )
        return {position for (position,) in cursor.fetchall()}
