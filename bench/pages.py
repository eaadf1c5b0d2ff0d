"""Every page of the demo on a large electorate: p50/p95 milliseconds and SQL queries a page.

A fresh PostgreSQL database gets, for each ``--electors`` size (smallest first, so the
figures can be compared), one contest taken through the states a person sees: nominations
open, the electorate being vetted (an exclusion and an appeal waiting), the ballot open with
``--ballots`` cast, and the results published. The electors are written with PostgreSQL's
COPY (the import's own checks are bench/vetting.py's subject); every other step goes
through the services the officer's pages use.

Each page is requested ``--requests`` times in this process through Django's test client,
with the production settings and every middleware (no network), after one warm-up request.
Printed per page: p50 and p95 in ms, the median CPU ms of this process (Django's side:
steadier than wall time on shared cores), the median ms spent waiting for queries
(PostgreSQL's side), and the queries one request made
(``CaptureQueriesContext``). The last table sets the sizes side by side: the goal is a p95
of at most 200 ms at 500,000 electors on 2 cores, with a query count that does not grow with
the electorate.

    .venv/bin/python bench/pages.py --electors 5000 500000
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cast import fresh_database, production_settings


@dataclass(frozen=True)
class Timing:
    page: str
    state: str
    p50: float
    p95: float
    cpu: float
    """Median CPU ms of this process a request (Django's side, not PostgreSQL's): less
    sensitive than wall time to the other processes sharing the cores."""
    sql: float
    """Median ms a request spent waiting for its queries (PostgreSQL's side, wall time)."""
    queries: int
    status: int


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/omov_bench_pages"
    )
    parser.add_argument("--electors", type=int, nargs="+", default=[5_000, 500_000])
    parser.add_argument("--ballots", type=int, default=200, help="cast before the close")
    parser.add_argument("--requests", type=int, default=20, help="timed requests a page")
    args = parser.parse_args()
    production_settings(args.database_url)
    os.environ.setdefault("OMOV_SSL_REDIRECT", "0")  # the test client speaks plain HTTP
    fresh_database(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    results: dict[int, list[Timing]] = {}
    for size in sorted(args.electors):
        results[size] = _one_size(size, args.ballots, args.requests)
    _compare(results)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


def _one_size(size: int, ballots: int, requests: int) -> list[Timing]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from omov.web.access.models import Role
    from omov.web.access.services import membership_grant
    from omov.web.contests.services import organisation_create

    organisation = organisation_create(name=f"Bench Party {size}")
    officer = get_user_model().objects.create_user(f"officer-{size}")
    roles = [Role.RETURNING_OFFICER, Role.VETTING_OFFICER, Role.APPEALS_PANEL]
    membership_grant(user=officer, organisation=organisation, roles=roles)
    desk = Client()
    desk.force_login(officer)
    print(f"\n== {size:,} electors")
    timings: list[Timing] = []

    def measure(state: str, pages: dict[str, tuple[Client, str]]) -> None:
        for page, (client, url) in pages.items():
            timing = _time(page, state, client, url, requests)
            timings.append(timing)
            print(
                f"  {state:<12} {page:<16} p50 {timing.p50:7.1f} ms  p95 {timing.p95:7.1f} ms"
                f"  cpu {timing.cpu:6.1f} ms  sql {timing.sql:6.1f} ms"
                f"  {timing.queries:3d} queries  ({timing.status})"
            )

    contest = _nominating(organisation)
    measure("nominations", _officer_pages(desk, contest.pk) | _public_pages(contest.pk))
    started = time.perf_counter()
    _electorate(contest, size, officer)
    print(f"  ({size:,} electors written and vetted in {time.perf_counter() - started:.1f} s)")
    measure("vetting", _officer_pages(desk, contest.pk))
    started = time.perf_counter()
    code, trustees = _open(contest, ballots)
    print(f"  (codes issued, {ballots} cast in {time.perf_counter() - started:.1f} s)")
    voter = Client()
    voter.post(f"/vote/{contest.pk}/", {"code": code})
    voting = {
        "vote-start": (Client(), f"/vote/{contest.pk}/"),
        "vote-ballot": (voter, f"/vote/{contest.pk}/ballot/"),
    }
    measure("open", _officer_pages(desk, contest.pk) | _public_pages(contest.pk) | voting)
    started = time.perf_counter()
    _publish(contest, trustees)
    print(
        f"  (closed, mixed, decrypted, counted, published in {time.perf_counter() - started:.1f} s)"
    )
    measure("published", _officer_pages(desk, contest.pk) | _public_pages(contest.pk))
    return timings


def _officer_pages(desk: Any, pk: int) -> dict[str, tuple[Any, str]]:
    return {"officer-home": (desk, "/officer/"), "dashboard": (desk, f"/officer/contest/{pk}/")}


def _public_pages(pk: int) -> dict[str, tuple[Any, str]]:
    from django.test import Client

    public = Client()
    pages = {"home": (public, "/")}
    for name, path in (
        ("statements", "candidates/"),
        ("receipt-check", "receipts/"),
        ("results", "results/"),
        ("ledger", "ledger/"),
        ("board", "board/"),
    ):
        pages[name] = (public, f"/contest/{pk}/{path}")
    return pages


def _time(page: str, state: str, client: Any, url: str, requests: int) -> Timing:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code  # warm-up, and the queries of one request
    # Counted now: captured_queries reads the connection's log, which each request empties.
    counted = len(queries.captured_queries)
    p50, p95, cpu, sql = timed_gets(client, url, requests)
    return Timing(page, state, p50, p95, cpu, sql, counted, status)


def timed_gets(client: Any, url: str, requests: int) -> tuple[float, float, float, float]:
    """``requests`` GETs of ``url``: p50 and p95 wall ms, and the medians of this process's
    CPU ms and of the ms spent waiting for queries, a request."""
    from django.db import connection

    spent, cpu, sql = [], [], []
    for _ in range(requests):
        waited = [0.0]
        with connection.execute_wrapper(_timed(waited)):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            spent.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        sql.append(waited[0] * 1000)
    spent.sort()
    p95 = spent[min(len(spent) - 1, round(0.95 * (len(spent) - 1)))]
    median = statistics.median
    return median(spent), p95, median(cpu), median(sql)


def _timed(waited: list[float]) -> Any:
    """An ``execute_wrapper`` adding each query's wall time to ``waited[0]``."""

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            waited[0] += time.perf_counter() - started

    return wrapper


def _nominating(organisation: Any) -> Any:
    from django.utils import timezone

    from omov.web.contests.services import candidate_add, contest_open, rulebook_load
    from omov.web.nominations.services import nomination_record

    now = timezone.now()
    contest = contest_open(
        rulebook=rulebook_load(organisation=organisation, key="labour/2016"),
        title="Leadership election (bench)",
        nominating_body_size=20,
        freeze_date=dt.date(2016, 1, 12),
        ballot_opens_at=now - dt.timedelta(hours=1),
        ballot_closes_at=now + dt.timedelta(days=14),
    )
    candidate_add(contest=contest, name="Jeremy Corbyn", incumbent=True, statement="A statement.")
    challenger = candidate_add(contest=contest, name="Owen Smith", statement="A statement.")
    for n in range(1, 5):
        nomination_record(candidate=challenger, nominator=f"MP {n}")
    return contest


SECTIONS = (("members", 0.6), ("registered-supporters", 0.25), ("affiliated-supporters", 0.15))


def _electorate(contest: Any, size: int, officer: Any) -> None:
    """Nominations closed; ``size`` electors in three sections (one in fifty joined too late)
    written with COPY; an exclusion waiting for its second officer and an appeal waiting."""
    from django.db import connection

    from omov.web.electorate.models import Elector, Exclusion
    from omov.web.electorate.services import appeal_lodge, elector_exclude
    from omov.web.nominations.services import nominations_close

    nominations_close(contest=contest)
    buffer = io.StringIO()
    n = 0
    for section, share in SECTIONS:
        for i in range(round(size * share)):
            late = n % 50 == 49
            eligibility, reason = (
                ("ineligible", "joined_after_freeze") if late else ("eligible", "")
            )
            buffer.write(
                f"{contest.pk}\t{section[0].upper()}{i:07d}\tp{n}@example.org\t{section}\t"
                f"{eligibility}\t{reason}\t\tf\n"
            )
            n += 1
    buffer.seek(0)
    columns = "contest_id, reference, email, section, eligibility, reason, grounds, has_voted"
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY electorate_elector ({columns}) FROM STDIN") as copy:
            while chunk := buffer.read(1 << 20):
                copy.write(chunk)
        cursor.execute("ANALYZE electorate_elector")
    first, second = Elector.objects.filter(contest=contest, eligibility="eligible").order_by("pk")[
        :2
    ]
    Exclusion.objects.create(
        elector=first, ground="aims-and-values", note="Bench.", proposed_by=officer
    )
    excluded = elector_exclude(elector=second, grounds="Suspected duplicate (bench).")
    appeal_lodge(elector=excluded, grounds="Not a duplicate.")


def _open(contest: Any, ballots: int) -> tuple[str, Any]:
    """The waiting decisions taken, the electorate frozen, codes issued, the key made, the
    ballot open and ``ballots`` cast; a code still unused, and the trustees."""
    from omov.web.balloting.services import ballot_cast, ballot_open, credentials_issue
    from omov.web.electorate.models import Exclusion
    from omov.web.electorate.services import appeal_decide, electorate_freeze
    from omov.web.trustees.simulation import SimulatedTrustees

    Exclusion.objects.filter(elector__contest=contest).update(state="rejected")
    for appeal in _waiting_appeals(contest):
        appeal_decide(appeal=appeal, uphold=False, reason="Bench.")
    electorate_freeze(contest=contest)
    codes = list(credentials_issue(contest=contest, send=False).values())
    trustees = SimulatedTrustees(contest)
    trustees.make_key()
    ballot_open(contest=contest)
    positions = list(contest.candidates.order_by("position").values_list("position", flat=True))
    for i, code in enumerate(codes[:ballots]):
        ranking = positions if i % 2 else positions[::-1]
        ballot_cast(contest=contest, code=code, ranking=ranking[: 1 + i % 2])
    return codes[ballots], trustees


def _waiting_appeals(contest: Any) -> list[Any]:
    from omov.web.electorate.models import Appeal

    return list(Appeal.objects.filter(elector__contest=contest, state="lodged"))


def _publish(contest: Any, trustees: Any) -> None:
    from omov.web.balloting.services import ballot_close
    from omov.web.contests.models import Contest
    from omov.web.results.services import result_count, result_publish

    ballot_close(contest=contest, reason="The bench closes it.")
    trustees.mix_and_decrypt()
    result_count(contest=Contest.objects.get(pk=contest.pk))
    result_publish(contest=Contest.objects.get(pk=contest.pk))


def _compare(results: dict[int, list[Timing]]) -> None:
    sizes = sorted(results)
    print("\n== side by side: p95 ms / sql ms (median) / queries, by electorate size")
    print(f"  {'state':<12} {'page':<16}" + "".join(f" {s:>26,}" for s in sizes))
    rows: dict[tuple[str, str], dict[int, Timing]] = {}
    for size, timings in results.items():
        for t in timings:
            rows.setdefault((t.state, t.page), {})[size] = t
    grew, worst = [], 0.0
    for (state, page), by_size in rows.items():
        cells = "".join(
            f" {by_size[s].p95:9.1f} / {by_size[s].sql:6.1f} / {by_size[s].queries:<5d}"
            if s in by_size
            else " " * 27
            for s in sizes
        )
        print(f"  {state:<12} {page:<16}{cells}")
        counts = [by_size[s].queries for s in sizes if s in by_size]
        if len(set(counts)) > 1:
            grew.append(f"{state} {page}: {counts}")
        worst = max(worst, by_size[sizes[-1]].p95 if sizes[-1] in by_size else 0.0)
    print(f"worst p95 at {sizes[-1]:,} electors: {worst:.1f} ms (goal: 200 ms)")
    print("query counts that differ between sizes: " + ("; ".join(grew) if grew else "none"))


if __name__ == "__main__":
    main()
