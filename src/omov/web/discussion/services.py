"""Members' side of discussion: threads, posts, quoting, flags, the candidate they say they
support, and their posts exported or erased on request (UK GDPR Art. 15, 17, 20).

Everything a member writes is checked first against the house rules in force: the posting
limits (``omov.rules.house_rules.posting_refusal``) and what moderators decided about the
person (``rulings.restriction``: suspended, refused; held, the post waits for a moderator).
"""

from __future__ import annotations

import datetime as dt
import json

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext

from omov.rules import RulesError
from omov.rules.house_rules import author_shown, house_rule, posting_refusal
from omov.web.contests.models import Candidate, Contest
from omov.web.discussion.markup import LONGEST, quoted, render
from omov.web.discussion.models import (
    Declaration,
    Flag,
    Post,
    PostState,
    Thread,
)
from omov.web.discussion.rulings import book_for, log, restriction
from omov.web.discussion.targets import target
from omov.web.errors import ContestError
from omov.web.members.models import Member

TITLE_LONGEST = 200


def _text(text: str) -> str:
    text = text.strip()
    if not text:
        raise ContestError(gettext("write something first"))
    if len(text) > LONGEST:
        raise ContestError(
            gettext("a post is at most %(longest)s characters; this is %(length)s")
            % {"longest": f"{LONGEST:,}", "length": f"{len(text):,}"}
        )
    return text


@transaction.atomic
def thread_start(*, member: Member, kind: str, target_id: int, title: str, text: str) -> Thread:
    """A new thread on a contest, motion or petition of the member's organisation, with its
    first post."""
    found = target(member.organisation, kind, target_id)
    if found is None:
        raise ContestError(gettext("there is nothing of that kind to discuss in your organisation"))
    title = " ".join(title.split())
    if not title or len(title) > TITLE_LONGEST:
        raise ContestError(
            gettext("a thread needs a title of at most %(title_longest)s characters")
            % {"title_longest": TITLE_LONGEST}
        )
    _text(text)
    thread = Thread.objects.create(
        organisation_id=member.organisation_id,
        target_kind=kind,
        target_id=target_id,
        contest=found.contest,
        title=title,
        started_by=member,
    )
    post_create(member=member, thread=thread, text=text)
    return thread


@transaction.atomic
def post_create(*, member: Member, thread: Thread, text: str, quotes: Post | None = None) -> Post:
    """A member's post in ``thread`` (quoting ``quotes``: its text goes in as a quotation);
    held for a moderator if the person's posts are held; refused while they are suspended
    or over the posting limits."""
    if thread.organisation_id != member.organisation_id:
        raise ContestError(gettext("this thread is not your organisation's"))
    text = _text(text)
    book = book_for(member.organisation_id)
    now = timezone.now()
    recent = Post.objects.filter(author=member, created_at__gte=now - dt.timedelta(hours=1))
    counts = recent.aggregate(
        hour=Count("pk"),
        minute=Count("pk", filter=Q(created_at__gte=now - dt.timedelta(minutes=1))),
    )
    refused = posting_refusal(book, last_minute=counts["minute"], last_hour=counts["hour"])
    if refused is not None:
        raise ContestError(refused.summary)
    person = restriction(member)
    if not person.may_write:
        raise ContestError(person.refusal())
    if quotes is not None:
        if quotes.thread_id != thread.pk or quotes.state != PostState.PUBLISHED:
            raise ContestError(gettext("you can quote only a post shown in this thread"))
        text = quoted(quotes.shown_as, quotes.text) + text
    show_name, show_unit = author_shown(book)
    return Post.objects.create(
        organisation_id=thread.organisation_id,
        thread=thread,
        number=_next_number(thread),
        author=member,
        shown_as=member.display_name,
        section=member.section,
        real_name=member.full_name if show_name else "",
        unit=_unit(member) if show_unit else "",
        quotes=quotes,
        text=text,
        html=render(text),
        state=PostState.HELD if person.held is not None else PostState.PUBLISHED,
        moderation=person.held,
        created_at=now,
    )


def _next_number(thread: Thread) -> int:
    """The thread's next post number, counted in one statement (the row stays locked until
    the post is written, so two posts never take one number)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE discussion_thread SET posts_made = posts_made + 1 WHERE id = %s "
            "RETURNING posts_made",
            [thread.pk],
        )
        (number,) = cursor.fetchone()
    thread.posts_made = number
    return int(number)


def _unit(member: Member) -> str:
    units = sorted(member.units.values_list("name", flat=True))
    return ", ".join(units)


@transaction.atomic
def flag_record(*, member: Member, item_kind: str, item_id: int, ground: str) -> Flag:
    """``member`` asks a moderator to look at an item (a post, or another app's item of its
    organisation), citing a house rule of the rulebook in force."""
    try:
        rule = house_rule(book_for(member.organisation_id), ground)
    except RulesError as error:
        raise ContestError(str(error)) from None
    if item_kind == "post":
        post = Post.objects.filter(
            pk=item_id, organisation_id=member.organisation_id, state=PostState.PUBLISHED
        ).first()
        if post is None:
            raise ContestError(gettext("there is no such post to flag"))
        if post.author_id == member.pk:
            raise ContestError(gettext("you cannot flag your own post"))
    flag, made = Flag.objects.get_or_create(
        item_kind=item_kind,
        item_id=item_id,
        member=member,
        defaults={"organisation_id": member.organisation_id, "ground": rule.code},
    )
    if not made:
        raise ContestError(gettext("you have already flagged this"))
    return flag


@transaction.atomic
def declaration_make(*, member: Member, contest: Contest, candidate: Candidate | None) -> None:
    """The candidate ``member`` says they support in ``contest`` (None: no longer says)."""
    if contest.organisation_id != member.organisation_id:
        raise ContestError(gettext("this contest is not your organisation's"))
    if candidate is None:
        Declaration.objects.filter(member=member, contest=contest).delete()
        return
    if candidate.contest_id != contest.pk:
        raise ContestError(gettext("that candidate does not stand in this contest"))
    Declaration.objects.update_or_create(
        member=member, contest=contest, defaults={"candidate": candidate}
    )


def member_posts_export(member: Member) -> bytes:
    """Everything discussion keeps that the member wrote or chose, as JSON."""
    posts = Post.objects.filter(author=member).select_related("thread").order_by("created_at")
    data = {
        "member": member.display_name,
        "posts": [
            {
                "thread": p.thread.title,
                "number": p.number,
                "written": p.created_at.isoformat(),
                "state": p.get_state_display(),
                "text": p.text,
            }
            for p in posts
        ],
        "flags": [
            {"item": f"{f.item_kind} {f.item_id}", "rule": f.ground, "at": f.created_at.isoformat()}
            for f in Flag.objects.filter(member=member).order_by("created_at")
        ],
        "supports": [
            {"contest": d.contest.title, "candidate": d.candidate.name}
            for d in Declaration.objects.filter(member=member).select_related(
                "contest", "candidate"
            )
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")


@transaction.atomic
def member_posts_erase(*, member: Member) -> int:
    """Erase the member's posts, flags and declarations; each post's place says it was
    erased at its author's request. Moderation decisions keep their hash of the text, not
    the text. Returns how many posts were erased."""
    erased = Post.objects.filter(author=member).update(
        text="",
        html="",
        shown_as="",
        section="",
        real_name="",
        unit="",
        state=PostState.ERASED,
        author=None,
    )
    Flag.objects.filter(member=member).delete()
    Declaration.objects.filter(member=member).delete()
    log(member.organisation, "discussion.posts-erased", {"member": member.pk, "posts": erased})
    return erased
