"""Prepared statements for the few queries every cast sends (PostgreSQL).

Django binds parameters client-side: the SQL goes to PostgreSQL with the values written in,
and PostgreSQL parses and plans it again on every run. ``prepared_cursor`` sends the values
apart from the SQL instead, so psycopg prepares a statement once per connection after
``prepare_threshold`` runs (see settings) and later runs skip parsing and planning. On other
databases it is Django's own cursor.
"""

from __future__ import annotations

import psycopg
from django.db import connection
from django.db.backends.utils import CursorWrapper


def prepared_cursor() -> CursorWrapper:
    """A cursor whose statements psycopg prepares; wrapped as Django wraps its own, so query
    logging and ``execute_wrapper`` still see them. Use ``%s``/``%(name)s`` placeholders."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    raw = psycopg.Cursor(connection.connection)
    # django-stubs type these as taking Django's wrapper; they take the driver's cursor.
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)  # type: ignore[arg-type]
    return connection.make_cursor(raw)  # type: ignore[arg-type]
