"""Issue 17's attacks, rerun on PostgreSQL after the close: each links no voter to a ranking.

The attacker reads everything the server's database holds (its data files through
``pageinspect``, every row's transaction id) and the published bundle. Before issue 17,
the ballot table's file linked 291 of 300 voters to their ranking through the casting
transaction's ``xmin``, checkpoint heads put every voter in a batch of one, and the
bundle's heads gave away the casting order. Now the ballot rows hold ciphertexts only,
checkpoints cover at least the rulebook's minimum, and the rankings exist only as papers
decrypted after two mixes, in one transaction of their own. The write-ahead log, read with
PostgreSQL's pg_waldump, links each voter to a ciphertext and nothing more.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

from omov.secrecy.encoding import encode
from omov.web.balloting.models import Ballot, Credential
from omov.web.balloting.services import ballot_cast, ballot_close
from omov.web.trust.models import BallotLeaf, LogName
from omov.web.trust.services import checkpoint_sign, signed_heads
from omov.web.trustees.models import DecryptedPaper

from .conftest import OpenBallot, ballot_ready

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _distinct_rankings() -> list[list[int]]:
    """The 15 rankings of three candidates (3 of one, 6 of two, 6 of three), all distinct, so
    an attacker who found a ranking would know exactly whose it was."""
    found: list[list[int]] = []
    for k in (1, 2, 3):
        for p in itertools.permutations((1, 2, 3), k):
            found.append(list(p))
    return found


def _xmin(table: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id::text, xmin::text::bigint FROM {table}")
        return {str(row[0]): int(row[1]) for row in cursor.fetchall()}


def _relation_bytes(table: str) -> bytes:
    """Every page of the table's data file, live and dead tuples alike, as the file holds it."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        cursor.execute(f"SELECT pg_relation_size('{table}') / current_setting('block_size')::int")
        pages = int(cursor.fetchone()[0])
        blobs = []
        for page in range(pages):
            cursor.execute(f"SELECT get_raw_page('{table}', {page})")
            blobs.append(bytes(cursor.fetchone()[0]))
    return b"".join(blobs)


@pytest.fixture
def voted() -> tuple[OpenBallot, list[list[int]], list[str]]:
    """15 voters, each a different ranking, cast one by one (each its own transaction, the
    one-statement path), a checkpoint asked for after every ballot; closed, mixed, decrypted."""
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://..."
    ready = ballot_ready(per_section=5)
    rankings = _distinct_rankings()
    trackers = []
    for code, ranking in zip(ready.codes.values(), rankings, strict=True):
        trackers.append(ballot_cast(contest=ready.contest, code=code, ranking=ranking))
        checkpoint_sign(contest=ready.contest)  # the officer's button, pressed every time
    ballot_close(contest=ready.contest, reason="the test closes it early")
    ready.mix_and_decrypt()
    return ready, rankings, trackers


def test_the_ballot_tables_file_holds_no_ranking_of_any_voter(
    voted: tuple[OpenBallot, list[list[int]], list[str]],
) -> None:
    ready, rankings, _ = voted
    raw = _relation_bytes(Ballot._meta.db_table)
    index = {c.position: i for i, c in enumerate(ready.candidates)}
    plaintexts = [encode(tuple(index[p] for p in r), len(index)) for r in rankings]
    # The attack of issue 17 read each ranking out of the row its voter's transaction wrote;
    # no plaintext, in the element the ciphertext hides or as the JSON once stored, is there.
    assert not [m for m in plaintexts if m in raw]
    assert b'"ranking"' not in raw
    assert not [r for r in rankings if json.dumps(r).encode() in raw]
    # What the file does hold: each ballot's ciphertext, which is all a voter links to.
    stored = [bytes(c) for c in Ballot.objects.values_list("ciphertext", flat=True)]
    assert len(stored) == 15
    assert all(c in raw for c in stored)


def test_transaction_ids_link_no_credential_or_head_to_a_ranking(
    voted: tuple[OpenBallot, list[list[int]], list[str]],
) -> None:
    ready, _, _ = voted
    credentials = set(_xmin(Credential._meta.db_table).values())
    papers = _xmin(DecryptedPaper._meta.db_table)
    assert len(papers) == 15
    # Every paper was written by the one decrypting transaction: no paper's xmin is any
    # voter's casting transaction, and the papers' xmins cannot tell one paper from another.
    assert len(set(papers.values())) == 1
    assert not set(papers.values()) & credentials
    # Fifteen presses of the checkpoint button signed no head over fewer ballots than the
    # rulebook's minimum (100): the ballot log's heads are the open's and the close's only.
    heads = signed_heads(ready.contest, LogName.BALLOTS)
    assert [h.head.checkpoint for h in heads] == ["ballot-opened", "ballot-closed"]
    assert [h.size for h in heads] == [0, 15]
    # And the ballot log's leaves hold ciphertexts, not rankings.
    leaves = [json.loads(d) for d in BallotLeaf.objects.values_list("data", flat=True)]
    assert all(set(leaf) == {"ballot", "section", "ciphertext"} for leaf in leaves)


def test_the_published_board_gives_no_casting_order(
    voted: tuple[OpenBallot, list[list[int]], list[str]],
) -> None:
    _, rankings, trackers = voted
    papers = list(DecryptedPaper.objects.order_by("id").values_list("ranking", flat=True))
    assert sorted(map(tuple, papers)) == sorted(map(tuple, rankings))  # every ranking counted
    # The board lists the papers by a random id drawn at decryption: their order is the
    # cast order only by chance (1 in 15!), and the trackers are listed apart, sorted.
    assert papers != rankings
    board_trackers = sorted(Ballot.objects.values_list("receipt", flat=True))
    assert board_trackers == sorted(trackers)


def _wal_lsn() -> str:
    """Where the WAL on disk ends (every committed transaction is there)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_flush_lsn()::text")
        return str(cursor.fetchone()[0])


def _pg_waldump() -> str | None:
    """Debian's pg_waldump of the server's major version (the WAL format is per version)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version_num')::int / 10000")
        major = int(cursor.fetchone()[0])
    found = Path(f"/usr/lib/postgresql/{major}/bin/pg_waldump")
    return str(found) if found.is_file() else shutil.which("pg_waldump")


@contextmanager
def _wal_kept() -> Iterator[None]:
    """The server keeps every WAL segment from here on until the block ends, by a temporary
    replication slot of this session's own name (two test processes may run this at once).
    Without it a checkpoint (every few minutes, or sooner while other databases of the server
    write a lot) recycles the segments before its redo point, the test's first among them."""
    slot = f"omov_test_wal_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_create_physical_replication_slot(%s, true, true)", [slot])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_drop_replication_slot(%s)", [slot])


def _wal_segments(start: str, end: str, into: Path) -> None:
    """Copy the WAL segments from ``start`` to ``end`` as the server holds them, through
    SQL (a superuser reads its own pg_wal), into ``into``: what a backup or a replica has."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_walfile_name(%s::pg_lsn), pg_walfile_name(%s::pg_lsn)", [start, end]
        )
        first, last = cursor.fetchone()
        cursor.execute(
            "SELECT name FROM pg_ls_waldir() WHERE name BETWEEN %s AND %s", [first, last]
        )
        names = sorted(row[0] for row in cursor.fetchall())
        assert names[0] == first, "the WAL since the test began was recycled"
        assert names[-1] == last
        for name in names:
            cursor.execute("SELECT pg_read_binary_file(%s)", [f"pg_wal/{name}"])
            (into / name).write_bytes(bytes(cursor.fetchone()[0]))


def _relation(table: str) -> str:
    """The table's file as WAL records name it: database and file node (the cluster's WAL
    holds every database's records)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.oid, pg_relation_filenode(%s) FROM pg_database d "
            "WHERE d.datname = current_database()",
            [table],
        )
        database, node = cursor.fetchone()
        return f"{database}/{node}"


RECORD = re.compile(r"\btx:\s+(\d+),")
RELATION = re.compile(r"\brel \d+/(\d+/\d+)")


def test_the_write_ahead_log_links_no_voter_to_a_ranking(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """The attack on the write-ahead log (and so on every base backup and replica): read
    every record written from the first ballot to the decryption, with the server's own
    pg_waldump, and join them by transaction id."""
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://..."
    waldump = _pg_waldump()
    if waldump is None:
        pytest.skip("no pg_waldump of the server's version (Debian's postgresql package)")
    with _wal_kept():
        start = _wal_lsn()
        ready, rankings, _ = request.getfixturevalue("voted")
        end = _wal_lsn()
        _wal_segments(start, end, tmp_path)
    raw = b"".join(p.read_bytes() for p in sorted(tmp_path.iterdir()))
    index = {c.position: i for i, c in enumerate(ready.candidates)}
    plaintexts = [encode(tuple(index[p] for p in r), len(index)) for r in rankings]
    assert not [m for m in plaintexts if m in raw]  # no ranking as the ciphertexts hide it
    stored = [bytes(c) for c in Ballot.objects.values_list("ciphertext", flat=True)]
    assert all(c in raw for c in stored)  # the WAL does hold every ciphertext

    dump = subprocess.run(
        [waldump, "-p", str(tmp_path), "-s", start, "-e", end],
        capture_output=True,
        text=True,
        check=False,
    )
    assert dump.returncode == 0, dump.stderr
    touched: dict[str, set[int]] = {}  # relation file -> transactions that wrote to it
    for line in dump.stdout.splitlines():
        record = RECORD.search(line)
        if record is None or record.group(1) == "0":
            continue
        for relation in RELATION.findall(line):
            touched.setdefault(relation, set()).add(int(record.group(1)))
    credentials = touched[_relation(Credential._meta.db_table)]
    ballots = touched[_relation(Ballot._meta.db_table)]
    papers = touched[_relation(DecryptedPaper._meta.db_table)]
    # What the WAL links: each voter's credential to their ballot's ciphertext (the cast is
    # one transaction) -- and to nothing more. The papers were written by one transaction
    # that touched no ballot and no credential, so no paper is any voter's.
    assert len(credentials & ballots) >= len(rankings)
    assert len(papers) == 1
    assert not papers & (credentials | ballots)
