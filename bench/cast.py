"""Casting throughput over loopback: ballots/s and p50/p99 latency of the cast request.

Seeds a fresh PostgreSQL database with one open contest and ``--ballots`` electors, serves
the web app with gunicorn (``omov serve``), signs each voter in with their code (untimed),
then times the cast requests from ``--clients`` keep-alive client threads. Bounded: at most
``--ballots`` casts and ``--seconds`` seconds. Clients and server share this machine's cores.

    .venv/bin/python bench/cast.py --ballots 2000 --clients 16
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie

import psycopg

PORT = 8765


def fresh_database(url: str) -> None:
    parts = urllib.parse.urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def seed(n: int) -> tuple[int, list[str]]:
    """An open contest with ``n`` eligible electors; returns its id and the voting codes."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import datetime as dt

    from django.utils import timezone

    from omov.web.balloting.services import ballot_open, credentials_issue
    from omov.web.contests import services as contests
    from omov.web.electorate.services import electorate_freeze, roll_import
    from omov.web.nominations.services import nomination_record, nominations_close

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
    electorate_freeze(contest=contest)
    codes = credentials_issue(contest=contest, send=False)
    ballot_open(contest=contest)
    return contest.pk, list(codes.values())


def wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit("the server did not start")


class Voter:
    """One voter's browser: a CSRF cookie of our own making and the session cookie."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.csrf = secrets.token_hex(16)
        self.session = ""

    def headers(self) -> dict[str, str]:
        cookie = f"csrftoken={self.csrf}" + (f"; sessionid={self.session}" if self.session else "")
        return {
            "Cookie": cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{PORT}/",
        }

    def post(self, conn: http.client.HTTPConnection, path: str, form: dict[str, str]) -> int:
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.csrf, **form})
        conn.request("POST", path, body=body, headers=self.headers())
        response = conn.getresponse()
        response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie(header)
            if "sessionid" in jar:
                self.session = jar["sessionid"].value
        return response.status


def run_batch(voters: list[Voter], path: str, form: object, deadline: float) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    latencies = []
    for voter in voters:
        if time.monotonic() > deadline:
            break
        start = time.perf_counter()
        status = voter.post(conn, path, form(voter) if callable(form) else form)  # type: ignore[arg-type]
        latencies.append(time.perf_counter() - start)
        if status != 302:
            raise SystemExit(f"{path}: HTTP {status}")
    conn.close()
    return latencies


def drive(
    voters: list[Voter], clients: int, path: str, form: object, seconds: float
) -> tuple[float, list[float]]:
    deadline = time.monotonic() + seconds
    batches = [voters[i::clients] for i in range(clients)]
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(lambda b: run_batch(b, path, form, deadline), batches))
    return time.perf_counter() - start, [x for r in results for x in r]


def report(label: str, wall: float, latencies: list[float]) -> None:
    ms = sorted(x * 1000 for x in latencies)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(
        f"{label:<8} {len(ms):>6} requests  {len(ms) / wall:8.1f}/s  "
        f"p50 {statistics.median(ms):6.1f} ms  p99 {p99:6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/omov_bench")
    parser.add_argument("--ballots", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    if not 1 <= args.ballots <= 100_000:
        raise SystemExit("--ballots must be between 1 and 100000")
    os.environ.update(
        DATABASE_URL=args.database_url,
        OMOV_DEBUG="0",
        OMOV_SECRET_KEY="bench-" + secrets.token_hex(16),
        DJANGO_SETTINGS_MODULE="omov.web.settings",
        OMOV_DATA_DIR=os.environ.get("OMOV_DATA_DIR", "var/bench"),
    )
    fresh_database(args.database_url)
    contest, codes = seed(args.ballots)
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from omov.cli import main; main()",
            "serve",
            "--port",
            str(PORT),
            "--workers",
            str(args.workers),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(PORT)
        voters = [Voter(code) for code in codes]
        wall, lat = drive(
            voters, args.clients, f"/vote/{contest}/", lambda v: {"code": v.code}, args.seconds
        )
        report("sign-in", wall, lat)
        wall, lat = drive(
            [v for v in voters if v.session],
            args.clients,
            f"/vote/{contest}/cast/",
            {"rank_1": "1", "rank_2": "2"},
            args.seconds,
        )
        report("cast", wall, lat)
    finally:
        server.terminate()
        server.wait(10)
    from omov.web.balloting.models import Ballot

    print(
        f"ballots stored: {Ballot.objects.count()} (server: gunicorn, {args.workers} workers "
        f"x 4 threads; {args.clients} client threads on the same {os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
