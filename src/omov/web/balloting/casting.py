"""Casting an online ballot on PostgreSQL in one statement (one round trip, one commit).

The statement does what ``services._store`` does in five queries inside a transaction:

1. lock the contest row ``FOR SHARE`` and keep it only if the ballot is open and not past
   its closing time by the database's clock (one clock for every app server). Closing the
   ballot takes the row ``FOR UPDATE``: a cast that meets the close waits for it, and
   PostgreSQL then re-checks the row's new version (``ballot_closed``), so the cast finds no
   contest and changes nothing;
2. check every position the voter's form named (ranked or left blank) is on this contest's
   ballot paper, so the page needs no read of the paper of its own;
3. spend the credential, found by its digest's unique index:
   ``UPDATE ... WHERE state = 'issued'`` and its elector is in this contest and has not
   voted (a code reissued to an elector who had voted) and 1. and 2. hold (so the contest
   is locked before the credential). Of simultaneous casts with one code, the first takes
   the row lock; the others wait, re-check ``state`` on the committed row (now ``used``)
   and update nothing;
4. set the elector's ``has_voted`` and insert the ballot (its ciphertext, already checked
   by ``services``) with the elector's section.

Nothing is written unless all four hold. The statement runs in autocommit, so it is its own
transaction, committed (with ``synchronous_commit`` as configured: on, by default) before
the result reaches the server. When it returns no receipt, ``services`` reads why (closed,
unknown candidate, used or unknown code) to give the voter the same message as the ORM path.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from django.db import connection, models
from django.db.backends.base.base import BaseDatabaseWrapper

from omov.web.balloting.models import Ballot, Channel, Credential, CredentialState
from omov.web.contests.models import Candidate, Contest, ContestState
from omov.web.db import default_database, prepared_cursor
from omov.web.electorate.models import Elector


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)  # type: ignore[attr-defined]


def _state(choice: models.TextChoices) -> str:
    """A state's value as an SQL literal: the states are fixed words, so they are written
    into the statement rather than sent (and converted) with every cast."""
    value = str(choice.value)
    if not value.replace("_", "").isalnum():
        raise ValueError(f"not a plain state value: {value!r}")
    return f"'{value}'"


def _array_literal(numbers: Sequence[int]) -> str:
    """``{1,2,3}``: PostgreSQL reads integers sent as this text faster than psycopg converts a
    Python list (~0.07 ms of CPU a cast)."""
    return "{" + ",".join(str(int(n)) for n in numbers) + "}"


@cache
def _cast_sql() -> str:
    return f"""
        WITH open_contest AS (
            SELECT id FROM {_table(Contest)}
            WHERE id = %(contest)s AND state = {_state(ContestState.BALLOT_OPEN)}
                AND ballot_closes_at > statement_timestamp() AND online_voting
            FOR SHARE
        ), paper AS (
            SELECT count(*) = %(named)s AS known FROM {_table(Candidate)}
            WHERE contest_id = %(contest)s AND on_ballot
                AND position = ANY(%(on_paper)s::integer[])
        ), spent AS (
            UPDATE {_table(Credential)} AS credential SET state = {_state(CredentialState.USED)}
            WHERE credential.digest = %(digest)s
                AND credential.state = {_state(CredentialState.ISSUED)}
                AND (
                    SELECT elector.contest_id FROM {_table(Elector)} AS elector
                    WHERE elector.id = credential.elector_id AND NOT elector.has_voted
                ) = %(contest)s
                AND (SELECT known FROM paper)
                AND EXISTS (SELECT FROM open_contest)
            RETURNING credential.elector_id
        ), voted AS (
            UPDATE {_table(Elector)} AS elector SET has_voted = TRUE
            FROM spent WHERE elector.id = spent.elector_id
            RETURNING elector.section
        )
        INSERT INTO {_table(Ballot)} (id, contest_id, ciphertext, section, channel, receipt)
        SELECT gen_random_uuid(), %(contest)s, %(ciphertext)s, voted.section,
            {_state(Channel.ONLINE)}, %(receipt)s
        FROM voted
        RETURNING receipt
    """


def cast_in_one_statement(
    *,
    contest_id: int,
    digest: str,
    ciphertext: bytes,
    on_paper: Sequence[int],
    receipt: str,
    db: BaseDatabaseWrapper | None = None,
) -> str | None:
    """Cast; the receipt, or None when nothing was written (the caller finds out why).

    ``ciphertext``: the encrypted ballot, its proof already checked; ``on_paper``, the
    positions the voter's form named (none when the browser encrypted the ranking), all of
    which must be on the paper. ``db``: the default database's connection, if the caller
    has it at hand. Must run outside any transaction (autocommit)."""
    if len(set(on_paper)) != len(on_paper):
        raise ValueError("on_paper must be distinct positions")
    db = db or default_database()
    if not db.get_autocommit():
        raise RuntimeError("cast_in_one_statement commits by itself: call it in autocommit")
    params: dict[str, Any] = {
        "contest": contest_id,
        "named": len(on_paper),
        "on_paper": _array_literal(on_paper),
        "digest": digest,
        "ciphertext": ciphertext,
        "receipt": receipt,
    }
    with prepared_cursor(db) as cursor:
        cursor.execute(_cast_sql(), params)
        row = cursor.fetchone()
    return None if row is None else str(row[0])
