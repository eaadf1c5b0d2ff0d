"""Voting codes to ``--electors`` electors through a local SMTP relay by ``--workers``
``omov worker`` processes: seconds, letters/s, and the time 650,000 would take at that rate.

Seeds a fresh PostgreSQL database with one frozen contest (every elector with an email
address), runs an SMTP relay that accepts everything (aiosmtpd, in this process), starts
the workers, presses "send voting codes" as the officer's view does, and waits for the
mailing to be done. Everything shares the machine's cores: the report gives the CPU
seconds of the workers, of PostgreSQL (every database on the server, other users' too)
and of the relay, and the load average before and after. The goal (issue 21): 650,000
codes within 10 minutes with 2 workers.

    .venv/bin/python bench/issue.py --electors 20000

``--plan-only`` times the planning alone (one letter per elector, in batches, as the
mailing's first step does) and sends nothing:

    .venv/bin/python bench/issue.py --electors 100000 --plan-only
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cast import fresh_database, production_settings, seed_electorate

LABOUR_2016 = 650_000
TICKS = os.sysconf("SC_CLK_TCK")


class CountingRelay:
    """Accepts every message; counts them and their distinct Message-IDs."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages = 0
        self.ids: set[str] = set()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        header = envelope.content.split(b"\r\n\r\n", 1)[0]
        found = next(
            (line for line in header.split(b"\r\n") if line.lower().startswith(b"message-id:")),
            b"",
        )
        with self.lock:
            self.messages += len(envelope.rcpt_tos)
            self.ids.add(found.decode())
        return "250 Message accepted"


def cpu_ticks(pids: list[int]) -> dict[int, int]:
    """pid -> CPU ticks so far (user and system) of the processes still running."""
    ticks = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks[pid] = int(fields[11]) + int(fields[12])
    return ticks


def cpu_seconds_between(before: dict[int, int], after: dict[int, int]) -> float:
    """CPU seconds spent between two readings by the processes alive at the second
    (those started between count from zero; those that ended are missed)."""
    return sum(t - before.get(pid, 0) for pid, t in after.items()) / TICKS


def postgres_pids() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def start_workers(n: int, port: int, batch: int) -> list[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "OMOV_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OMOV_EMAIL_HOST": "127.0.0.1",
        "OMOV_EMAIL_PORT": str(port),
        "OMOV_MAIL_BATCH": str(batch),
        "OMOV_MAIL_WORKERS": str(n),
    }
    command = "from omov.cli import main; main()"
    return [
        subprocess.Popen([sys.executable, "-c", command, "worker", "--interval", "0.2"], env=env)
        for _ in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/omov_bench_issue"
    )
    parser.add_argument("--electors", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=500, help="letters a batch")
    parser.add_argument("--port", type=int, default=8825, help="the relay's port")
    parser.add_argument("--plan-only", action="store_true", help="time the planning alone")
    args = parser.parse_args()
    os.environ["OMOV_MAIL_BATCH"] = str(args.batch)
    os.environ["OMOV_MAIL_WORKERS"] = str(args.workers)
    production_settings(args.database_url)
    fresh_database(args.database_url)
    started = time.monotonic()
    contest = seed_electorate(args.electors)
    from aiosmtpd.controller import Controller
    from django.db import connection

    from omov.web.electorate.services import electorate_freeze
    from omov.web.jobs.models import Mailing, MailingState
    from omov.web.jobs.services import codes_mailing_start

    electorate_freeze(contest=contest)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE electorate_elector SET email = 'e' || id || '@example.org'")
    print(f"seeded {args.electors} electors in {time.monotonic() - started:.1f} s")
    if args.plan_only:
        plan_time(contest)
        return

    relay = CountingRelay()
    controller = Controller(relay, hostname="127.0.0.1", port=args.port)
    controller.start()
    workers = start_workers(args.workers, args.port, args.batch)
    time.sleep(3)  # the workers start (Django, then a first look at the queue)
    load_before = os.getloadavg()
    pids = [w.pid for w in workers]
    cpu_before = (cpu_ticks(pids), cpu_ticks(postgres_pids()), time.process_time())
    clock = time.monotonic()
    mailing = codes_mailing_start(contest=contest)
    try:
        while Mailing.objects.get(pk=mailing.pk).state != MailingState.DONE:
            time.sleep(0.2)
        seconds = time.monotonic() - clock
        cpu = [
            cpu_seconds_between(cpu_before[0], cpu_ticks(pids)),
            cpu_seconds_between(cpu_before[1], cpu_ticks(postgres_pids())),
            time.process_time() - cpu_before[2],
        ]
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(30)
        controller.stop()
    report(args, relay, seconds, cpu)
    print(f"load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}")


def plan_time(contest: Any) -> None:
    """Plan a codes mailing (its letters and batches) with no worker; print the time."""
    from omov.web.jobs.models import Mailing, MailingKind
    from omov.web.jobs.services import mailing_plan

    mailing = Mailing.objects.create(contest=contest, kind=MailingKind.CODES)
    clock = time.monotonic()
    mailing_plan(mailing_id=mailing.pk)
    seconds = time.monotonic() - clock
    letters, batches = mailing.letters.count(), mailing.batches.count()
    print(
        f"planned {letters} letters in {batches} batches in {seconds:.2f} s "
        f"({seconds / max(letters, 1) * 1e6:.1f} µs a letter; "
        f"650,000 in {seconds / max(letters, 1) * LABOUR_2016:.1f} s)"
    )


def report(
    args: argparse.Namespace, relay: CountingRelay, seconds: float, cpu: list[float]
) -> None:
    rate = args.electors / seconds
    print(
        f"{args.electors} codes by {args.workers} workers in {seconds:.1f} s: {rate:.0f} a second"
    )
    print(f"relay received {relay.messages} messages, {len(relay.ids)} distinct Message-IDs")
    workers, postgres, relay_cpu = cpu
    print(
        f"CPU seconds: workers {workers:.1f}, PostgreSQL {postgres:.1f} (all databases), "
        f"relay {relay_cpu:.1f}; on {os.cpu_count()} cores"
    )
    per_code = workers / args.electors * 1000
    print(
        f"CPU per code: workers {per_code:.2f} ms, PostgreSQL "
        f"{postgres / args.electors * 1000:.2f} ms, relay {relay_cpu / args.electors * 1000:.2f} ms"
    )
    alone = args.workers / per_code * 1000
    print(
        f"with a core per worker (database and relay on others): {alone:.0f} a second, "
        f"650,000 in {LABOUR_2016 / alone / 60:.1f} minutes"
    )
    minutes = LABOUR_2016 / rate / 60
    goal = "within" if minutes <= 10 else "over"
    print(f"650,000 codes at this rate: {minutes:.1f} minutes ({goal} the 10-minute goal)")


if __name__ == "__main__":
    main()
