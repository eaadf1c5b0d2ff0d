"""A whole ballot under load, compressed: Labour 2016's three weeks in ``--seconds``.

Seeds a fresh PostgreSQL database with an open contest of ``--electors`` electors and
starts everything production runs: ``--servers`` ``omov serve`` instances (the clients
balance over them), two ``omov worker`` processes and a local SMTP relay (aiosmtpd, in
this process) that hands each emailed code to a voter. Then, all at once:

- the officer presses "send voting codes" (the workers email every elector);
- voters sign in with the code they were emailed and cast, 77% of them (506,438 of
  654,006), at times drawn from three weeks with a first-day peak;
- 1% of electors ask for a new code (the officer reissues; the new code is emailed);
- voters who cast check their tracker on the public board;
- officers reload the dashboard.

Reported per kind of request: how many, errors, throughput, and latency percentiles.
Everything shares this machine's cores; the load average is printed.

    .venv/bin/python bench/ballot_load.py --electors 3000 --seconds 60
"""

from __future__ import annotations

import argparse
import http.client
import os
import queue
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cast import fresh_database, production_settings, seed_electorate

CSRF = "b" * 32
CODE = re.compile(rb"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")
TURNOUT = 506_438 / 654_006
# Share of the ballots cast on each of the 21 days: a first-day peak, then a long tail.
DAYS = [0.30, 0.12, 0.08, 0.06, 0.05] + [0.39 / 16] * 16


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, kind: str, seconds: float, ok: bool) -> None:
        with self.lock:
            self.times[kind].append(seconds)
            if not ok:
                self.errors[kind] += 1


class Relay:
    """Accepts every message and passes (address, code) on to the voters."""

    def __init__(self) -> None:
        self.codes: queue.Queue[tuple[str, str]] = queue.Queue()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        found = CODE.search(envelope.content)
        if found:
            for address in envelope.rcpt_tos:
                self.codes.put((address, found.group(0).decode()))
        return "250 Message accepted"


class Site:
    """The servers behind a balancer: each request goes to the next one."""

    def __init__(self, ports: list[int], stats: Stats) -> None:
        self.ports, self.stats, self.turn = ports, stats, 0
        self.lock = threading.Lock()

    def request(
        self, kind: str, method: str, path: str, form: dict[str, str] | None = None,
        cookies: str = "",
    ) -> tuple[int, SimpleCookie]:  # fmt: skip
        with self.lock:
            self.turn += 1
            port = self.ports[self.turn % len(self.ports)]
        headers = {
            "X-Forwarded-Proto": "https",
            "Referer": f"https://127.0.0.1:{port}/",
            "Cookie": f"csrftoken={CSRF}" + (f"; {cookies}" if cookies else ""),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        body = (
            None if form is None else urllib.parse.urlencode({**form, "csrfmiddlewaretoken": CSRF})
        )
        started = time.perf_counter()
        status, jar = 0, SimpleCookie()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
            for value in response.headers.get_all("Set-Cookie") or []:
                jar.load(value)
            conn.close()
        except (OSError, http.client.HTTPException):
            pass
        self.stats.add(kind, time.perf_counter() - started, status in (200, 302))
        return status, jar


def setup(n: int) -> tuple[int, dict[str, int]]:
    """An open contest with ``n`` electors (emails e<id>@example.org), no codes yet, and an
    officer ``ro``; the contest's id and elector id by address."""
    contest = seed_electorate(n)
    from django.contrib.auth import get_user_model
    from django.db import connection

    from omov.web.access.models import Role
    from omov.web.access.services import membership_grant
    from omov.web.contests.models import Contest, ContestState
    from omov.web.electorate.services import electorate_freeze
    from omov.web.trustees.simulation import SimulatedTrustees

    electorate_freeze(contest=contest)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE electorate_elector SET email = 'e' || id || '@example.org'")
    SimulatedTrustees(contest).make_key()
    # Open by the state alone: ballot_open refuses before any code is issued, and this
    # bench sends (or needs) no codes; the guard is tested in tests/web/test_steps.py.
    Contest.objects.filter(pk=contest.pk).update(state=ContestState.BALLOT_OPEN)
    user = get_user_model().objects.create_user("ro", password="a long officer password")
    membership_grant(user=user, organisation=contest.organisation, roles=[Role.RETURNING_OFFICER])
    electors = {e.email: e.pk for e in contest.electors.all()}
    return contest.pk, electors


def start(n_servers: int, relay_port: int, base_port: int) -> list[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "OMOV_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OMOV_EMAIL_HOST": "127.0.0.1",
        "OMOV_EMAIL_PORT": str(relay_port),
        "OMOV_SSL_REDIRECT": "1",
    }
    command = [sys.executable, "-c", "from omov.cli import main; main()"]
    runs = [["serve", "--port", str(base_port + i), "--workers", "1"] for i in range(n_servers)]
    return [
        subprocess.Popen(
            [*command, *run], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for run in [*runs, ["worker"], ["worker"]]
    ]


def wait_until_up(site: Site, ports: list[int]) -> None:
    deadline = time.monotonic() + 120
    for port in ports:
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/", headers={"X-Forwarded-Proto": "https"})
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"omov serve on {port} did not start")
            time.sleep(0.5)


def officer_session(site: Site) -> str:
    _, jar = site.request(
        "officer sign-in", "POST", "/accounts/login/",
        {"username": "ro", "password": "a long officer password"},
    )  # fmt: skip
    return f"sessionid={jar['sessionid'].value}"


class Ballot:
    """The voters, the officer and the scrutineers of one contest, run together."""

    def __init__(self, site: Site, contest: int, electors: dict[str, int], args: Any) -> None:
        self.site, self.contest, self.electors, self.args = site, contest, electors, args
        self.trackers: queue.Queue[str] = queue.Queue()
        self.done = threading.Event()
        self.started = time.monotonic()
        rng = random.Random(7)
        day = args.seconds / len(DAYS)
        self.voting_at = {
            address: (rng.choices(range(len(DAYS)), DAYS)[0] + rng.random()) * day
            for address in electors
            if rng.random() < TURNOUT
        }
        self.reissue = set(rng.sample(sorted(electors), max(1, len(electors) // 100)))
        self.asked: set[str] = set()

    def voter(self, relay: Relay) -> None:
        while not self.done.is_set():
            try:
                address, code = relay.codes.get(timeout=0.5)
            except queue.Empty:
                continue
            if address in self.reissue and address not in self.asked:
                self.asked.add(address)  # lost it: the officer reissues, a new email comes
                session = officer_session(self.site)
                elector = self.electors[address]
                path = f"/officer/contest/{self.contest}/electors/{elector}/reissue/"
                self.site.request("reissue", "POST", path, {}, session)
                continue
            if address not in self.voting_at:
                continue  # does not vote
            wait = self.started + self.voting_at[address] - time.monotonic()
            if wait > 0:
                threading.Timer(wait, relay.codes.put, ((address, code),)).start()
                self.voting_at[address] = -1e9  # next time it comes round, vote at once
                continue
            self.cast(code)

    def cast(self, code: str) -> None:
        _, jar = self.site.request("sign-in", "POST", f"/vote/{self.contest}/", {"code": code})
        if "sessionid" not in jar:
            return
        _, jar = self.site.request(
            "cast", "POST", f"/vote/{self.contest}/cast/", {"rank_1": "1"},
            f"sessionid={jar['sessionid'].value}",
        )  # fmt: skip
        if "omov-receipt" in jar:
            self.trackers.put(jar["omov-receipt"].value.split(":")[0])

    def checker(self) -> None:
        while not self.done.is_set():
            try:
                tracker = self.trackers.get(timeout=0.5)
            except queue.Empty:
                continue
            path = f"/contest/{self.contest}/board/?tracker={urllib.parse.quote(tracker)}"
            self.site.request("tracker check", "GET", path)

    def officer(self) -> None:
        session = officer_session(self.site)
        while not self.done.wait(2.0):
            self.site.request(
                "dashboard", "GET", f"/officer/contest/{self.contest}/", None, session
            )


def report(stats: Stats, seconds: float) -> None:
    head = ("count", "errors", "per s", "p50 ms", "p95 ms", "p99 ms")
    print(f"\n{'request':<16}" + "".join(f"{h:>9}" for h in head))
    for kind, times in sorted(stats.times.items()):
        ms = sorted(t * 1000 for t in times)
        q = statistics.quantiles(ms, n=100) if len(ms) > 1 else [ms[0]] * 99
        print(
            f"{kind:<16}{len(ms):>9}{stats.errors[kind]:>9}{len(ms) / seconds:>9.1f}"
            f"{q[49]:>9.0f}{q[94]:>9.0f}{q[98]:>9.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/omov_bench_load"
    )
    parser.add_argument("--electors", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=60, help="the three weeks, compressed")
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--voters", type=int, default=8, help="voters' client threads")
    parser.add_argument("--port", type=int, default=8870, help="first server's port")
    args = parser.parse_args()
    production_settings(args.database_url)
    fresh_database(args.database_url)
    contest, electors = setup(args.electors)
    from aiosmtpd.controller import Controller

    relay = Relay()
    controller = Controller(relay, hostname="127.0.0.1", port=args.port - 1)
    controller.start()
    ports = [args.port + i for i in range(args.servers)]
    processes = start(args.servers, args.port - 1, args.port)
    stats = Stats()
    site = Site(ports, stats)
    try:
        wait_until_up(site, ports)
        load_before = os.getloadavg()[0]
        ballot = Ballot(site, contest, electors, args)
        threads = [threading.Thread(target=ballot.voter, args=(relay,)) for _ in range(args.voters)]
        threads += [
            threading.Thread(target=ballot.checker),
            threading.Thread(target=ballot.officer),
        ]
        for thread in threads:
            thread.start()
        site.request(
            "send codes",
            "POST",
            f"/officer/contest/{contest}/credentials/",
            {},
            officer_session(site),
        )
        time.sleep(args.seconds + 5)
        ballot.done.set()
        for thread in threads:
            thread.join(60)
        seconds = time.monotonic() - ballot.started
    finally:
        for process in processes:
            process.terminate()
            process.wait(30)
        controller.stop()
    report(stats, seconds)
    print(
        f"\n{args.electors} electors, {args.servers} servers, {seconds:.0f} s; "
        f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after, "
        f"{os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
