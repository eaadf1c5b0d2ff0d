"""Casting an online ballot on PostgreSQL in one statement (one round trip, one commit).

The statement does what ``services._store`` does in five queries inside a transaction:

1. lock the contest row ``FOR SHARE`` and keep it only if the ballot is open and not past
   its closing time by the database's clock (one clock for every app server). Closing the
   ballot takes the row ``FOR UPDATE``: a cast that meets the close waits for it, and
   PostgreSQL then re-checks the row's new version (``ballot_closed``), so the cast finds no
   contest and changes nothing;
2. check the election key and the ballot paper (the positions on it, in ballot order) are
   still those the server checked the ballot's proof with, or encrypted the ranking for
   (``Paper``, which each server process keeps per contest rather than read them before
   every cast), and every position the voter's form named (ranked or left blank) is on the
   paper, so the page needs no read of the paper of its own;
3. spend the credential, found by its digest's unique index (the digest sent, or the one
   the voter's session row keeps for this contest, read in the statement: then the cast
   needs no read of the session before it):
   ``UPDATE ... WHERE state = 'issued'`` and its elector is in this contest and has not
   voted (a code reissued to an elector who had voted) and 1. and 2. hold (so the contest
   is locked before the credential). Of simultaneous casts with one code, the first takes
   the row lock; the others wait, re-check ``state`` on the committed row (now ``used``)
   and update nothing;
4. set the elector's ``has_voted`` and insert the ballot (its ciphertext, already checked
   by ``services``) with the elector's section;
5. delete the voter's session (``session``, its key), which only held the code's digest
   for this cast: a round trip fewer than the session store's own ``DELETE`` after it.

Nothing is written unless all four hold: a ballot checked against a key or paper that has
changed since the process kept them is never stored (``services`` reads them again and
checks the ballot anew). The statement runs in autocommit, so it is its own
transaction, committed (with ``synchronous_commit`` as configured: on, by default) before
the result reaches the server. When it returns no receipt, ``services`` reads why (closed,
unknown candidate, used or unknown code) to give the voter the same message as the ORM path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connection, models
from django.db.backends.base.base import BaseDatabaseWrapper

from omov.web.balloting.models import Ballot, Channel, Credential, CredentialState
from omov.web.contests.models import Candidate, Contest, ContestState
from omov.web.db import default_database, prepared_cursor
from omov.web.electorate.models import Elector
from omov.web.sessions import TABLE as SESSIONS
from omov.web.trustees.models import ElectionKey


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
def _paper_positions() -> str:
    """The positions on a contest's ballot paper, in ballot order (``ballot_candidates``')."""
    return (
        f"ARRAY(SELECT position::integer FROM {_table(Candidate)}"
        " WHERE contest_id = %(contest)s AND on_ballot ORDER BY position)"
    )


@dataclass(frozen=True)
class Paper:
    """What a cast is checked and encrypted against: the contest's election key and the
    positions on its ballot paper in ballot order (a ranking's candidate indices)."""

    key: bytes
    positions: tuple[int, ...]


_kept: dict[int, Paper] = {}
KEEP = 1000
"""Contests whose paper a process keeps (a few bytes each): more than are open at once."""


def kept_paper(contest_id: int) -> Paper | None:
    """The contest's key and paper as this process kept them when it last read them."""
    return _kept.get(contest_id)


def paper_read(contest_id: int, db: BaseDatabaseWrapper) -> Paper | None:
    """The contest's key and paper (None if it has no key yet), read (one prepared statement)
    and kept. A cast sends them for the statement to check, so a kept paper that is no longer
    right writes nothing, and the caller reads it again. The key never changes once made, and
    the paper is fixed once the ballot is open: keeping them saves a read a cast."""
    with prepared_cursor(db) as cursor:
        cursor.execute(_paper_sql(), {"contest": contest_id})
        row = cursor.fetchone()
    if row is None:
        _kept.pop(contest_id, None)
        return None
    if len(_kept) >= KEEP:
        _kept.clear()
    paper = _kept[contest_id] = Paper(bytes(row[0]), tuple(row[1]))
    return paper


def papers_forget() -> None:
    """Forget every kept paper (tests reuse contest ids)."""
    _kept.clear()


@cache
def _paper_sql() -> str:
    key = _table(ElectionKey)
    return f"SELECT key, {_paper_positions()} FROM {key} WHERE contest_id = %(contest)s"


@cache
def _cast_sql(*, digest_in_session: bool) -> str:
    # The key and the ballot go in binary (%b): no hex to write here nor to read there.
    sessions = connection.ops.quote_name(SESSIONS)
    # The code's digest as sent, or as the voter's session row keeps it for this contest
    # (``omov.web.sessions``): none if the session was signed out, has expired or is
    # another contest's, and then no credential matches and nothing is written.
    digest = (
        f"(SELECT voter_digest FROM {sessions} WHERE session_key = %(session)s"
        " AND voter_contest_id = %(contest)s AND expire_date > statement_timestamp())"
        if digest_in_session
        else "%(digest)s"
    )
    return f"""
        WITH open_contest AS (
            SELECT id FROM {_table(Contest)}
            WHERE id = %(contest)s AND state = {_state(ContestState.BALLOT_OPEN)}
                AND ballot_closes_at > statement_timestamp() AND online_voting
            FOR SHARE
        ), paper AS (
            SELECT EXISTS (
                SELECT FROM {_table(ElectionKey)}
                WHERE contest_id = %(contest)s AND key = %(key)b
            ) AND {_paper_positions()} = %(paper)s::integer[]
                AND %(on_paper)s::integer[] <@ %(paper)s::integer[] AS known
        ), spent AS (
            UPDATE {_table(Credential)} AS credential SET state = {_state(CredentialState.USED)}
            WHERE credential.digest = {digest}
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
        ), signed_out AS (
            DELETE FROM {sessions}
            WHERE session_key = %(session)s AND EXISTS (SELECT FROM voted)
        )
        INSERT INTO {_table(Ballot)} (id, contest_id, ciphertext, section, channel, receipt)
        SELECT gen_random_uuid(), %(contest)s, %(ciphertext)b, voted.section,
            {_state(Channel.ONLINE)}, %(receipt)s
        FROM voted
        RETURNING receipt
    """


def cast_in_one_statement(
    *,
    contest_id: int,
    digest: str | None,
    ciphertext: bytes,
    paper: Paper,
    on_paper: Sequence[int],
    receipt: str,
    session: str = "",
    db: BaseDatabaseWrapper | None = None,
) -> str | None:
    """Cast; the receipt, or None when nothing was written (the caller finds out why).

    ``ciphertext``: the encrypted ballot, its proof already checked against ``paper``'s key
    (or the ranking encrypted for its positions), which must still be the contest's;
    ``on_paper``, the positions the voter's form named (none when the browser encrypted the
    ranking), all of which must be on the paper. ``session``: the voter's session key, its
    row deleted with the cast (and kept if nothing is written). ``digest`` None: the code's
    digest is the one the session's row keeps for this contest (``omov.web.sessions``).
    ``db``: the default database's connection, if the caller has it at hand. Must run
    outside any transaction (autocommit)."""
    if len(set(on_paper)) != len(on_paper):
        raise ValueError("on_paper must be distinct positions")
    db = db or default_database()
    if not db.get_autocommit():
        raise RuntimeError("cast_in_one_statement commits by itself: call it in autocommit")
    params: dict[str, Any] = {
        "contest": contest_id,
        "key": paper.key,
        "paper": _array_literal(paper.positions),
        "on_paper": _array_literal(on_paper),
        "ciphertext": ciphertext,
        "receipt": receipt,
        "session": session,
    }
    if digest is not None:
        params["digest"] = digest
    with prepared_cursor(db) as cursor:
        cursor.execute(_cast_sql(digest_in_session=digest is None), params)
        row = cursor.fetchone()
    return None if row is None else str(row[0])
