"""The voting-code sign-in throttle: growing delays per client, tighter while a contest is flooded.

Codes are 60 random bits, so guessing one is hopeless; what a flood of wrong codes costs is the
database's time, and the officer should see it. The counts live in the database
(``CodeAttempts``), so every web server on one PostgreSQL shares them:

- a client (its network, ``omov.web.clients.client_key``) has ``free`` wrong codes in a
  contest; after the next each further one must wait twice as long as the last (1 s, 2 s,
  4 s, ... up to ``longest_wait``), and a held-back attempt is refused without reading the
  code, valid or not. An hour with no wrong code (``forget``) starts the client afresh;
- while a contest has seen more than ``flood`` wrong codes in a minute (``flood_window``,
  from many clients), each client has only ``free_under_flood``;
- a client that has typed no wrong code is never held back, so a flood never stops another
  voter's valid code, and a voter who mistypes twice signs in at the third try.

Reading the counts rides in the sign-in's one statement (``services.credential_check``);
only a wrong code or a held-back attempt writes. The numbers are settings
(``OMOV_THROTTLE_*``, ``limits``), checked at start-up (``balloting/checks.py``).

The workers' tick deletes every client's row an hour quiet (``attempts_forget``), adding its
held-back count to its contest's row, so the table holds only the last hour's clients and
the officer's counts stay whole.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import cache
from typing import cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F

from omov.web.balloting.models import CodeAttempts
from omov.web.db import prepared_cursor
from omov.web.errors import ContestError

WHOLE_CONTEST = ""


@dataclass(frozen=True)
class Limits:
    """The throttle's numbers (the ``OMOV_THROTTLE_*`` settings; seconds for times)."""

    free: int
    free_under_flood: int
    flood: int
    flood_window: float
    forget: float
    longest_wait: float


def limits() -> Limits:
    """The numbers in force (read each time, so a test's settings apply); their types were
    checked at start-up (``balloting/checks.py``)."""
    return Limits(
        free=cast("int", settings.OMOV_THROTTLE_FREE),
        free_under_flood=cast("int", settings.OMOV_THROTTLE_FREE_UNDER_FLOOD),
        flood=cast("int", settings.OMOV_THROTTLE_FLOOD),
        flood_window=cast("float", settings.OMOV_THROTTLE_FLOOD_SECONDS),
        forget=cast("float", settings.OMOV_THROTTLE_FORGET_SECONDS),
        longest_wait=cast("float", settings.OMOV_THROTTLE_LONGEST_WAIT_SECONDS),
    )


class SignInHeldError(ContestError):
    """Too many wrong codes from this client: it must wait ``seconds`` before the next try."""

    def __init__(self, seconds: float) -> None:
        self.seconds = max(1, math.ceil(seconds))
        unit = "second" if self.seconds == 1 else "seconds"
        super().__init__(
            f"too many wrong codes from your connection: wait {self.seconds} {unit} and try again"
        )


def clock() -> float:
    """Now, in seconds since the epoch (a function, so that a test can stop the clock)."""
    return time.time()


@dataclass(frozen=True)
class Attempts:
    """The counts the sign-in read: the client's run and the contest's window (0 if none)."""

    failures: int = 0
    last_failure: float = 0.0
    contest_failures: int = 0
    contest_since: float = 0.0


def wait(attempts: Attempts, now: float) -> float:
    """Seconds this client must still wait before its next attempt (0: it may try now)."""
    rules = limits()
    if now - attempts.last_failure >= rules.forget:
        return 0.0
    flooded = (
        attempts.contest_failures > rules.flood
        and now - attempts.contest_since < rules.flood_window
    )
    free = rules.free_under_flood if flooded else rules.free
    if attempts.failures <= free:
        return 0.0
    # The exponent is capped first: 2.0 ** a huge run of failures would overflow.
    delay = min(2.0 ** min(attempts.failures - free - 1, 64), rules.longest_wait)
    return max(0.0, attempts.last_failure + delay - now)


def attempts_columns(table_alias: str, contest_alias: str) -> str:
    """The select list's part that reads the counts (see ``attempts_joins``)."""
    return (
        f"{table_alias}.failures, {table_alias}.last_failure,"
        f" {contest_alias}.failures, {contest_alias}.since"
    )


def attempts_joins(table_alias: str, contest_alias: str) -> str:
    """Joins that read this client's and this contest's rows; parameters: contest, client,
    contest."""
    table = _table()
    return (
        f" LEFT JOIN {table} AS {table_alias}"
        f" ON {table_alias}.contest_id = %s AND {table_alias}.client = %s"
        f" LEFT JOIN {table} AS {contest_alias}"
        f" ON {contest_alias}.contest_id = %s AND {contest_alias}.client = ''"
    )


def attempts_from_row(row: tuple[object, ...]) -> Attempts:
    """The counts from the four columns ``attempts_columns`` selected (NULL: no row yet)."""
    failures, last, contest_failures, contest_since = row
    return Attempts(
        int(failures or 0),  # type: ignore[call-overload]
        float(last or 0.0),  # type: ignore[arg-type]
        int(contest_failures or 0),  # type: ignore[call-overload]
        float(contest_since or 0.0),  # type: ignore[arg-type]
    )


def wrong_code_record(*, contest_id: int, client: str, now: float) -> None:
    """Count a wrong code against the client (its run restarts after ``forget`` quiet) and
    the contest (its window restarts after ``flood_window``)."""
    rules = limits()
    with prepared_cursor() as cursor:
        forget = now - rules.forget
        cursor.execute(_upsert_sql(), [contest_id, client, now, now, forget, forget])
        window = now - rules.flood_window
        cursor.execute(
            _upsert_sql(by_window=True), [contest_id, WHOLE_CONTEST, now, now, window, window]
        )


def held_record(*, contest_id: int, client: str) -> None:
    """Count an attempt refused unread (for the officer's count)."""
    with prepared_cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table()} SET held = held + 1 WHERE contest_id = %s AND client = %s",
            [contest_id, client],
        )


@cache
def _table() -> str:
    return connection.ops.quote_name(CodeAttempts._meta.db_table)


@cache
def _upsert_sql(*, by_window: bool = False) -> str:
    """Insert the row, or add one to its run, restarting the run when the row's last wrong
    code (a client's) or its window's start (the contest's) is older than the cut-off."""
    table = _table()
    stale = f"{table}.since < %s" if by_window else f"{table}.last_failure < %s"
    return (
        f"INSERT INTO {table} (contest_id, client, failures, since, last_failure, wrong, held)"
        " VALUES (%s, %s, 1, %s, %s, 1, 0)"
        " ON CONFLICT (contest_id, client) DO UPDATE SET"
        f" failures = CASE WHEN {stale} THEN 1 ELSE {table}.failures + 1 END,"
        f" since = CASE WHEN {stale} THEN excluded.since ELSE {table}.since END,"
        f" last_failure = excluded.last_failure, wrong = {table}.wrong + 1"
    )


def attempts_read(*, contest_id: int, client: str) -> Attempts:
    """The counts for ``client`` in a contest, read on their own (the member's status page,
    which shares the sign-in's counts: a wrong code there is a wrong code here)."""
    rows = {
        row.client: row
        for row in CodeAttempts.objects.filter(
            contest_id=contest_id, client__in=(client, WHOLE_CONTEST)
        )
    }
    mine, everyone = rows.get(client), rows.get(WHOLE_CONTEST)
    return Attempts(
        mine.failures if mine else 0,
        mine.last_failure if mine else 0.0,
        everyone.failures if everyone else 0,
        everyone.since if everyone else 0.0,
    )


def attempt_check(*, contest_id: int, client: str, now: float) -> None:
    """Refuse (``SignInHeldError``) a client that must still wait, counting the refusal."""
    held_back = wait(attempts_read(contest_id=contest_id, client=client), now)
    if held_back > 0:
        held_record(contest_id=contest_id, client=client)
        raise SignInHeldError(held_back)


def attempts_forget(now: float) -> int:
    """Delete the clients' rows with no wrong code for ``forget`` (the throttle starts them
    afresh anyway), first adding their held-back tries to their contest's row, which stays:
    it keeps the contest's totals for the officer (``selectors.code_refusals``). How many
    rows went."""
    quiet = CodeAttempts.objects.filter(last_failure__lt=now - limits().forget).exclude(
        client=WHOLE_CONTEST
    )
    with transaction.atomic():
        # Locked first: a client typing again meanwhile waits for the delete, then starts
        # afresh, as an hour's quiet would have it start anyway.
        rows = list(quiet.select_for_update().values_list("pk", "contest_id", "held"))
        held: dict[int, int] = {}
        for _, contest_id, count in rows:
            held[contest_id] = held.get(contest_id, 0) + count
        for contest_id, count in held.items():
            if count:
                CodeAttempts.objects.filter(contest_id=contest_id, client=WHOLE_CONTEST).update(
                    held=F("held") + count
                )
        CodeAttempts.objects.filter(pk__in=[pk for pk, _, _ in rows]).delete()
    return len(rows)
