"""What the hustings pages read: the contest's rules and schedule, the questions with their
support, the questions put and the answers side by side, with equal time checked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from omov.rules.hustings.equal_time import AnswerFacts, Check, equal_time
from omov.rules.hustings.schema import GroupedBy
from omov.rules.hustings.timing import Schedule
from omov.rules.schema import Rulebook
from omov.web.contests.models import Candidate, Contest, EventKind, known_zones
from omov.web.contests.rulebooks import stored_book
from omov.web.errors import ContestError
from omov.web.hustings.models import Answer, Chosen, Hustings, Phase, Question
from omov.web.hustings.moderation import flagged, hidden
from omov.web.members.home import HomeLink
from omov.web.members.models import Member, Unit


def book_of(contest: Contest) -> Rulebook:
    """The contest's stored rulebook, its times read in the organisation's zone (the zone
    every page of the contest shows); a ``ContestError`` if it has no hustings."""
    book = stored_book(contest.rulebook.typed)
    if book.hustings is None:
        raise ContestError(gettext("The rules this contest runs under have no hustings."))
    zone = contest.organisation.time_zone
    if zone in known_zones() and zone != book.timezone:
        return book.model_copy(update={"timezone": zone})
    return book


def in_zone(book: Rulebook, moment: dt.datetime) -> dt.datetime:
    """``moment`` in ``book_of``'s zone, as the engine's sentences give times."""
    return moment.astimezone(ZoneInfo(book.timezone))


def campaign_opened_at(contest: Contest) -> dt.datetime | None:
    """When nominations closed (the ballot was known): the campaign's start."""
    closed = contest.engine_events.filter(kind=EventKind.CLOSE_NOMINATIONS).first()
    return closed.recorded_at if closed is not None else None


def schedule_of(hustings: Hustings, book: Rulebook) -> Schedule:
    return Schedule(
        in_zone(book, hustings.opens_at),
        in_zone(book, hustings.questions_close_at),
        in_zone(book, hustings.answers_due_at),
    )


def group_of(book: Rulebook, member: Member) -> str:
    """The group a member's question counts in: their section, or their unit of the kind
    the rules name (empty if they have none)."""
    rules = book.hustings
    if rules is None or rules.choice.grouped_by is GroupedBy.SECTION:
        return member.section
    unit = member.units.filter(kind=rules.choice.unit_kind).order_by("code").first()
    return unit.code if unit is not None else ""


def group_names(book: Rulebook, contest: Contest) -> dict[str, str]:
    rules = book.hustings
    if rules is None or rules.choice.grouped_by is GroupedBy.SECTION:
        return {slug: section.name for slug, section in book.sections.items()}
    units = Unit.objects.filter(organisation=contest.organisation, kind=rules.choice.unit_kind)
    return dict(units.values_list("code", "name"))


@dataclass(frozen=True)
class AskedQuestion:
    number: int
    text: str
    asker: str
    group: str
    support: int
    supported: bool
    """The signed-in member supports it."""
    mine: bool = False
    """The signed-in member asked it."""
    hidden: str = ""
    """A moderator's decision hiding it ("Hidden by a moderator: rule 3, personal
    abuse"); empty while it is shown."""
    decision: int | None = None
    """That decision's id: its author may appeal it."""
    flags: int = 0
    """Open flags on it, for the moderators."""


@dataclass(frozen=True)
class Reply:
    """A candidate's place beside the others: their answer, or None if they gave none."""

    candidate: str
    answer: Answer | None


@dataclass(frozen=True)
class PutQuestion:
    number: int
    text: str
    asker: str
    group: str
    support: int
    explanation: str
    arithmetic: str
    citation: str
    published: bool
    """Every candidate has answered, or the deadline has passed: the answers show together."""
    replies: list[Reply]
    """One per candidate on the ballot, in ballot order (empty until published)."""
    check: Check | None
    answered: int
    """How many candidates have answered (shown before the answers are)."""
    answered_by_me: bool = False
    hidden: str = ""
    """A moderator hid the question after it was put: its text and answers are not shown."""


@dataclass(frozen=True)
class Page:
    contest: Contest
    hustings: Hustings | None
    candidates: list[Candidate]
    asking: bool = False
    questions: list[AskedQuestion] = field(default_factory=list)
    put: list[PutQuestion] = field(default_factory=list)
    me_candidate: Candidate | None = None
    answering: bool = False


def ballot_candidates(contest: Contest) -> list[Candidate]:
    return list(contest.candidates.filter(on_ballot=True).order_by("position"))


def hustings_page(
    contest: Contest, member: Member | None, *, now: dt.datetime | None = None
) -> Page:
    """Everything the hustings page shows, for ``member`` (None: an officer, who sees every
    answer as it comes, to oversee the hustings)."""
    now = now or timezone.now()
    hustings = Hustings.objects.filter(contest=contest).first()
    candidates = ballot_candidates(contest)
    if hustings is None:
        return Page(contest, None, candidates)
    book = book_of(contest)
    names = group_names(book, contest)
    mine: set[int] = set()
    if member is not None:
        mine = set(
            hustings.questions.filter(supports__member=member).values_list("number", flat=True)
        )
    rows = list(
        hustings.questions.select_related("asker")
        .annotate(support=Count("supports"))
        .order_by("-support", "asked_at", "number")
    )
    out = hidden([q.pk for q in rows])
    open_flags = flagged([q.pk for q in rows])
    questions = [
        AskedQuestion(
            q.number,
            q.text if q.pk not in out or q.asker_id == getattr(member, "pk", None) else "",
            q.asker.display_name,
            names.get(q.group, q.group),
            q.support,
            q.number in mine,
            q.asker_id == getattr(member, "pk", None),
            f"Hidden by a moderator: {out[q.pk].label}" if q.pk in out else "",
            out[q.pk].pk if q.pk in out else None,
            open_flags.get(q.pk, 0),
        )
        for q in rows
    ]
    me = _candidate(contest, member)
    put = _put(hustings, book, candidates, names, now, me)
    asking = (
        hustings.phase == Phase.ASKING and hustings.opens_at <= now < hustings.questions_close_at
    )
    answering = hustings.phase == Phase.CHOSEN and now <= hustings.answers_due_at
    return Page(contest, hustings, candidates, asking, questions, put, me, answering)


def _candidate(contest: Contest, member: Member | None) -> Candidate | None:
    if member is None:
        return None
    return Candidate.objects.filter(
        contest=contest, on_ballot=True, hustings_member__member=member
    ).first()


def _put(
    hustings: Hustings,
    book: Rulebook,
    candidates: list[Candidate],
    names: dict[str, str],
    now: dt.datetime,
    me: Candidate | None,
) -> list[PutQuestion]:
    chosen = Chosen.objects.filter(question__hustings=hustings).select_related("question__asker")
    out = hidden([row.question_id for row in chosen])
    answers: dict[int, dict[int, Answer]] = {}
    for answer in Answer.objects.filter(question__hustings=hustings):
        answers.setdefault(answer.question_id, {})[answer.candidate_id] = answer
    schedule = schedule_of(hustings, book)
    put = []
    for row in chosen:
        question: Question = row.question
        given = answers.get(question.pk, {})
        published = now > hustings.answers_due_at or all(c.pk in given for c in candidates)
        shut = question.pk in out
        shown = published and not shut
        facts = [
            AnswerFacts(
                c.name, a.words, a.word_limit, in_zone(book, a.due_at), in_zone(book, a.answered_at)
            )
            for c in candidates
            if (a := given.get(c.pk)) is not None
        ]
        check = equal_time(
            book,
            schedule=schedule,
            candidates=[c.name for c in candidates],
            answers=facts,
            at=in_zone(book, now),
        )
        put.append(
            PutQuestion(
                question.number,
                "" if shut else question.text,
                question.asker.display_name,
                names.get(question.group, question.group),
                row.support,
                row.explanation,
                row.arithmetic,
                row.citation,
                published,
                [Reply(c.name, given.get(c.pk)) for c in candidates] if shown else [],
                check if shown else None,
                len(given),
                me is not None and me.pk in given,
                f"Hidden by a moderator: {out[question.pk].label}" if shut else "",
            )
        )
    return put


def hustings_links(member: Member) -> list[HomeLink]:
    """The member's home links to the hustings of their organisation's contests."""
    rows = Hustings.objects.filter(contest__organisation_id=member.organisation_id)
    return [
        HomeLink(f"Hustings: {title}", reverse("hustings", args=[pk]))
        for pk, title in rows.order_by("-contest_id").values_list("contest_id", "contest__title")
    ]
