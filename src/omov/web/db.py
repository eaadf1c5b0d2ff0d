"""Prepared statements for the few queries every cast sends (PostgreSQL).

Django binds parameters client-side: the SQL goes to PostgreSQL with the values written in,
and PostgreSQL parses and plans it again on every run. ``prepared_cursor`` sends the values
apart from the SQL instead, so psycopg prepares a statement once per connection after
``prepare_threshold`` runs (see settings) and later runs skip parsing and planning. On other
databases it is Django's own cursor.
"""

from __future__ import annotations

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper


def default_database() -> BaseDatabaseWrapper:
    """This thread's connection to the default database. ``django.db.connection`` is a proxy
    that looks the connection up again on every attribute read (~2 µs each): code on the
    cast's path looks it up once with this and reads from what it returns."""
    return connections[DEFAULT_DB_ALIAS]


def prepared_cursor(db: BaseDatabaseWrapper | None = None) -> CursorWrapper:
    """A cursor on ``db`` (the default database) whose statements psycopg prepares; wrapped as
    Django wraps its own, so query logging and ``execute_wrapper`` still see them. Use
    ``%s``/``%(name)s`` placeholders."""
    db = db or default_database()
    if db.vendor != "postgresql":
        return db.cursor()
    db.ensure_connection()
    raw = psycopg.Cursor(db.connection)
    # django-stubs type these as taking Django's wrapper; they take the driver's cursor.
    if db.queries_logged:
        return db.make_debug_cursor(raw)  # type: ignore[arg-type]
    return db.make_cursor(raw)  # type: ignore[arg-type]
