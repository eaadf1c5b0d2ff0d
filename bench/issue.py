"""Voting codes to ``--electors`` electors through a local SMTP relay by ``--workers``
``omov worker`` processes: seconds, letters/s, and the time 650,000 would take at that rate.

Seeds a fresh PostgreSQL database with one frozen contest (every elector with an email
address), runs an SMTP relay that accepts everything, starts the workers, presses "send
voting codes" as the officer's view does, and waits for the mailing to be done.
Everything shares the machine's cores: the report gives the CPU seconds of the workers,
of PostgreSQL (the bench database's connections and the server's own processes, not
other databases' connections) and of the relay, and the load average before and after.
The goal (issue 21): 650,000 codes within 10 minutes with 2 workers, on one machine.

    .venv/bin/python bench/issue.py --electors 20000

The relay (``--sink``) is aiosmtpd in this process by default (Python: it costs about as
much CPU a message as a worker does), or Postfix's ``smtp-sink``, a C server made for
benchmarking SMTP clients, in its own process (advertises PIPELINING, as Postfix does).
``bench/smtp_sink.sh`` fetches it into var/smtp-sink/ from the Debian package without
installing Postfix; an installed Postfix's /usr/sbin/smtp-sink is used first:

    bench/smtp_sink.sh && .venv/bin/python bench/issue.py --electors 20000 --sink smtp-sink

smtp-sink counts the messages itself (``-c``) and dumps them (``-D``, to /dev/shm where
there is one) so that their Message-IDs are counted after the run; ``--no-dump`` leaves
the count to ``-c`` alone (a dump takes about 4 KB a message).

``--plan-only`` times the planning alone (one letter per elector, in batches, as the
mailing's first step does) and sends nothing:

    .venv/bin/python bench/issue.py --electors 100000 --plan-only
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cast import fresh_database, production_settings, seed_electorate

LABOUR_2016 = 650_000
TICKS = os.sysconf("SC_CLK_TCK")
ROOT = Path(__file__).resolve().parent.parent
FETCHED_SINK = ROOT / "var" / "smtp-sink" / "usr" / "sbin" / "smtp-sink"


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


class AiosmtpdRelay:
    """aiosmtpd in a thread of this process; its CPU is that thread's."""

    name = "aiosmtpd"

    def __init__(self, port: int) -> None:
        from aiosmtpd.controller import Controller

        self.counter = CountingRelay()
        self.controller = Controller(self.counter, hostname="127.0.0.1", port=port)

    def start(self) -> None:
        self.controller.start()

    def cpu(self) -> float:
        thread = self.controller._thread  # the thread that runs aiosmtpd's event loop
        assert thread is not None
        assert thread.native_id is not None
        stat = Path(f"/proc/self/task/{thread.native_id}/stat").read_text()
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def stop(self) -> None:
        self.controller.stop()

    def received(self) -> tuple[int, int | None]:
        return self.counter.messages, len(self.counter.ids)


class SmtpSinkRelay:
    """Postfix's smtp-sink in its own process: ``-c`` counts the messages; ``-D`` (unless
    ``dump`` is False) appends each to a file, read after the run for the Message-IDs."""

    name = "smtp-sink"

    def __init__(self, port: int, dump: bool) -> None:
        binary, env = smtp_sink_binary()
        shm = Path("/dev/shm")
        self.dir = Path(tempfile.mkdtemp(prefix="omov-sink-", dir=shm if shm.is_dir() else None))
        self.dir.chmod(0o777)  # written by the unprivileged user below, when run as root
        self.dump = self.dir / "dump" if dump else None
        self.command = [binary, "-c"]
        if os.geteuid() == 0:
            self.command += ["-u", "nobody"]  # smtp-sink refuses to run as root
        if self.dump is not None:
            self.command += ["-D", str(self.dump)]
        self.command += [f"127.0.0.1:{port}", "256"]
        self.env = env
        self.port = port

    def start(self) -> None:
        self.out = (self.dir / "counts").open("wb")
        self.process = subprocess.Popen(self.command, stdout=self.out, env=self.env)
        import socket

        deadline = time.monotonic() + 10
        while True:  # until it listens
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise SystemExit(f"smtp-sink did not start: {' '.join(self.command)}") from None
                time.sleep(0.05)

    def cpu(self) -> float:
        return sum(cpu_ticks([self.process.pid]).values()) / TICKS

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)
        self.out.close()

    def received(self) -> tuple[int, int | None]:
        """Messages (smtp-sink's own count), and distinct Message-IDs in its dump."""
        counts = (self.dir / "counts").read_bytes().replace(b"\r", b"\n").split()
        messages = max((int(c[5:]) for c in counts if c.startswith(b"mesg=")), default=0)
        ids: int | None = None
        if self.dump is not None:
            seen = set()
            with self.dump.open("rb") as dump:
                for line in dump:
                    if line[:11].lower() == b"message-id:":
                        seen.add(line)
            ids = len(seen)
        shutil.rmtree(self.dir, ignore_errors=True)
        return messages, ids


def smtp_sink_binary() -> tuple[str, dict[str, str]]:
    """Postfix's smtp-sink, installed or fetched by bench/smtp_sink.sh, and its environment
    (the fetched one finds Postfix's shared libraries beside it)."""
    for candidate in (shutil.which("smtp-sink"), "/usr/sbin/smtp-sink"):
        if candidate and Path(candidate).is_file():
            return candidate, dict(os.environ)
    if FETCHED_SINK.is_file():
        libraries = FETCHED_SINK.parent.parent / "lib" / "postfix"
        return str(FETCHED_SINK), {**os.environ, "LD_LIBRARY_PATH": str(libraries)}
    raise SystemExit("no smtp-sink: run bench/smtp_sink.sh (or install postfix) first")


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


class CpuWatch:
    """The CPU seconds of the processes ``find`` lists, from now: read at every
    ``sample`` (a process started since counts from zero; one that ended counts up to its
    last sample, as a worker's database connection closed when its job ends)."""

    def __init__(self, find: Callable[[], list[int]]) -> None:
        self.find = find
        self.start = cpu_ticks(find())
        self.last = dict(self.start)

    def sample(self) -> None:
        self.last.update(cpu_ticks(self.find()))

    def seconds(self) -> float:
        self.sample()
        return sum(t - self.start.get(pid, 0) for pid, t in self.last.items()) / TICKS


def postgres_pids(database: str) -> list[int]:
    """The PostgreSQL server's processes that work for the bench: the connections to its
    database and the server's own (WAL writer, checkpointer ...), not other databases'
    connections (other users' runs on a shared server)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() != "postgres":
                    continue
                words = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().split()
            except OSError:
                continue
            client = any("(" in word or word == "[local]" for word in words)
            if not client or database in words:
                found.append(int(entry.name))
    return found


def start_workers(
    n: int, port: int, batch: int, profile: Path | None = None
) -> list[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "OMOV_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OMOV_EMAIL_HOST": "127.0.0.1",
        "OMOV_EMAIL_PORT": str(port),
        "OMOV_MAIL_BATCH": str(batch),
        "OMOV_MAIL_WORKERS": str(n),
    }
    command = "from omov.cli import main; main()"
    if profile is not None:  # CPU time, written when the worker stops (SIGTERM)
        profile.mkdir(parents=True, exist_ok=True)
        command = (
            "import cProfile, sys, time\nfrom omov.cli import main\n"
            "out, profiler = sys.argv.pop(), cProfile.Profile(time.process_time)\n"
            "try:\n    profiler.runcall(main)\nfinally:\n    profiler.dump_stats(out)\n"
        )
    return [
        subprocess.Popen(
            [sys.executable, "-c", command, "worker", "--interval", "0.2"]
            + ([str(profile / f"worker-{i}.prof")] if profile is not None else []),
            env=env,
        )
        for i in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/omov_bench_issue"
    )
    parser.add_argument("--electors", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=500, help="letters a batch")
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("OMOV_BENCH_PORT", "8825")),
        help="the relay's port (default: $OMOV_BENCH_PORT, else 8825)",
    )
    parser.add_argument(
        "--sink",
        choices=("aiosmtpd", "smtp-sink"),
        default="aiosmtpd",
        help="the SMTP relay: aiosmtpd in this process, or Postfix's smtp-sink (C)",
    )
    parser.add_argument(
        "--no-dump",
        action="store_true",
        help="smtp-sink: count messages with its -c alone (no dump, no Message-ID count)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="run the workers under cProfile, each writing DIR/worker-N.prof (slower)",
    )
    parser.add_argument("--plan-only", action="store_true", help="time the planning alone")
    args = parser.parse_args()
    os.environ["OMOV_MAIL_BATCH"] = str(args.batch)
    os.environ["OMOV_MAIL_WORKERS"] = str(args.workers)
    production_settings(args.database_url)
    fresh_database(args.database_url)
    started = time.monotonic()
    contest = seed_electorate(args.electors)
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

    relay: AiosmtpdRelay | SmtpSinkRelay = (
        SmtpSinkRelay(args.port, dump=not args.no_dump)
        if args.sink == "smtp-sink"
        else AiosmtpdRelay(args.port)
    )
    relay.start()
    workers = start_workers(args.workers, args.port, args.batch, args.profile)
    time.sleep(3)  # the workers start (Django, then a first look at the queue)
    load_before = os.getloadavg()
    pids = [w.pid for w in workers]
    database = urllib.parse.urlparse(args.database_url).path.lstrip("/")
    watches = [CpuWatch(lambda: pids), CpuWatch(lambda: postgres_pids(database))]
    relay_before = relay.cpu()
    clock = time.monotonic()
    mailing = codes_mailing_start(contest=contest)
    try:
        while Mailing.objects.get(pk=mailing.pk).state != MailingState.DONE:
            time.sleep(0.2)
            for watch in watches:
                watch.sample()
        seconds = time.monotonic() - clock
        cpu = [watch.seconds() for watch in watches] + [relay.cpu() - relay_before]
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(30)
        relay.stop()
    report(args, relay.name, relay.received(), seconds, cpu)
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
    args: argparse.Namespace,
    relay: str,
    received: tuple[int, int | None],
    seconds: float,
    cpu: list[float],
) -> None:
    rate = args.electors / seconds
    print(
        f"{args.electors} codes by {args.workers} workers in {seconds:.1f} s: {rate:.0f} a second"
    )
    messages, ids = received
    distinct = "not counted (no dump)" if ids is None else f"{ids} distinct Message-IDs"
    print(f"relay ({relay}) received {messages} messages, {distinct}")
    workers, postgres, relay_cpu = cpu
    print(
        f"CPU seconds: workers {workers:.1f}, PostgreSQL {postgres:.1f} (this database's "
        "connections and the server's own processes), "
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
