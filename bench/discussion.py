"""Members' discussion at a large party's scale, on PostgreSQL (issue 23's goals).

A fresh database gets one organisation (labour/2016), a contest and ``--members`` members.
Phase 1: ``--contest-posts`` posts are bulk-inserted across the contest's threads, one of
them ``--thread`` posts long and another ten times that. Printed: the thread page (the
member's view, through Django's test client: session, view, template) p50/p95 and its query
count at both thread sizes (the goal: the same count). Phase 2: ``--posts`` posts made
through the posting service (``post_create``: limits, restrictions, Markdown and nh3) by
``--workers`` processes (as a server's workers) over ``--posting-threads`` threads: posts a
second and p99. Each figure comes with the CPU time this process (or the workers) spent,
which the machine's other load does not inflate as it does the wall time. Phase 3: the
corpus grows to ``--corpus`` posts (bulk insert, then the GIN index) and ``--queries``
searches of one or two words are timed through the selector: p50/p95.

    .venv/bin/python bench/discussion.py                   # the goals' sizes
    .venv/bin/python bench/discussion.py --corpus 200000   # a quicker run
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cast import fresh_database, production_settings

_VOCABULARY = """
ballot branch candidate clp conference contest debate deputy election freeze hustings
leader leadership manifesto meeting member members motion nomination nominations officer
party petition policy reselection result rulebook selection supporter supporters trigger
union vote voting welfare housing rail energy climate health education council budget
strike pay pension wage tax cuts austerity brexit europe referendum nhs schools
transport justice equality democracy accountability members agree disagree question
answer support oppose campaign volunteer canvass doorstep
"""
WORDS = tuple(_VOCABULARY.split())
GOALS = {"page_p95_ms": 100.0, "posts_per_s": 200.0, "post_p99_ms": 100.0, "search_p95_ms": 200.0}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _text(rng: random.Random) -> str:
    # Zipf-like: the first words of the list are far commoner than the last.
    n = rng.randint(8, 40)
    return " ".join(WORDS[min(int(rng.paretovariate(1.2)) - 1, len(WORDS) - 1)] for _ in range(n))


def _setup(members: int) -> dict[str, Any]:
    import datetime as dt

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from omov.web.contests import services as contests
    from omov.web.members.identity import identity_key
    from omov.web.members.models import Member

    call_command("migrate", verbosity=0)
    organisation = contests.organisation_create(name="Bench Party")
    rulebook = contests.rulebook_load(organisation=organisation, key="labour/2016")
    now = timezone.now()
    contest = contests.contest_open(
        rulebook=rulebook,
        title="Leadership election",
        nominating_body_size=10,
        freeze_date=dt.date(2016, 1, 12),
        ballot_opens_at=now + dt.timedelta(days=10),
        ballot_closes_at=now + dt.timedelta(days=20),
    )
    born = dt.date(1980, 1, 1)
    Member.objects.bulk_create(
        [
            Member(
                organisation=organisation,
                identity_key=identity_key(f"m{i}@example.org", born),
                number=f"M{i:07d}",
                full_name=f"Member {i}",
                display_name=f"Member {i}",
                email=f"m{i}@example.org",
                email_normalised=f"m{i}@example.org",
                date_of_birth=born,
                joined=dt.date(2015, 1, 1),
                section="members",
            )
            for i in range(members)
        ],
        batch_size=5000,
    )
    user = get_user_model().objects.create_user("bench")
    return {"organisation": organisation, "contest": contest, "user": user}


def _bulk_posts(organisation: Any, threads: list[tuple[Any, int]], total: int, seed: int) -> None:
    """``total`` posts spread over ``threads`` (each with its number of posts), inserted in
    batches without the services."""
    import datetime as dt

    from django.utils import timezone
    from django.utils.html import escape

    from omov.web.discussion.models import Post, PostState, Thread
    from omov.web.members.models import Member

    rng = random.Random(seed)
    now = timezone.now()
    authors = list(Member.objects.filter(organisation=organisation).values_list("pk", flat=True))
    batch: list[Post] = []
    made = 0
    for thread, size in threads:
        for _ in range(size):
            thread.posts_made += 1
            text = _text(rng)
            batch.append(
                Post(
                    organisation_id=thread.organisation_id,
                    thread=thread,
                    number=thread.posts_made,
                    author_id=rng.choice(authors),
                    shown_as="Member",
                    section="members",
                    text=text,
                    html=f"<p>{escape(text)}</p>",
                    state=PostState.PUBLISHED,
                    # Written over the past two months, so no member is at a posting limit.
                    created_at=now - dt.timedelta(hours=2, seconds=rng.randint(0, 60 * 86400)),
                )
            )
            made += 1
            if len(batch) == 10_000:
                Post.objects.bulk_create(batch)
                batch = []
    Post.objects.bulk_create(batch)
    Thread.objects.bulk_update([t for t, _ in threads], ["posts_made"], batch_size=1000)
    assert made == total, (made, total)


def _threads(organisation: Any, contest: Any, sizes: list[int]) -> list[tuple[Any, int]]:
    from omov.web.discussion.models import TargetKind, Thread

    threads = Thread.objects.bulk_create(
        [
            Thread(
                organisation=organisation,
                target_kind=TargetKind.CONTEST,
                target_id=contest.pk,
                contest=contest,
                title=f"Thread {n}",
            )
            for n in range(len(sizes))
        ]
    )
    return list(zip(threads, sizes, strict=True))


def _page_figures(thread: Any, member: Any, repeats: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test import Client

    from omov.web.members.auth import SESSION_KEY

    client = Client()
    session = client.session
    session[SESSION_KEY] = member.pk
    session.save()
    url = f"/discussion/thread/{thread.pk}/"
    first = client.get(url, secure=True)
    assert first.status_code == 200, first.status_code
    queries: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url, secure=True)
    took = []
    cpu = time.process_time()
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(url, secure=True)
        took.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    cpu_ms = (time.process_time() - cpu) / repeats * 1000
    print(f"    (this process's CPU: {cpu_ms:.1f} ms a page)")
    return statistics.median(took), _percentile(took, 0.95), len(queries)


def _post_share(share: list[tuple[int, int, str]]) -> tuple[list[float], float]:
    """One worker process's posts (member id, thread id, text): each one's milliseconds, and
    the process's CPU seconds."""
    from django.db import connections

    from omov.web.discussion.models import Thread
    from omov.web.discussion.services import post_create
    from omov.web.members.models import Member

    connections.close_all()  # a connection of its own, not the parent's
    members = {m.pk: m for m in Member.objects.filter(pk__in={m for m, _, _ in share})}
    threads = {t.pk: t for t in Thread.objects.filter(pk__in={t for _, t, _ in share})}
    took = []
    cpu = time.process_time()
    for member, thread, text in share:
        started = time.perf_counter()
        post_create(member=members[member], thread=threads[thread], text=text)
        took.append((time.perf_counter() - started) * 1000)
    return took, time.process_time() - cpu


def _posting(
    organisation: Any, threads: list[Any], posts: int, workers: int
) -> tuple[float, float]:
    """``posts`` posts by ``workers`` processes (as a server's workers), spread over
    ``threads`` (each thread numbers its posts one at a time)."""
    import multiprocessing

    from django.db import connections

    from omov.web.members.models import Member

    # A member posts at most four times here: the rulebook allows five a minute.
    members = list(
        Member.objects.filter(organisation=organisation)
        .order_by("pk")
        .values_list("pk", flat=True)[: posts // 4 + 1]
    )
    rng = random.Random(7)
    jobs = [(members[i // 4], threads[i % len(threads)].pk, _text(rng)) for i in range(posts)]
    shares = [jobs[i::workers] for i in range(workers)]
    connections.close_all()
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        done = pool.map(_post_share, shares)
    seconds = time.perf_counter() - started
    took = [ms for share, _ in done for ms in share]
    cpu_ms = sum(cpu for _, cpu in done) / posts * 1000
    print(f"    (workers' CPU: {cpu_ms:.1f} ms a post; p50 {statistics.median(took):.1f} ms)")
    return posts / seconds, _percentile(took, 0.99)


def _search_figures(organisation: Any, queries: int) -> tuple[float, float, int]:
    from omov.web.discussion.selectors import search

    rng = random.Random(11)
    asked = [" ".join(rng.sample(WORDS[5:], rng.choice((1, 2)))) for _ in range(queries)]
    search(organisation, asked[0], page=1)
    took, found = [], 0
    cpu = time.process_time()
    for query in asked:
        started = time.perf_counter()
        results = search(organisation, query, page=1)
        took.append((time.perf_counter() - started) * 1000)
        found += len(results.posts)
    cpu_ms = (time.process_time() - cpu) / queries * 1000
    print(f"    (this process's CPU: {cpu_ms:.1f} ms a search)")
    return statistics.median(took), _percentile(took, 0.95), found


def _met(name: str, value: float, goal: float, *, at_least: bool = False) -> str:
    ok = value >= goal if at_least else value <= goal
    sign = "≥" if at_least else "≤"
    return f"  {name}: {value:,.1f} (goal {sign} {goal:,.0f}): {'met' if ok else 'NOT met'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/omov_bench_discussion"
    )
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--contest-posts", type=int, default=100_000)
    parser.add_argument("--thread", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2, help="posting processes")
    parser.add_argument("--posting-threads", type=int, default=20)
    parser.add_argument("--corpus", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    production_settings(args.database_url)
    fresh_database(args.database_url)
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    started = time.perf_counter()
    made = _setup(args.members)
    organisation, contest = made["organisation"], made["contest"]
    from django.db import connection

    from omov.web.members.models import Member

    with connection.cursor() as cursor:  # the GIN index is built once the corpus is in
        cursor.execute("DROP INDEX IF EXISTS discussion_post_search")
    long_thread = args.thread * 10
    rest = args.contest_posts - args.thread - long_thread
    sizes = (
        [args.thread, long_thread] + [100] * (rest // 100) + ([rest % 100] if rest % 100 else [])
    )
    threads = _threads(organisation, contest, sizes)
    _bulk_posts(organisation, threads, args.contest_posts, seed=1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE discussion_post")
        cursor.execute("ANALYZE discussion_thread")
    print(
        f"seeded {args.members:,} members and {args.contest_posts:,} posts in the contest "
        f"in {time.perf_counter() - started:.1f} s"
    )
    reader = Member.objects.filter(organisation=organisation).first()
    results: dict[str, float] = {}
    print("thread page (the member's view of a thread, 200 posts a page):")
    counts = []
    for thread, size in threads[:2]:
        p50, p95, queries = _page_figures(thread, reader, args.repeats)
        counts.append(queries)
        print(f"  thread of {size:,} posts: p50 {p50:.1f} ms, p95 {p95:.1f} ms, {queries} queries")
        results["page_p95_ms"] = max(p95, results.get("page_p95_ms", 0.0))
    print(f"  query count the same at both sizes: {'yes' if len(set(counts)) == 1 else 'NO'}")

    print(
        f"posting ({args.posts:,} posts through post_create, {args.workers} processes, "
        f"over {args.posting_threads} threads of the contest):"
    )
    hot = [thread for thread, _ in threads[2 : 2 + args.posting_threads]]
    rate, p99 = _posting(organisation, hot, args.posts, args.workers)
    print(f"  {rate:,.0f} posts/s, p99 {p99:.1f} ms")
    results["posts_per_s"], results["post_p99_ms"] = rate, p99

    more = args.corpus - args.contest_posts - args.posts
    started = time.perf_counter()
    if more > 0:
        sizes = [1000] * (more // 1000) + ([more % 1000] if more % 1000 else [])
        _bulk_posts(organisation, _threads(organisation, contest, sizes), more, seed=2)
    inserted = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("CREATE INDEX discussion_post_search ON discussion_post USING gin (search)")
        cursor.execute("ANALYZE discussion_post")
        cursor.execute("ANALYZE discussion_thread")
        cursor.execute("SELECT count(*) FROM discussion_post")
        (total,) = cursor.fetchone()
    print(
        f"corpus of {total:,} posts: inserted in {inserted:.1f} s, "
        f"indexed in {time.perf_counter() - started:.1f} s"
    )
    p50, p95, found = _search_figures(organisation, args.queries)
    print(
        f"search ({args.queries} queries of one or two words): p50 {p50:.1f} ms, p95 {p95:.1f} ms "
        f"({found / args.queries:.1f} results a query)"
    )
    results["search_p95_ms"] = p95
    print("goals:")
    print(_met("thread page p95 ms", results["page_p95_ms"], GOALS["page_p95_ms"]))
    print(_met("posts a second", results["posts_per_s"], GOALS["posts_per_s"], at_least=True))
    print(_met("posting p99 ms", results["post_p99_ms"], GOALS["post_p99_ms"]))
    print(_met("search p95 ms", results["search_p95_ms"], GOALS["search_p95_ms"]))
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
