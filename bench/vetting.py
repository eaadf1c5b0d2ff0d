"""Bulk vetting at scale (issue 15): a CSV of exclusions on a large contest, proposed by one
officer and confirmed by a second, against the log it lands in.

A fresh PostgreSQL database gets one contest with ``--electors`` eligible members. Each
batch is imported from CSV (``exclusions_import``: every row checked before any is applied)
and confirmed by a second officer (``exclusions_confirm``: the electorate re-decided once,
one log entry a decision). Printed, in order:

1. the time per decision of ``--repeat`` batches of ``--block`` decisions made when the log
   holds ``--block`` decisions (1,000 by default);
2. one batch of ``--decisions`` (10,000), its total time and log entries per decision (the
   goal: 30 s on 2 cores for 10,000 on 500,000 electors);
3. batches of ``--fill`` decisions until ``--logged`` (100,000) are logged, then the time per
   decision of ``--repeat`` batches of ``--block`` again, and the ratio of the two
   (1.00x: the cost does not grow with the log).

Each figure is given as wall time and as CPU time (this process plus its PostgreSQL backend,
read from /proc), which a loaded machine disturbs less. With 500,000 electors, 100,000
decisions exclude 20% of them. ``--unrelated N`` first fills the log with N entries that are
not vetting decisions: a long log with few exclusions, to tell growth with the log from
growth with the exclusions.

    .venv/bin/python bench/vetting.py --electors 500000 --decisions 10000 --logged 100000
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cast import fresh_database, production_settings, seed_electorate


@dataclass(frozen=True)
class Batch:
    decisions: int
    wall: float
    cpu: float
    """Seconds of CPU: this process and its database backend."""
    entries: int
    """Log entries the batch added."""

    def per_decision(self) -> tuple[float, float]:
        """Wall and CPU milliseconds a decision."""
        return self.wall / self.decisions * 1000, self.cpu / self.decisions * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/omov_bench_vetting"
    )
    parser.add_argument("--electors", type=int, default=500_000)
    parser.add_argument("--decisions", type=int, default=10_000)
    parser.add_argument("--block", type=int, default=1000, help="decisions a measured batch")
    parser.add_argument("--repeat", type=int, default=2, help="measured batches at each size")
    parser.add_argument("--fill", type=int, default=10_000, help="decisions a filling batch")
    parser.add_argument("--logged", type=int, default=100_000, help="decisions logged by the end")
    parser.add_argument("--unrelated", type=int, default=0, help="other log entries first")
    args = parser.parse_args()
    production_settings(args.database_url)
    fresh_database(args.database_url)
    print(f"load average before: {_load()}")
    started = time.perf_counter()
    contest_id = int(seed_electorate(args.electors).pk)
    print(f"seeded {args.electors:,} electors in {time.perf_counter() - started:.1f} s")
    run = Run(contest_id, args.unrelated)
    run.batch(args.block)
    early = run.measured(args.block, args.repeat)
    big = run.batch(args.decisions)
    print(
        f"{big.decisions:,} decisions on {args.electors:,} electors: {big.wall:.1f} s wall, "
        f"{big.cpu:.1f} s CPU; {big.entries / big.decisions:.2f} log entries a decision"
        f" (load average {_load()})"
    )
    while run.logged < args.logged:
        filled = run.batch(min(args.fill, args.logged - run.logged))
        print(f"  filled to {run.logged:,} decisions logged ({filled.wall:.1f} s)")
    late = run.measured(args.block, args.repeat)
    (early_wall, early_cpu), (late_wall, late_cpu) = early, late
    print(
        f"time a decision, at {run.first_measured:,} / {run.last_measured:,} decisions logged:"
        f" wall {early_wall:.2f} / {late_wall:.2f} ms ({late_wall / early_wall:.2f}x),"
        f" CPU {early_cpu:.2f} / {late_cpu:.2f} ms ({late_cpu / early_cpu:.2f}x)"
    )
    print(f"load average after: {_load()}")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


class Run:
    """The contest being vetted, its two officers, and how many decisions are logged."""

    def __init__(self, contest_id: int, unrelated: int) -> None:
        from django.contrib.auth import get_user_model

        from omov.web.contests.models import Contest

        users = get_user_model().objects
        self.contest = Contest.objects.get(pk=contest_id)
        self.vetter, self.second = users.create_user("vetter"), users.create_user("second")
        self.logged = 0
        self.first_measured = self.last_measured = 0
        if unrelated:
            self._unrelated(unrelated)

    def _unrelated(self, count: int) -> None:
        from omov.web.audit.services import events_record

        for start in range(0, count, 10_000):
            note = ("bench.note", {"n": start})
            events_record(stream=self.contest.stream, events=[note] * min(10_000, count - start))
        print(f"the log holds {count:,} entries that are not vetting decisions")

    def measured(self, size: int, repeat: int) -> tuple[float, float]:
        """The lowest wall and CPU milliseconds a decision over ``repeat`` batches."""
        self.first_measured = self.first_measured or self.logged
        self.last_measured = self.logged
        batches = [self.batch(size) for _ in range(repeat)]
        for batch in batches:
            wall, cpu = batch.per_decision()
            print(f"  {size:,} decisions: {wall:.2f} ms wall, {cpu:.2f} ms CPU a decision")
        print(f"  (at {self.last_measured:,} decisions logged; load average {_load()})")
        return min(b.per_decision()[0] for b in batches), min(b.per_decision()[1] for b in batches)

    def batch(self, size: int) -> Batch:
        from omov.web.electorate.models import Elector
        from omov.web.electorate.vetting import exclusions_confirm, exclusions_import
        from omov.web.trust.models import LogEntry

        references = (
            Elector.objects.filter(contest=self.contest, eligibility="eligible")
            .order_by("reference")
            .values_list("reference", flat=True)[:size]
        )
        text = "section,reference,ground,note\n" + "".join(
            f"members,{reference},aims-and-values,bench\n" for reference in references
        )
        entries = LogEntry.objects.filter(contest=self.contest).count()
        cpu, wall = _cpu(), time.perf_counter()
        exclusions_import(contest=self.contest, text=text, actor=self.vetter)
        confirmed = exclusions_confirm(
            contest=self.contest, proposed_by=self.vetter, actor=self.second
        )
        wall, cpu = time.perf_counter() - wall, _cpu() - cpu
        assert confirmed == size, (confirmed, size)
        self.logged += confirmed
        added = LogEntry.objects.filter(contest=self.contest).count() - entries
        return Batch(confirmed, wall, cpu, added)


def _cpu() -> float:
    """CPU seconds of this process and of its PostgreSQL backend (same machine)."""
    return time.process_time() + _backend_cpu()


def _backend_cpu() -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


if __name__ == "__main__":
    main()
