"""Vetting at scale: what one officer's decision costs as the contest's log grows.

Every vetting decision, appeal and reissued code is an event of the contest's stream and
so the next entry of its transparency log. Seeds a fresh PostgreSQL database with one
contest whose electorate is open for vetting (``--electors`` members), then excludes them
one at a time through ``elector_exclude`` (as the officer's button does), and prints the
milliseconds per decision for each block of ``--block`` decisions: flat if an append costs
the same at any log size, rising if it grows with the log. Bounded by ``--seconds``.

    .venv/bin/python bench/vetting.py --electors 5000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cast import fresh_database, production_settings


def seed(n: int) -> int:
    """A contest with ``n`` eligible members, its electorate open for vetting; its id."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from omov.web.contests import services as contests
    from omov.web.electorate.services import roll_import
    from omov.web.nominations.services import nomination_record, nominations_close

    call_command("migrate", verbosity=0)
    rulebook = contests.rulebook_load(
        organisation=contests.organisation_create(name="Bench Party"), key="labour/2016"
    )
    now = timezone.now()
    contest = contests.contest_open(
        rulebook=rulebook,
        title="Bench",
        nominating_body_size=5,
        freeze_date=dt.date(2016, 1, 12),
        ballot_opens_at=now + dt.timedelta(days=1),
        ballot_closes_at=now + dt.timedelta(days=2),
    )
    contests.candidate_add(contest=contest, name="Incumbent", incumbent=True)
    challenger = contests.candidate_add(contest=contest, name="Challenger")
    nomination_record(candidate=challenger, nominator="MP 1")
    nominations_close(contest=contest)
    header = "membership_number,email,date_of_birth,join_date,status,arrears"
    rows = [f"V{i:06d},,1970-01-01,2015-01-01,active,false" for i in range(n)]
    roll_import(contest=contest, section="members", data="\n".join([header, *rows]).encode())
    return int(contest.pk)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/omov_bench")
    parser.add_argument("--electors", type=int, default=5000)
    parser.add_argument("--block", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=300, help="time limit")
    args = parser.parse_args()
    production_settings(args.database_url)
    fresh_database(args.database_url)
    contest_id = seed(args.electors)

    from omov.web.electorate.models import Elector
    from omov.web.electorate.services import elector_exclude
    from omov.web.trust.models import LogEntry

    electors = list(Elector.objects.filter(contest_id=contest_id).order_by("pk"))
    print(f"{len(electors):,} electors; excluding them one at a time, {args.block} a block")
    deadline = time.monotonic() + args.seconds
    per_block = []
    for start in range(0, len(electors), args.block):
        block = electors[start : start + args.block]
        began = time.perf_counter()
        for elector in block:
            elector_exclude(elector=elector, grounds="bench")
        per_block.append((time.perf_counter() - began) / len(block))
        size = LogEntry.objects.filter(contest_id=contest_id).count()
        print(f"  log {size:7,} entries: {per_block[-1] * 1000:7.2f} ms a decision")
        if time.monotonic() > deadline:
            print(f"  (stopped at the {args.seconds:.0f} s limit)")
            break
    print(f"last block / first block: {per_block[-1] / per_block[0]:.2f}x (1.00x: flat)")


if __name__ == "__main__":
    os.environ.setdefault("OMOV_DATA_DIR", "var/bench")
    main()
