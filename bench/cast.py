"""Casting throughput over loopback: ballots/s and p50/p99 latency of the cast request.

Seeds a fresh PostgreSQL database with one open contest and ``--ballots`` electors, serves
the web app with Granian (``omov serve``), signs each voter in with their code (timed
separately), then times the cast requests. Bounded: at most ``--ballots`` casts and
``--seconds`` seconds per phase.

What is timed is the request a browser sends when the voter presses "Cast my vote":
``POST /vote/<id>/cast/`` with the CSRF cookie and token, the signed session cookie the
sign-in set, and the urlencoded ranking; the server runs every middleware and the same view
as for a browser and answers 302 to the receipt page (not fetched). The clients are
``--processes`` processes of keep-alive threads (``--clients`` threads in all), each sending
requests it built before the clock started over a plain socket, on the same cores as the
server and PostgreSQL: the report gives each side's CPU per request.

    .venv/bin/python bench/cast.py --ballots 3000 --clients 16

``--form sealed`` (the default) posts what a browser with JavaScript posts, the encrypted
ballot with its proof of knowledge, which the server checks; ``--form plain`` posts the
ranking as the form without JavaScript does, which the server encrypts.
The database is seeded once (``<name>_seeded``) and every run casts into a fresh copy of
it (``CREATE DATABASE ... TEMPLATE``), so no run inherits the ballots, spent codes or dead
rows of the runs before it. ``--ablate`` runs all on and each protection off in turn, and
``--repeat N`` runs N such rounds, each starting one configuration further along, then
prints each configuration's medians and each protection's cost as the median over the
rounds of (all on less it off) in server and PostgreSQL CPU ms per cast:

    .venv/bin/python bench/cast.py --ballots 3000 --ablate --repeat 3
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import psycopg

PORT = int(os.environ.get("OMOV_BENCH_PORT", "8765"))
"""The server's port: set ``OMOV_BENCH_PORT`` where another benchmark on the machine may be
using 8765 (a client that reached another's server would measure that one)."""


def production_settings(database_url: str) -> None:
    """Django's settings as in production (no debug), with throwaway keys."""
    os.environ.update(
        DATABASE_URL=database_url,
        OMOV_DEBUG="0",
        OMOV_SECRET_KEY="bench-" + secrets.token_hex(32),
        OMOV_KEY_PASSPHRASE="bench-" + secrets.token_hex(16),
        DJANGO_SETTINGS_MODULE="omov.web.settings",
        OMOV_DATA_DIR=os.environ.get("OMOV_DATA_DIR", "var/bench"),
    )


def fresh_database(url: str) -> None:
    parts = urllib.parse.urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def seed_electorate(n: int) -> Any:
    """A fresh contest (migrated database) with two candidates on the ballot and ``n``
    eligible members, its electorate still open; the contest."""
    import django

    django.setup()
    import datetime as dt

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
        ballot_opens_at=now - dt.timedelta(hours=1),
        ballot_closes_at=now + dt.timedelta(days=1),
    )
    contests.candidate_add(contest=contest, name="Incumbent", incumbent=True)
    challenger = contests.candidate_add(contest=contest, name="Challenger")
    nomination_record(candidate=challenger, nominator="MP 1")
    nominations_close(contest=contest)
    header = "membership_number,email,date_of_birth,join_date,status,arrears"
    rows = [f"B{i:06d},,1970-01-01,2015-01-01,active,false" for i in range(n)]
    roll_import(contest=contest, section="members", data="\n".join([header, *rows]).encode())
    return contest


def seed(n: int) -> tuple[int, list[str]]:
    """An open contest with ``n`` eligible electors; returns its id and the voting codes."""
    contest = seed_electorate(n)  # sets Django up: the services can be imported after it
    from omov.web.balloting.services import ballot_open, credentials_issue
    from omov.web.electorate.services import electorate_freeze
    from omov.web.trustees.simulation import SimulatedTrustees

    electorate_freeze(contest=contest)
    codes = credentials_issue(contest=contest, send=False)
    SimulatedTrustees(contest).make_key()  # the ballot opens once the trustees made the key
    ballot_open(contest=contest)
    return contest.pk, list(codes.values())


def sealed_ballots(contest: int, n: int) -> list[str]:
    """``n`` ballots as a browser with JavaScript posts them: the ranking encrypted under the
    election key with its proof of knowledge (made before any clock starts), in hex."""
    from omov.secrecy.ballot import encrypt_ballot
    from omov.web.trustees.selectors import contest_binding, election_key

    key = election_key(contest)
    if key is None:
        raise SystemExit("the contest has no election key")
    binding = contest_binding(contest)
    return [encrypt_ballot(binding, key, (1, 0), 2).as_bytes().hex() for _ in range(n)]


def wait_for_port(
    port: int, seconds: float = 90, server: subprocess.Popen[bytes] | None = None
) -> None:
    """Until ``port`` answers (``server``, if given, must not have exited: else the port is
    another program's). Slow under load: a worker imports Django in seconds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise SystemExit(f"the server exited ({server.returncode}): is port {port} taken?")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit("the server did not start")


# -- the clients ----------------------------------------------------------------------
@dataclass(frozen=True)
class Voter:
    """One voter's browser: a CSRF cookie of our own making and the session cookie."""

    code: str
    csrf: str
    session: str = ""
    ciphertext: str = ""
    """The ballot the browser's script encrypted (hex), or "" to post the plain ranking (the
    form without JavaScript, which the server encrypts)."""

    def headers(self) -> dict[str, str]:
        cookie = f"csrftoken={self.csrf}" + (f"; sessionid={self.session}" if self.session else "")
        return {
            "Cookie": cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            # As the TLS-terminating proxy in front of `omov serve` passes a request on
            # (production settings redirect plain HTTP and check the referer is HTTPS).
            "X-Forwarded-Proto": "https",
            "Referer": f"https://127.0.0.1:{PORT}/",
        }


SIGN_IN, CAST = "sign-in", "cast"


def form_for(phase: str, voter: Voter) -> dict[str, str]:
    """The form the browser posts: the code on the start page; when casting, the encrypted
    ballot (with JavaScript) or the ranking (without)."""
    if phase == SIGN_IN:
        fields = {"code": voter.code}
    elif voter.ciphertext:
        fields = {"ciphertext": voter.ciphertext}
    else:
        fields = {"rank_1": "1", "rank_2": "2"}
    return {"csrfmiddlewaretoken": voter.csrf, **fields}


def request_bytes(path: str, phase: str, voter: Voter) -> bytes:
    """The whole HTTP/1.1 request, built before the clock starts (see ``Connection``)."""
    body = urllib.parse.urlencode(form_for(phase, voter)).encode()
    head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{PORT}", f"Content-Length: {len(body)}"]
    head += [f"{name}: {value}" for name, value in voter.headers().items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


class Connection:
    """A keep-alive HTTP/1.1 connection that sends prepared requests and reads just enough
    of each response (status, headers, a Content-Length body). The clients share the
    server's two cores, so the less CPU they spend, the more the figures are the server's:
    ``http.client`` cost ~0.4 ms of CPU per request, this ~0.1 ms."""

    def __init__(self) -> None:
        self.sock = socket.create_connection(("127.0.0.1", PORT), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.pending = b""

    def exchange(self, request: bytes) -> tuple[int, list[bytes]]:
        """Send ``request``; the response's status and header lines."""
        self.sock.sendall(request)
        data = self.pending
        while (end := data.find(b"\r\n\r\n")) < 0:
            data += self._receive()
        lines = data[:end].split(b"\r\n")
        length = 0
        for line in lines[1:]:
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        data = data[end + 4 :]
        while len(data) < length:
            data += self._receive()
        self.pending = data[length:]
        return int(lines[0].split()[1]), lines[1:]

    def _receive(self) -> bytes:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise SystemExit("the server closed the connection")
        return chunk

    def close(self) -> None:
        self.sock.close()


def session_from(voter: Voter, headers: list[bytes]) -> Voter:
    """The voter with the session cookie the sign-in's response set."""
    for line in headers:
        if line[:11].lower() == b"set-cookie:":
            jar = SimpleCookie(line[11:].decode().strip())
            if "sessionid" in jar:
                voter = replace(voter, session=jar["sessionid"].value)
    return voter


@dataclass
class Batch:
    latencies: list[float]
    voters: list[Voter]
    cpu: float


def run_thread(path: str, phase: str, voters: list[Voter], deadline: float) -> Batch:
    requests = [request_bytes(path, phase, voter) for voter in voters]
    conn = Connection()
    done = Batch([], [], 0.0)
    for voter, request in zip(voters, requests, strict=True):
        if time.monotonic() > deadline:
            break
        start = time.perf_counter()
        status, headers = conn.exchange(request)
        done.latencies.append(time.perf_counter() - start)
        if status != 302:
            raise SystemExit(f"{phase} {path}: HTTP {status}")
        done.voters.append(session_from(voter, headers) if phase == SIGN_IN else voter)
    conn.close()
    return done


def run_process(path: str, phase: str, voters: list[Voter], threads: int, deadline: float) -> Batch:
    """One client process: ``threads`` keep-alive connections, each posting its share."""
    cpu = time.process_time()
    with ThreadPoolExecutor(threads) as pool:
        shares = [voters[i::threads] for i in range(threads)]
        parts = list(pool.map(lambda share: run_thread(path, phase, share, deadline), shares))
    return Batch(
        [x for p in parts for x in p.latencies],
        [v for p in parts for v in p.voters],
        time.process_time() - cpu,
    )


# -- CPU accounting -------------------------------------------------------------------
def _cpu_of(pid: int) -> float:
    """User + system CPU seconds of one process (Linux /proc; 0 where it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _descendants(pid: int) -> list[int]:
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in task.read_text().split():
            found += _descendants(int(child))
    return found


def _postgres_pids(database: str) -> list[int]:
    """PostgreSQL's backends serving ``database`` (their process title names it). Other
    helpers' databases on a shared machine are not counted, nor PostgreSQL's own background
    processes (WAL writer, checkpointer), which serve every database at once."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/comm"):
        try:
            if stat.read_text().strip() != "postgres":
                continue
            title = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if f" {database} " in title:
            pids.append(int(stat.parent.name))
    return pids


def cpu_snapshot(server: int, database: str) -> dict[str, dict[int, float]]:
    return {
        "server": {pid: _cpu_of(pid) for pid in _descendants(server)},
        "postgres": {pid: _cpu_of(pid) for pid in _postgres_pids(database)},
    }


def cpu_used(
    before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]
) -> dict[str, float]:
    """CPU seconds per side between two snapshots (processes gone meanwhile are missed)."""
    return {
        side: sum(cpu - before[side].get(pid, 0.0) for pid, cpu in after[side].items())
        for side in after
    }


# -- a phase --------------------------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    clients: int
    processes: int
    seconds: float
    server: int
    database: str


@dataclass(frozen=True)
class Phase:
    """One phase's figures: requests a second, latency and CPU ms per request by side."""

    rate: float
    p50: float
    p99: float
    server: float
    postgres: float


def drive(plan: Plan, voters: list[Voter], path: str, phase: str) -> tuple[list[Voter], str, Phase]:
    """Run one phase from ``plan.processes`` client processes; the voters, a report line and
    the phase's figures."""
    deadline = time.monotonic() + plan.seconds
    processes = max(1, min(plan.processes, plan.clients))
    shares = [voters[i::processes] for i in range(processes)]
    threads = [len(range(i, plan.clients, processes)) for i in range(processes)]
    before = cpu_snapshot(plan.server, plan.database)
    load = os.getloadavg()[0]
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        jobs = [(path, phase, s, t, deadline) for s, t in zip(shares, threads, strict=True)]
        batches = pool.starmap(run_process, jobs)
    wall = time.perf_counter() - start
    used = cpu_used(before, cpu_snapshot(plan.server, plan.database))
    latencies = [x for b in batches for x in b.latencies]
    used["client"] = sum(b.cpu for b in batches)
    line = report(phase, wall, latencies, used, load)
    ms = sorted(x * 1000 for x in latencies)
    n = max(1, len(ms))
    figures = Phase(
        rate=len(ms) / wall,
        p50=statistics.median(ms),
        p99=ms[min(len(ms) - 1, int(len(ms) * 0.99))],
        server=1000 * used["server"] / n,
        postgres=1000 * used["postgres"] / n,
    )
    return [v for b in batches for v in b.voters], line, figures


def report(
    label: str, wall: float, latencies: list[float], cpu: dict[str, float], load: float
) -> str:
    ms = sorted(x * 1000 for x in latencies)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    per = {side: 1000 * seconds / len(ms) for side, seconds in cpu.items()}
    return (
        f"{label:<8} {len(ms):>6} requests  {len(ms) / wall:8.1f}/s  "
        f"p50 {statistics.median(ms):6.1f} ms  p99 {p99:6.1f} ms  |  CPU ms/request: "
        f"server {per['server']:.2f}, postgres {per['postgres']:.2f}, "
        f"client {per['client']:.2f}  (load before {load:.1f})"
    )


def serve(workers: int, threads: int) -> subprocess.Popen[bytes]:
    command = "from omov.cli import main; main()"
    return subprocess.Popen(
        [sys.executable, "-c", command, "serve", "--port", str(PORT), "--workers", str(workers)]
        + (["--threads", str(threads)] if threads else []),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


ABLATIONS = ("", "throttle", "csp", "sessions", "tallies")
"""Each run's protections off (``bench/ablation_settings.py``): all on, then one off at a
time. Every run casts into its own copy of one seeded database, and ``--repeat`` rounds
each run them all, each round starting one further along (see ``rounds``)."""
TALLIED = ("balloting_ballot", "electorate_elector")
"""The tables whose triggers keep the tallies (``tallies`` off disables them: the tallies
are wrong after, in a database thrown away)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/omov_bench")
    parser.add_argument("--ballots", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16, help="client threads in all")
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--threads", type=int, default=0, help="threads per worker (0: default)")
    parser.add_argument("--seconds", type=float, default=60, help="time limit per phase")
    parser.add_argument(
        "--form",
        choices=("sealed", "plain"),
        default="sealed",
        help="post the browser-encrypted ballot (sealed) or the ranking (plain, no JavaScript)",
    )
    parser.add_argument(
        "--ablate",
        action="store_true",
        help="run all on, then with the code throttle, CSP, database sessions and the tallies' "
        "triggers each off (--ballots each), and print each one's CPU ms per cast",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="rounds of runs (each configuration once a round); medians are reported",
    )
    args = parser.parse_args()
    if not 1 <= args.ballots <= 100_000:
        raise SystemExit("--ballots must be between 1 and 100000")
    if not 1 <= args.repeat <= 20:
        raise SystemExit("--repeat must be between 1 and 20")
    production_settings(args.database_url)
    seeded = seeded_url(args.database_url)
    fresh_database(seeded)
    os.environ["DATABASE_URL"] = seeded
    contest, codes = seed(args.ballots)
    sealed = sealed_ballots(contest, len(codes)) if args.form == "sealed" else [""] * len(codes)
    from django.db import connections

    connections.close_all()  # the template must have no session; the clients are forked
    os.environ["DATABASE_URL"] = args.database_url
    voters = list(zip(codes, sealed, strict=True))
    costs: dict[str, list[tuple[Phase, Phase]]] = {}
    try:
        for off in rounds(ABLATIONS if args.ablate else ("",), args.repeat):
            if args.ablate:
                os.environ.update(
                    DJANGO_SETTINGS_MODULE="bench.ablation_settings", OMOV_BENCH_OFF=off
                )
                print(f"-- {off + ' off' if off else 'all on'}", flush=True)
            copy_database(seeded, args.database_url)
            tallies(args.database_url, enabled=off != "tallies")
            costs.setdefault(off, []).append(run_once(args, contest, voters))
    finally:
        drop_database(seeded)
    describe(args)
    if args.ablate or args.repeat > 1:
        print_ablation(costs)


def rounds(configurations: tuple[str, ...], repeat: int) -> list[str]:
    """Each configuration once a round, round ``r`` starting at the ``r``-th: the machine's
    drift over the rounds falls on every configuration alike, not on the last ones."""
    n = len(configurations)
    return [configurations[(r + i) % n] for r in range(repeat) for i in range(n)]


def seeded_url(url: str) -> str:
    """The database seeded once, which each run's database is copied from."""
    parts = urllib.parse.urlparse(url)
    return parts._replace(path=parts.path + "_seeded").geturl()


def drop_database(url: str) -> None:
    parts = urllib.parse.urlparse(url)
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def copy_database(template: str, url: str) -> None:
    """``url``'s database afresh, a copy of ``template``'s: every run starts from the same
    tables (no ballot cast, every code unspent, no dead rows), whatever ran before it."""
    parts = urllib.parse.urlparse(url)
    name = parts.path.lstrip("/")
    source = urllib.parse.urlparse(template).path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')


def tallies(database_url: str, *, enabled: bool) -> None:
    """Enable or disable the triggers that keep the tallies (``TALLIED``)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        for table in TALLIED:
            conn.execute(f"ALTER TABLE {table} {'ENABLE' if enabled else 'DISABLE'} TRIGGER USER")


def run_once(
    args: argparse.Namespace, contest: int, codes: list[tuple[str, str]]
) -> tuple[Phase, Phase]:
    """Sign the voters with ``codes`` in and cast their ballots (``sealed_ballots``' or "" for
    the plain form) on a new server; the sign-in's and the cast's figures."""
    server = serve(args.workers, args.threads)
    try:
        wait_for_port(PORT, server=server)
        warm_up(contest, args.workers)
        database = urllib.parse.urlparse(args.database_url).path.lstrip("/")
        plan = Plan(args.clients, args.processes, args.seconds, server.pid, database)
        voters = [Voter(c, secrets.token_hex(16), ciphertext=s) for c, s in codes]
        voters, line, signing = drive(plan, voters, f"/vote/{contest}/", SIGN_IN)
        print(line, flush=True)
        _, line, casting = drive(plan, voters, f"/vote/{contest}/cast/", CAST)
        print(line, flush=True)
    finally:
        server.terminate()
        server.wait(10)
    return signing, casting


def warm_up(contest: int, workers: int) -> None:
    """Each worker's first requests import and connect (seconds under load): a few pages
    over connections of their own first, so that no phase times a cold worker."""
    request = (
        f"GET /vote/{contest}/ HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\n"
        "X-Forwarded-Proto: https\r\nConnection: close\r\n\r\n"
    ).encode()
    for _ in range(8 * max(1, workers)):
        with socket.create_connection(("127.0.0.1", PORT), timeout=60) as conn:
            conn.sendall(request)
            while conn.recv(65536):
                pass


def print_ablation(costs: dict[str, list[tuple[Phase, Phase]]]) -> None:
    """Each configuration's median casting figures over its runs, then each protection's
    cost: the median over the rounds of the server and PostgreSQL CPU ms per cast (and per
    sign-in) of the round's all-on run less the round's run with it off."""
    print(
        "runs  configuration  casts/s   p50 ms   p99 ms | CPU ms per cast: server  postgres"
        " | sign-in server  postgres"
    )
    for off, runs in costs.items():
        sign = [s for s, _ in runs]
        cast = [c for _, c in runs]
        print(
            f"{len(runs):>4}  {(off + ' off') if off else 'all on':<14} "
            f"{_median(cast, 'rate'):7.1f} {_median(cast, 'p50'):8.1f} "
            f"{_median(cast, 'p99'):8.1f} |                  {_median(cast, 'server'):6.2f}  "
            f"{_median(cast, 'postgres'):8.2f} |         {_median(sign, 'server'):6.2f}  "
            f"{_median(sign, 'postgres'):8.2f}"
        )
    on = costs[""]
    for off, runs in costs.items():
        if not off:
            continue
        paired = list(zip(on, runs, strict=False))  # round by round
        per_cast = [_cpu(a[1]) - _cpu(b[1]) for a, b in paired]
        per_sign_in = [_cpu(a[0]) - _cpu(b[0]) for a, b in paired]
        print(
            f"  {off:<9} costs {statistics.median(per_cast):+.2f} ms per cast "
            f"(rounds: {', '.join(f'{x:+.2f}' for x in per_cast)}), "
            f"{statistics.median(per_sign_in):+.2f} ms per sign-in "
            "(server + postgres CPU, all on less this off, median over the rounds)"
        )


def _median(phases: list[Phase], figure: str) -> float:
    return statistics.median(float(getattr(p, figure)) for p in phases)


def _cpu(phase: Phase) -> float:
    """Server and PostgreSQL CPU ms per request."""
    return phase.server + phase.postgres


def describe(args: argparse.Namespace) -> None:
    with psycopg.connect(args.database_url) as conn:
        row = conn.execute("SELECT count(*) FROM balloting_ballot").fetchone()
    stored = row[0] if row else 0
    threads = f"x {args.threads} threads" if args.threads else "(default threads)"
    form = (
        "the encrypted ballot with its proof, which the server checks"
        if args.form == "sealed"
        else "the plain ranking (no JavaScript), which the server encrypts"
    )
    print(
        f"ballots stored (last run): {stored}; measured: POST /vote/<id>/cast/ as the "
        f"browser form sends it ({form}; CSRF token + cookie, session cookie), 302 to the "
        f"receipt. Server: Granian (omov serve), {args.workers} workers {threads}; clients: "
        f"{args.clients} keep-alive threads in {args.processes} processes; all on the same "
        f"{os.cpu_count()} cores. postgres CPU counts the backends serving the bench's database "
        "(not other databases' nor the WAL writer's)."
    )


if __name__ == "__main__":
    main()
