"""The session store: Django's database sessions, each step one plain statement.

Sessions live in the database (``django_session``) so that signing out ends them: a cookie
replayed after logout finds no row. Django's own ``db`` store reaches the table through the
ORM, and creates a session with a look-up for a free key, a savepoint, an insert and a
release; every voter signs in and casts, so this store sends one statement a step instead,
prepared on PostgreSQL (``omov/web/db.py``):

- load: ``SELECT`` the row if it has not expired (by PostgreSQL's clock there, as the cast's
  statement checks the ballot's closing time);
- create: ``INSERT`` under a new random key, ``ON CONFLICT DO NOTHING`` (a taken key, one
  chance in 2^165, draws another);
- save: ``UPDATE`` the row (a session deleted meanwhile, by logout in another tab, is not
  brought back: Django answers such a request with 400, as its own store does);
- delete: ``DELETE`` the row (after a cast, the cast's statement has deleted it:
  ``forget``).

A voter's session also keeps its contest and code's digest (``VOTER_KEY``) in two columns
of its row (``voter_contest_id``, ``voter_digest``: balloting 0009), written with the payload
by the same statement, so the cast's statement finds the digest itself (``casting``): a cast
sends one statement, with no read of the session before it. The row is still the only
place the digest is kept, deleted by the cast as before, and a session signed out, expired
or for another contest gives the cast no digest, so nothing is cast.

The payload is signed as Django signs it (``omov/web/signing.py``: the same bytes, each
salt's key derived once a process) but not compressed: zlib's set-up cost more than
anything else in signing a few dozen bytes, and an uncompressed payload's length tells
nothing about what it holds. Payloads Django compressed still load. The table and its
``clearsessions`` clean-up are Django's own.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import (
    VALID_KEY_CHARS,
    CreateError,
    SessionBase,
    UpdateError,
)
from django.core import signing
from django.utils import timezone
from django.utils.crypto import get_random_string

from omov.web import signing as signed
from omov.web.db import default_database, prepared_cursor

TABLE = "django_session"
VOTER_KEY = "omov-credential"
"""A voter's entry in the session: ``[contest id, code's digest]`` once signed in to vote."""
LOAD = f"SELECT session_data FROM {TABLE} WHERE session_key = %s AND expire_date > %s"
LOAD_BY_THE_DATABASES_CLOCK = (
    f"SELECT session_data FROM {TABLE}"
    " WHERE session_key = %s AND expire_date > statement_timestamp()"
)


def _moment(value: dt.datetime) -> Any:
    """A datetime as this database's driver takes it (text on SQLite)."""
    return default_database().ops.adapt_datetimefield_value(value)


class SessionStore(db.SessionStore):
    def encode(self, session_dict: dict[str, Any]) -> str:
        return signed.dumps(session_dict, salt=self.key_salt, serializer=self.serializer)

    def decode(self, session_data: bytes | str) -> dict[str, Any]:
        """As Django's ``decode``, the key each salt derives kept (``omov/web/signing.py``)."""
        if isinstance(session_data, bytes):
            return super().decode(session_data)
        try:
            decoded: dict[str, Any] = signed.loads(
                session_data, salt=self.key_salt, serializer=self.serializer
            )
        except signing.BadSignature:
            logging.getLogger("django.security.SuspiciousSession").warning("Session data corrupted")
        except Exception:  # as Django: a payload it cannot read is an empty session
            pass
        else:
            return decoded
        return {}

    def load(self) -> dict[str, Any]:
        data = None
        if self.session_key is not None:
            database = default_database()
            with prepared_cursor(database) as cursor:
                if database.vendor == "postgresql":  # its clock: no time to convert and send
                    cursor.execute(LOAD_BY_THE_DATABASES_CLOCK, [self.session_key])
                else:
                    cursor.execute(LOAD, [self.session_key, _moment(timezone.now())])
                row = cursor.fetchone()
            data = row[0] if row else None
        if data is None:
            self._session_key = None
            return {}
        return self.decode(data)

    def exists(self, session_key: str) -> bool:
        with prepared_cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {TABLE} WHERE session_key = %s", [session_key])
            return cursor.fetchone() is not None

    def create(self) -> None:
        while True:
            self._session_key = get_random_string(32, VALID_KEY_CHARS)
            try:
                self.save(must_create=True)
            except CreateError:
                continue
            self.modified = True
            return

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            self.create()
            return
        # As Django's store does: a new session is not loaded first (django-stubs omit this).
        session = self._get_session(no_load=must_create)  # type: ignore[attr-defined]
        data = self.encode(session)
        contest, digest = _voter(session)
        expires = _moment(self.get_expiry_date())
        with prepared_cursor() as cursor:
            if must_create:
                cursor.execute(
                    f"INSERT INTO {TABLE} (session_key, session_data, expire_date,"
                    " voter_contest_id, voter_digest)"
                    " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (session_key) DO NOTHING",
                    [self.session_key, data, expires, contest, digest],
                )
            else:
                cursor.execute(
                    f"UPDATE {TABLE} SET session_data = %s, expire_date = %s,"
                    " voter_contest_id = %s, voter_digest = %s WHERE session_key = %s",
                    [data, expires, contest, digest, self.session_key],
                )
            written = cursor.rowcount
        if written != 1:
            raise CreateError if must_create else UpdateError

    def delete(self, session_key: str | None = None) -> None:
        key = session_key if session_key is not None else self.session_key
        if key is None:
            return
        with prepared_cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE session_key = %s", [key])


def _voter(session: dict[str, Any]) -> tuple[int | None, str | None]:
    """The contest and digest a voter's session holds (``VOTER_KEY``), or ``(None, None)``."""
    held = session.get(VOTER_KEY)
    if isinstance(held, list) and len(held) == 2:
        contest, digest = held
        if isinstance(contest, int) and isinstance(digest, str):
            return contest, digest
    return None, None


def keeps_voter(session: SessionBase) -> bool:
    """Whether ``session`` is this store's, whose row keeps the voter's digest (another
    engine, such as signed cookies, has no row for the cast's statement to read)."""
    return isinstance(session, SessionStore)


def forget(session: SessionBase) -> None:
    """End ``session`` as ``flush`` does (no data, no key: the response drops the cookie), but
    without a ``DELETE``: the cast deleted its row in its own statement."""
    session.clear()
    session._session_key = None  # flush's own last step
