"""The transparency log at scale: what a vetting decision and a checkpoint cost as the logs grow.

(1) Every vetting decision, appeal and reissued code is an event of the contest's stream,
    and so the next entry of its log. A fresh PostgreSQL database gets one contest whose
    electorate is open for vetting (``--electors`` members); ``--exclusions`` of them are
    excluded one at a time through ``elector_exclude`` (as the officer's button does),
    printing the milliseconds per decision for each block of ``--block`` decisions.
(2) Then the ballot opens and ballots arrive in batches of ``--batch`` (written straight to
    the ballot table: how they were cast does not matter here), and after each batch a
    checkpoint (``checkpoint_sign``, as ``omov ledger checkpoint`` runs it) logs them and
    signs a head, holding the contest's lock, which casting waits for. Printed: the
    milliseconds per checkpoint as the ballot log grows to ``--ballots``.

Each phase ends with the ratio of its last block's cost to its first: 1.00x is flat (an
append costs the same at any log size), more means the cost grows with the log. Bounded by
``--seconds`` per phase.

    .venv/bin/python bench/log_growth.py
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cast import fresh_database, production_settings, seed_electorate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/omov_bench")
    parser.add_argument("--electors", type=int, default=6000)
    parser.add_argument("--exclusions", type=int, default=5000)
    parser.add_argument("--block", type=int, default=1000, help="decisions a block")
    parser.add_argument("--ballots", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=20_000, help="ballots between checkpoints")
    parser.add_argument("--seconds", type=float, default=300, help="time limit per phase")
    args = parser.parse_args()
    production_settings(args.database_url)
    fresh_database(args.database_url)
    contest_id = int(seed_electorate(args.electors).pk)
    vetting(contest_id, args.exclusions, args.block, args.seconds)
    checkpoints(contest_id, args.ballots, args.batch, args.seconds)


def vetting(contest_id: int, exclusions: int, block_size: int, seconds: float) -> None:
    from omov.web.electorate.models import Elector
    from omov.web.electorate.services import elector_exclude
    from omov.web.trust.models import LogEntry

    electors = list(Elector.objects.filter(contest_id=contest_id).order_by("pk")[:exclusions])
    print(f"(1) excluding {len(electors):,} electors one at a time, {block_size:,} a block")
    deadline, costs = time.monotonic() + seconds, []
    for start in range(0, len(electors), block_size):
        block = electors[start : start + block_size]
        began = time.perf_counter()
        for elector in block:
            elector_exclude(elector=elector, grounds="bench")
        costs.append((time.perf_counter() - began) / len(block))
        size = LogEntry.objects.filter(contest_id=contest_id).count()
        print(f"  contest log {size:9,} entries: {costs[-1] * 1000:8.2f} ms a decision")
        if time.monotonic() > deadline:
            print(f"  (stopped at the {seconds:.0f} s limit)")
            break
    print(f"  last block / first block: {costs[-1] / costs[0]:.2f}x (1.00x: flat)")


def checkpoints(contest_id: int, ballots: int, batch: int, seconds: float) -> None:
    from omov.web.contests.models import Contest, ContestState
    from omov.web.electorate.services import electorate_freeze
    from omov.web.trust.services import checkpoint_sign
    from omov.web.trustees.simulation import SimulatedTrustees

    contest = Contest.objects.get(pk=contest_id)
    electorate_freeze(contest=contest)
    SimulatedTrustees(contest).make_key()  # the ballot opens once the trustees made the key
    # Open by the state alone: ballot_open refuses before any code is issued, and this
    # bench sends (or needs) no codes; the guard is tested in tests/web/test_steps.py.
    Contest.objects.filter(pk=contest.pk).update(state=ContestState.BALLOT_OPEN)
    print(f"(2) {ballots:,} ballots in batches of {batch:,}, a checkpoint after each")
    deadline, costs, logged = time.monotonic() + seconds, [], 0
    rng = random.Random(2016)
    while logged < ballots and time.monotonic() < deadline:
        _arrive(contest, min(batch, ballots - logged), rng)
        began = time.perf_counter()
        head = checkpoint_sign(contest=contest)
        costs.append(time.perf_counter() - began)
        assert head is not None
        logged = head.size
        print(f"  ballot log {logged:9,} leaves: {costs[-1] * 1000:8.1f} ms a checkpoint")
    print(f"  last checkpoint / first: {costs[-1] / costs[0]:.2f}x (1.00x: flat)")


def _tracker(rng: random.Random) -> str:
    """A tracker as casting gives one (``ledger.board.new_tracker``), from ``rng``."""
    text = base64.b32encode(rng.randbytes(10)).decode()
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def _arrive(contest: Any, n: int, rng: random.Random) -> None:
    """``n`` ballots in the ballot table, as casting leaves them (random ids, no voter)."""
    from omov.web.balloting.models import Ballot, Channel

    sections = ("members", "registered-supporters", "affiliated-supporters")
    Ballot.objects.bulk_create(
        [
            Ballot(
                id=uuid.UUID(int=rng.getrandbits(128)),
                contest=contest,
                ciphertext=rng.randbytes(128),  # the log hashes the bytes, valid or not
                section=rng.choice(sections),
                channel=Channel.ONLINE,
                receipt=_tracker(rng),
            )
            for _ in range(n)
        ],
        batch_size=5000,
    )


if __name__ == "__main__":
    os.environ.setdefault("OMOV_DATA_DIR", "var/bench")
    main()
