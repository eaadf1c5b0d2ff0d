"""Bulk vetting at scale: a CSV of exclusions on a large contest, proposed by one officer and
confirmed by a second, against the log it lands in.

A fresh PostgreSQL database gets one contest with ``--electors`` eligible members. Phase 1:
``--decisions`` exclusions are imported from CSV (``exclusions_import``: every row checked
before any is applied) and confirmed by a second officer (``exclusions_confirm``: the
electorate re-decided once, one log entry a decision). Printed: seconds for each step, log
entries added per decision. Phase 2: further batches of ``--block`` decisions, each imported
and confirmed, while the log grows towards ``--logged`` decisions; printed per batch: the
milliseconds per decision, and at the end the last batch's cost over the first (1.00x: the
cost does not grow with the log).

    .venv/bin/python bench/vetting.py --electors 500000 --decisions 10000 --logged 100000
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cast import fresh_database, production_settings, seed_electorate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/omov_bench_vetting"
    )
    parser.add_argument("--electors", type=int, default=500_000)
    parser.add_argument("--decisions", type=int, default=10_000)
    parser.add_argument("--block", type=int, default=1000)
    parser.add_argument("--logged", type=int, default=100_000, help="decisions logged by the end")
    parser.add_argument("--seconds", type=float, default=600, help="time limit of phase 2")
    args = parser.parse_args()
    production_settings(args.database_url)
    fresh_database(args.database_url)
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    started = time.perf_counter()
    contest_id = int(seed_electorate(args.electors).pk)
    print(f"seeded {args.electors:,} electors in {time.perf_counter() - started:.1f} s")
    officers = _officers()
    offset = _batch(contest_id, officers, 0, args.decisions, show=True)
    first = last = None
    phase = time.perf_counter()
    while offset + args.block <= min(args.logged, args.electors):
        if time.perf_counter() - phase > args.seconds:
            print(f"stopped at the {args.seconds:.0f} s limit")
            break
        took = _batch(contest_id, officers, offset, args.block, show=False) - offset
        assert took == args.block
        per = _LAST["seconds"] / args.block * 1000
        first = first if first is not None else per
        last = per
        offset += args.block
        print(f"  {offset:>8,} decisions logged: {per:.2f} ms a decision")
    if first and last:
        print(f"last batch over first: {last / first:.2f}x")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


_LAST: dict[str, float] = {}


def _officers() -> tuple[object, object]:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    return users.create_user("vetter"), users.create_user("second")


def _batch(
    contest_id: int, officers: tuple[object, object], offset: int, size: int, *, show: bool
) -> int:
    from omov.web.contests.models import Contest
    from omov.web.electorate.models import Elector
    from omov.web.electorate.vetting import exclusions_confirm, exclusions_import
    from omov.web.trust.models import LogEntry

    contest = Contest.objects.get(pk=contest_id)
    references = (
        Elector.objects.filter(contest=contest, eligibility="eligible")
        .order_by("reference")
        .values_list("reference", flat=True)[:size]
    )
    text = "section,reference,ground,note\n" + "".join(
        f"members,{reference},aims-and-values,bench\n" for reference in references
    )
    vetter, second = officers
    entries = LogEntry.objects.filter(contest=contest).count()
    started = time.perf_counter()
    made = exclusions_import(contest=contest, text=text, actor=vetter)  # type: ignore[arg-type]
    imported = time.perf_counter()
    confirmed = exclusions_confirm(contest=contest, proposed_by=vetter, actor=second)  # type: ignore[arg-type]
    done = time.perf_counter()
    _LAST["seconds"] = done - started
    added = LogEntry.objects.filter(contest=contest).count() - entries
    if show:
        print(
            f"{len(made):,} decisions: import {imported - started:.1f} s, "
            f"confirm {done - imported:.1f} s, total {done - started:.1f} s; "
            f"{added / max(confirmed, 1):.1f} log entries a decision"
            f" (load average {os.getloadavg()[0]:.2f})"
        )
    return offset + confirmed


if __name__ == "__main__":
    main()
