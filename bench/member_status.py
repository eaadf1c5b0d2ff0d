"""The web roll import and a registered supporter's status page on a large electorate.

A fresh PostgreSQL database gets one contest (Labour 2016's rulebook) whose three rolls, the
2016-shaped synthetic electorate scaled to ``--people`` records (``bench/roll.py``'s), are
imported through ``roll_import`` as an officer's uploads are, members first. Printed: each
import's wall seconds and CPU seconds (this process and its PostgreSQL backend, read from
/proc: steadier than wall time on shared cores).

Then a registered supporter on the roll (no membership number) signs in as the members'
emailed link signs them in, and their status page and home page are requested
``--requests`` times each through Django's test client with the production settings:
p50 and p95 in ms, the median CPU ms of this process, the median ms spent waiting for
queries. The goal: the status and home pages' p95 at most
140 ms at 500,000 electors.

    .venv/bin/python bench/member_status.py --people 200000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cast import fresh_database, production_settings
from bench.vetting import _cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/omov_bench_status"
    )
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=20, help="timed requests a page")
    parser.add_argument(
        "--sections",
        nargs="+",
        default=list(SECTIONS),
        choices=SECTIONS,
        help="the rolls imported, in this order (registered-supporters always, last if not given)",
    )
    args = parser.parse_args()
    production_settings(args.database_url)
    os.environ.setdefault("OMOV_SSL_REDIRECT", "0")  # the test client speaks plain HTTP
    fresh_database(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    contest = _contest()
    with tempfile.TemporaryDirectory() as scratch:
        rolls = _rolls(Path(scratch), args.people, args.sections)
    _import(contest, rolls)
    _pages(contest, rolls["registered-supporters"], args.requests)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


def _contest() -> Any:
    from django.utils import timezone

    from omov.web.contests.services import (
        candidate_add,
        contest_open,
        organisation_create,
        rulebook_load,
    )
    from omov.web.nominations.services import nomination_record, nominations_close

    now = timezone.now()
    contest = contest_open(
        rulebook=rulebook_load(organisation=organisation_create(name="Bench"), key="labour/2016"),
        title="Leadership election (bench)",
        nominating_body_size=20,
        freeze_date=dt.date(2016, 1, 12),
        ballot_opens_at=now + dt.timedelta(days=7),
        ballot_closes_at=now + dt.timedelta(days=14),
    )
    candidate_add(contest=contest, name="A", incumbent=True)
    challenger = candidate_add(contest=contest, name="B")
    for n in range(1, 5):
        nomination_record(candidate=challenger, nominator=f"MP {n}")
    nominations_close(contest=contest)
    return contest


SECTIONS = ("members", "registered-supporters", "affiliated-supporters")


def _rolls(directory: Path, people: int, sections: list[str]) -> dict[str, bytes]:
    from omov.electorate.synthetic import generate

    full = 518_407 + 183_541 + 70_000
    paths = generate(seed=2016, scale=people / full).write_csv(directory)
    if "registered-supporters" not in sections:
        sections = [*sections, "registered-supporters"]
    return {section: paths[section].read_bytes() for section in sections}


def _import(contest: Any, rolls: dict[str, bytes]) -> None:
    from django.db import connection

    from omov.web.electorate.services import roll_import

    for section, data in rolls.items():
        wall, cpu = time.perf_counter(), _cpu()
        rows = roll_import(contest=contest, section=section, data=data)
        wall, cpu = time.perf_counter() - wall, _cpu() - cpu
        print(f"  import {section:<22} {rows:>8,} rows  {wall:6.2f} s  CPU {cpu:6.2f} s")
    # As autovacuum soon would: without statistics the planner takes a section's records
    # for a handful, and reads them all for one person's.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE electorate_elector")


def _pages(contest: Any, supporters: bytes, requests: int) -> None:
    import polars as pl
    from django.test import Client
    from django.urls import reverse

    from omov.web.members.auth import SESSION_KEY
    from omov.web.members.identity import identity_key
    from omov.web.members.local import normalise_email
    from omov.web.members.models import Member

    frame = pl.read_csv(supporters, infer_schema=False).filter(pl.col("email") != "")
    record = frame.row(frame.height // 2, named=True)
    born = dt.date.fromisoformat(record["date_of_birth"].strip())
    member = Member.objects.create(
        organisation_id=contest.organisation_id,
        identity_key=identity_key(record["email"], born),
        number="",
        full_name="A Supporter",
        display_name="A S.",
        email=record["email"],
        email_normalised=normalise_email(record["email"]),
        date_of_birth=born,
        joined=dt.date(2016, 1, 1),
        section="registered-supporters",
    )
    client = Client()
    session = client.session
    session[SESSION_KEY] = member.pk
    session.save()
    status = reverse("elector-status", args=[contest.pk])
    home = reverse("member-home")
    shown = client.get(status).content.decode()
    found = "your email is not on this ballot's roll" not in shown
    print(f"  supporter {record['application_id']}: their record shown: {found}")
    for page, url in (("my-status", status), ("member-home", home)):
        _time(page, client, url, requests)


def _time(page: str, client: Any, url: str, requests: int) -> None:
    from bench.pages import timed_gets

    code = client.get(url).status_code  # warm-up
    p50, p95, cpu, sql = timed_gets(client, url, requests)
    print(
        f"  {page:<12} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  cpu {cpu:6.1f} ms"
        f"  sql {sql:6.1f} ms  ({code})"
    )


if __name__ == "__main__":
    main()
