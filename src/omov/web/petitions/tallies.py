"""The counters signing keeps, each changed by one upsert in the signing transaction.

A ``Tally`` row gains one per signature of its class, status and unit; a non-member's (no
unit) goes to one of ``SLOTS`` rows picked at random, so that a surge of signers does not
queue for one row's lock. A ``RangeHour`` row counts an address range's signatures in the
current clock hour and answers the new figure, which screening compares with the rules.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime

from django.db import connection

from omov.web.petitions.models import RangeHour, Tally

SLOTS = 8

_TALLY = Tally._meta.db_table
_RANGE = RangeHour._meta.db_table


def tally_add(petition_id: int, klass: str, status: str, unit_key: int, n: int = 1) -> None:
    """Add ``n`` (negative to take away) to the tally of (class, status, unit)."""
    slot = random.randrange(SLOTS) if unit_key == 0 else 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_TALLY} (petition_id, klass, status, unit_key, slot, signatures) "
            "VALUES (%s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (petition_id, status, klass, unit_key, slot) "
            f"DO UPDATE SET signatures = {_TALLY}.signatures + EXCLUDED.signatures",
            [petition_id, klass, status, unit_key, slot, n],
        )


def tallies_move(
    petition_id: int, moves: Iterable[tuple[str, int, int]], *, before: str, after: str
) -> None:
    """Move ``n`` signatures of each (class, unit, n) from status ``before`` to ``after``."""
    for klass, unit_key, n in moves:
        tally_add(petition_id, klass, before, unit_key, -n)
        tally_add(petition_id, klass, after, unit_key, n)


def range_hour_add(petition_id: int, address_range: str, at: datetime) -> int:
    """One more signature from ``address_range`` in ``at``'s hour: the hour's figure now."""
    hour = at.replace(minute=0, second=0, microsecond=0)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_RANGE} (petition_id, address_range, hour, signatures) "
            "VALUES (%s, %s, %s, 1) "
            "ON CONFLICT (petition_id, address_range, hour) "
            f"DO UPDATE SET signatures = {_RANGE}.signatures + 1 RETURNING signatures",
            [petition_id, address_range, connection.ops.adapt_datetimefield_value(hour)],
        )
        row = cursor.fetchone()
    return int(row[0])
