"""Reading discussion: a thread's page, search, the member's own posts and notices, the
moderators' queue, and the published moderation figures.

A thread's page costs the same few queries however long the thread: the thread, a count of
the posts the reader may see, and one page of them with the decision that hid any of them.
A held post is seen by its author and by moderators only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Q, QuerySet

from omov.rules.house_rules import published
from omov.web.contests.models import Organisation
from omov.web.discussion.models import (
    Appeal,
    AppealState,
    Flag,
    Moderation,
    ModerationKind,
    ModerationState,
    Post,
    PostState,
    Review,
    ReviewState,
    Thread,
)
from omov.web.discussion.rulings import book_for
from omov.web.members.models import Member

PER_PAGE = 200
"""Posts on a page of a thread."""
RESULTS = 20
"""Posts on a page of search results."""
CONFIG = "english"
"""The text search configuration, as migration 0003's stored vector."""
SHOWN = (PostState.PUBLISHED, PostState.HIDDEN, PostState.ERASED)
"""States whose place is shown to every reader (hidden and erased posts as a notice)."""


def visible_to(member: Member | None) -> Q:
    shown = Q(state__in=SHOWN)
    return shown if member is None else shown | Q(state=PostState.HELD, author=member)


def thread_page(thread: Thread, *, reader: Member | None, page: int | str | None) -> Page[Post]:
    posts = (
        Post.objects.filter(visible_to(reader), thread=thread)
        .select_related("moderation")
        .order_by("number")
    )
    return Paginator(posts, PER_PAGE).get_page(page)


def threads_on(organisation: Organisation, kind: str, target_id: int) -> QuerySet[Thread]:
    return Thread.objects.filter(
        organisation=organisation, target_kind=kind, target_id=target_id
    ).order_by("-created_at")


@dataclass(frozen=True)
class Results:
    """A page of search results: no total is counted (a common word matches a large share
    of a million posts, and counting them all costs more than finding the newest)."""

    posts: list[Post]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def search(organisation: Organisation, query: str, *, page: int | str | None) -> Results:
    """Published posts of the organisation matching ``query``, newest first: PostgreSQL's
    full-text search (its GIN index), or a plain containment test on SQLite."""
    number = page if isinstance(page, int) else int(page) if page and page.isdigit() else 1
    number = max(1, min(number, 50))
    posts = Post.objects.filter(organisation=organisation, state=PostState.PUBLISHED)
    query = query.strip()[:200]
    if not query:
        return Results([], 1, False)
    if connection.vendor == "postgresql":
        # The stored, GIN-indexed vector of migration 0003 (a column the model does not
        # declare: SQLite has none).
        posts = posts.extra(
            where=[f"discussion_post.search @@ websearch_to_tsquery('{CONFIG}', %s)"],
            params=[query],
        )
    else:
        for word in query.split()[:8]:
            posts = posts.filter(text__icontains=word)
    start = (number - 1) * RESULTS
    found = list(posts.select_related("thread").order_by("-pk")[start : start + RESULTS + 1])
    return Results(found[:RESULTS], number, len(found) > RESULTS)


@dataclass(frozen=True)
class Notices:
    """What the member is told: decisions on their posts and on them, reviews of their
    registration, and their appeals."""

    decisions: list[Moderation]
    reviews: list[Review]
    appeals: list[Appeal]
    held: list[Post]


def notices(member: Member) -> Notices:
    hidden_posts = Post.objects.filter(author=member, state=PostState.HIDDEN).values(
        "moderation_id"
    )
    decisions = Moderation.objects.filter(
        Q(identity_key=member.identity_key, organisation_id=member.organisation_id)
        | Q(pk__in=hidden_posts)
    ).exclude(state=ModerationState.PROPOSED)
    return Notices(
        decisions=list(decisions.order_by("-made_at")),
        reviews=list(
            Review.objects.filter(member=member).select_related("suspension").order_by("-pk")
        ),
        appeals=list(Appeal.objects.filter(member=member).order_by("-lodged_at")),
        held=list(
            Post.objects.filter(author=member, state=PostState.HELD).select_related("thread")
        ),
    )


@dataclass
class Queue:
    """What waits for the organisation's moderators: no email, real name or identity key;
    only the display name and section a post shows, and what was written."""

    flagged: list[tuple[Post, list[tuple[str, int]]]] = field(default_factory=list)
    """Each flagged post with its flags' rules and how many flagged it on each."""
    held: list[Post] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    proposed: list[Moderation] = field(default_factory=list)
    holds: list[Moderation] = field(default_factory=list)


def moderation_queue(organisation: Organisation) -> Queue:
    flags = Flag.objects.filter(organisation=organisation, dealt_with=False, item_kind="post")
    grounds: dict[int, Counter[str]] = {}
    for item_id, ground in flags.values_list("item_id", "ground"):
        grounds.setdefault(item_id, Counter())[ground] += 1
    posts = Post.objects.filter(pk__in=grounds, state=PostState.PUBLISHED).select_related("thread")
    return Queue(
        flagged=[(p, sorted(grounds[p.pk].items())) for p in posts.order_by("pk")],
        held=list(
            Post.objects.filter(organisation=organisation, state=PostState.HELD)
            .select_related("thread", "moderation")
            .order_by("pk")
        ),
        reviews=list(
            Review.objects.filter(organisation=organisation, state=ReviewState.OPEN)
            .select_related("member", "suspension")
            .order_by("pk")
        ),
        proposed=list(
            Moderation.objects.filter(organisation=organisation, state=ModerationState.PROPOSED)
            .select_related("member", "proposed_by")
            .order_by("pk")
        ),
        holds=list(
            Moderation.objects.filter(
                organisation=organisation,
                state=ModerationState.IN_FORCE,
                kind=ModerationKind.HOLD,
            ).select_related("member")
        ),
    )


def appeals_waiting(organisation: Organisation) -> list[Appeal]:
    return list(
        Appeal.objects.filter(
            moderation__organisation=organisation, state=AppealState.LODGED
        ).select_related("moderation", "review")
    )


TOOK_EFFECT = (ModerationState.IN_FORCE, ModerationState.LIFTED, ModerationState.REVERSED)


@dataclass(frozen=True)
class Figures:
    """Moderation decisions that took effect, each counted once (a reversal on appeal is
    counted beside it, not as another decision); a cell below the rulebook's smallest
    published figure is None."""

    by_rule: dict[str, int | None]
    reversed_by_rule: dict[str, int | None]
    by_month: dict[str, int | None]
    by_candidate: dict[str, int | None]
    least: int


def counted(organisation: Organisation) -> QuerySet[Moderation]:
    return Moderation.objects.filter(organisation=organisation, state__in=TOOK_EFFECT)


def figures(organisation: Organisation) -> Figures:
    book = book_for(organisation)
    assert book.house_rules is not None
    rows = list(
        counted(organisation).values_list(
            "label", "state", "in_force_at", "contest__title", "supported__name"
        )
    )
    labels = [f"rule {r.number}, {r.name}" for r in book.house_rules.rules]
    by_rule = Counter(dict.fromkeys(labels, 0))
    reversed_ = Counter(dict.fromkeys(labels, 0))
    by_month: Counter[str] = Counter()
    by_candidate: Counter[str] = Counter()
    for label, state, at, contest, supported in rows:
        by_rule[label] += 1
        reversed_[label] += state == ModerationState.REVERSED
        by_month[f"{at:%Y-%m}"] += 1
        if contest is not None:
            by_candidate[f"{contest}: {supported or 'no candidate declared'}"] += 1
    return Figures(
        by_rule=published(book, by_rule),
        reversed_by_rule=published(book, reversed_),
        by_month=published(book, dict(sorted(by_month.items()))),
        by_candidate=published(book, dict(sorted(by_candidate.items()))),
        least=book.house_rules.min_published,
    )
