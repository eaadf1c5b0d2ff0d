"""PostgreSQL's cost of the cast statement alone, with the tallies' triggers and without.

    .venv/bin/python bench/cast_statement.py --ballots 4000

Seeds a fresh database (one open contest, ``--ballots`` electors with codes), then sends
``balloting.casting``'s one-statement cast for each code from one connection, one after
another, in rounds that alternate between the triggers on the ballot and elector tables
enabled and disabled (``ALTER TABLE ... DISABLE TRIGGER USER``: the database is thrown
away, and the tallies are wrong after), so both are measured under the same load. Reports
per cast: the wall time of the round trip and the CPU of the PostgreSQL backend serving the
connection (Linux ``/proc``), and their ratio with/without. The ciphertext is random bytes:
the statement stores what ``services`` checked, it does not check it.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.cast import _cpu_of, fresh_database, production_settings, seed

TABLES = ("balloting_ballot", "electorate_elector")


def triggers(enabled: bool) -> None:
    """Enable or disable the user triggers (the tallies') on the cast's tables."""
    from django.db import connection

    word = "ENABLE" if enabled else "DISABLE"
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"ALTER TABLE {table} {word} TRIGGER USER")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/omov_bench_statement"
    )
    parser.add_argument("--ballots", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=8, help="alternating rounds in all")
    args = parser.parse_args()
    production_settings(args.database_url)
    fresh_database(args.database_url)
    contest, codes = seed(args.ballots)

    from django.db import connection

    from omov.web.balloting.casting import cast_in_one_statement, paper_read
    from omov.web.balloting.codes import code_digest

    paper = paper_read(contest, connection)
    assert paper is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = int(cursor.fetchone()[0])
    digests = [code_digest(code) for code in codes]
    per_round = len(digests) // args.rounds
    figures: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    for number in range(args.rounds):
        enabled = number % 2 == 0
        triggers(enabled)
        batch = digests[number * per_round : (number + 1) * per_round]
        cpu, wall = _cpu_of(backend), time.perf_counter()
        for digest in batch:
            receipt = cast_in_one_statement(
                contest_id=contest,
                digest=digest,
                ciphertext=os.urandom(160),
                paper=paper,
                on_paper=(),
                receipt=secrets.token_hex(8),
                db=connection,
            )
            if receipt is None:
                raise SystemExit("a cast wrote nothing")
        wall, cpu = time.perf_counter() - wall, _cpu_of(backend) - cpu
        figures[enabled].append((1000 * cpu / len(batch), 1000 * wall / len(batch)))
    triggers(True)
    load = os.getloadavg()[0]
    print(f"{per_round} casts a round, {args.rounds} rounds alternating; load {load:.1f}")
    for enabled, rows in figures.items():
        cpu = statistics.median(r[0] for r in rows)
        wall = statistics.median(r[1] for r in rows)
        print(
            f"triggers {'on ' if enabled else 'off'}: PostgreSQL CPU {cpu:.3f} ms/cast"
            f" (rounds {', '.join(f'{r[0]:.3f}' for r in rows)}), round trip {wall:.3f} ms"
        )
    on = statistics.median(r[0] for r in figures[True])
    off = statistics.median(r[0] for r in figures[False])
    print(f"ratio on/off (PostgreSQL CPU): {on / off:.2f}x, the triggers' share {on - off:.3f} ms")


if __name__ == "__main__":
    main()
