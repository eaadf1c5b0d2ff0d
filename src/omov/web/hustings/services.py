"""Hustings services: open them, ask and support questions, choose the questions put, link
a candidate to their member record, answer. Each runs in one transaction, asks the engine
(``omov.rules.hustings``) and writes an entry to the contest's log, as the contest's own
services do; a refusal changes nothing.

The log keeps who acted as a person key (the ledger hashes ``reference``) and a digest of
what they wrote, not the text: the page publishes the text, the log proves it unchanged.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext

from omov.rules.decisions import Decision
from omov.rules.hustings.choosing import QuestionFacts, choose_questions
from omov.rules.hustings.timing import (
    answer_refusal,
    asking_refusal,
    hustings_schedule,
    question_refusal,
    taking_part_refusal,
    words,
)
from omov.web.audit.services import event_record
from omov.web.contests.engine import Actor
from omov.web.contests.models import Candidate, Contest, ContestState
from omov.web.contests.services import contest_lock
from omov.web.discussion.rulings import restriction
from omov.web.errors import ContestError
from omov.web.hustings.models import (
    Answer,
    CandidateMember,
    Chosen,
    Hustings,
    Phase,
    Question,
    Support,
)
from omov.web.hustings.moderation import hidden
from omov.web.hustings.selectors import (
    book_of,
    campaign_opened_at,
    group_names,
    group_of,
    in_zone,
    schedule_of,
)
from omov.web.members.models import Member

CAMPAIGN = (ContestState.ELECTORATE, ContestState.FROZEN, ContestState.BALLOT_OPEN)


def said(decision: Decision) -> str:
    """A refusal as the person reads it: what, then why."""
    return f"{decision.summary}. {decision.explanation}"


def person(member: Member) -> str:
    """How the log names a member: hashed into a person key in the ledger."""
    return f"member:{member.pk}"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _log(contest: Contest, kind: str, payload: dict[str, Any]) -> None:
    """Append to the contest's log; the caller holds the contest's row lock."""
    event_record(stream=contest.stream, kind=kind, payload=payload)


def log_locked(contest: Contest, kind: str, payload: dict[str, Any]) -> None:
    """Lock the contest's row (the log's order), then append to its log."""
    Contest.objects.select_for_update().get(pk=contest.pk)
    _log(contest, kind, payload)


def _actor(actor: Actor) -> str | None:
    return actor.get_username() if actor is not None and actor.is_authenticated else None


@transaction.atomic
def hustings_open(*, contest: Contest, actor: Actor = None) -> Hustings:
    """Open the contest's hustings now: the engine sets the schedule within the campaign
    (from the close of nominations to the close of the ballot)."""
    contest = contest_lock(contest=contest, expected=CAMPAIGN)
    if Hustings.objects.filter(contest=contest).exists():
        raise ContestError(gettext("the hustings are already open"))
    book = book_of(contest)
    opened = campaign_opened_at(contest)
    found = hustings_schedule(
        book,
        at=in_zone(book, timezone.now()),
        campaign_opens=in_zone(book, opened) if opened is not None else None,
        ballot_closes=in_zone(book, contest.ballot_closes_at),
    )
    if found.schedule is None:
        raise ContestError(said(found.decision))
    rules = book.hustings
    assert rules is not None  # book_of refuses a rulebook without hustings
    hustings = Hustings.objects.create(
        contest=contest,
        opens_at=found.schedule.opens,
        questions_close_at=found.schedule.questions_close,
        answers_due_at=found.schedule.answers_due,
        question_words=rules.question_words,
        answer_words=rules.answer_words,
        citation=rules.citation,
        opened_by_id=actor.pk if actor is not None and actor.is_authenticated else None,
    )
    _log(
        contest,
        "hustings.opened",
        {"actor": _actor(actor), "schedule": found.decision.as_record()},
    )
    return hustings


def _taking_part(contest: Contest, member: Member) -> None:
    if member.organisation_id != contest.organisation_id:
        raise ContestError(
            gettext("Only members of %(organisation)s take part in its hustings.")
            % {"organisation": contest.organisation}
        )
    refusal = taking_part_refusal(
        book_of(contest), standing=member.standing, section=member.section
    )
    if refusal is not None:
        raise ContestError(said(refusal))


def _not_suspended(member: Member) -> None:
    """A person suspended from discussion under the house rules writes no question either:
    the suspension follows the person (``omov.web.discussion``)."""
    found = restriction(member)
    if not found.may_write:
        raise ContestError(found.refusal())


def _hustings(contest: Contest) -> Hustings:
    found = Hustings.objects.filter(contest=contest).first()
    if found is None:
        raise ContestError(gettext("The hustings of this contest have not opened."))
    return found


@transaction.atomic
def question_ask(*, contest: Contest, member: Member, text: str) -> Question:
    """A member asks the candidates a question; asking it counts as supporting it."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)  # numbers and the log
    hustings = _hustings(contest)
    _taking_part(contest, member)
    _not_suspended(member)
    book = book_of(contest)
    text = text.strip()
    now = timezone.now()
    refusal = question_refusal(
        book, text=text, at=in_zone(book, now), schedule=schedule_of(hustings, book)
    )
    if refusal is not None:
        raise ContestError(said(refusal))
    last = hustings.questions.aggregate(last=Max("number"))["last"] or 0
    question = Question.objects.create(
        hustings=hustings,
        number=last + 1,
        asker=member,
        group=group_of(book, member),
        text=text,
        asked_at=now,
    )
    Support.objects.create(question=question, member=member, at=now)
    _log(
        contest,
        "hustings.question.asked",
        {
            "question": question.number,
            "reference": person(member),
            "group": question.group,
            "text_sha256": digest(text),
        },
    )
    return question


ALREADY = "You already support this question: each member supports a question once."


@transaction.atomic
def question_support(*, contest: Contest, number: int, member: Member) -> Support:
    """One member, one vote: the unique constraint refuses a second support, however many
    requests arrive together (the insert waits for the first to commit, then fails)."""
    hustings = _hustings(contest)
    _taking_part(contest, member)
    book = book_of(contest)
    now = timezone.now()
    refusal = asking_refusal(book, at=in_zone(book, now), schedule=schedule_of(hustings, book))
    if refusal is not None:
        raise ContestError(said(refusal))
    question = hustings.questions.filter(number=number).first()
    if question is None:
        raise ContestError(gettext("There is no such question."))
    if hidden([question.pk]):
        raise ContestError(gettext("A moderator has hidden this question: it takes no support."))
    try:
        with transaction.atomic():
            support = Support.objects.create(question=question, member=member, at=now)
    except IntegrityError:
        raise ContestError(ALREADY) from None
    log_locked(
        contest,
        "hustings.question.supported",
        {"question": question.number, "reference": person(member)},
    )
    return support


@transaction.atomic
def questions_choose(*, contest: Contest, actor: Actor = None) -> list[Chosen]:
    """Once questions close, the engine chooses the questions put to every candidate."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    hustings = _hustings(contest)
    if hustings.phase != Phase.ASKING:
        raise ContestError(gettext("the questions have already been chosen"))
    book = book_of(contest)
    if timezone.now() < hustings.questions_close_at:
        raise ContestError(gettext("members may ask and support questions until questions close"))
    every = {q.pk: q for q in hustings.questions.annotate(support=Count("supports"))}
    out = hidden(list(every))  # a hidden question is not put
    questions = {q.number: q for pk, q in every.items() if pk not in out}
    facts = [QuestionFacts(q.number, q.group, q.support, q.asked_at) for q in questions.values()]
    choice = choose_questions(book, facts, names=group_names(book, contest))
    chosen = [
        Chosen.objects.create(
            question=questions[number],
            position=position,
            support=questions[number].support,
            explanation=decision.explanation,
            arithmetic=decision.arithmetic,
            citation=decision.citation,
        )
        for position, (number, decision) in enumerate(
            zip(choice.chosen, choice.decisions, strict=True), start=1
        )
    ]
    hustings.phase = Phase.CHOSEN
    hustings.save(update_fields=["phase"])
    _log(
        contest,
        "hustings.questions.chosen",
        {
            "actor": _actor(actor),
            "asked": len(every),
            "hidden": len(out),
            "decisions": [d.as_record() for d in choice.decisions],
        },
    )
    return chosen


@transaction.atomic
def candidate_member_link(
    *, contest: Contest, candidate: Candidate, number: str, actor: Actor = None
) -> CandidateMember:
    """The candidate is the member with membership ``number``: they answer signed in as
    that member."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    if candidate.contest_id != contest.pk or not candidate.on_ballot:
        raise ContestError(
            gettext("Only a candidate on this contest's ballot answers its hustings.")
        )
    member = Member.objects.filter(organisation=contest.organisation, number=number.strip()).first()
    if not number.strip() or member is None:
        raise ContestError(gettext("No member of this organisation has that membership number."))
    if Answer.objects.filter(candidate=candidate).exists():
        raise ContestError(
            gettext("%(name)s has answered already; the link stays as it is.")
            % {"name": candidate.name}
        )
    link, _ = CandidateMember.objects.update_or_create(
        candidate=candidate, defaults={"member": member, "linked_by_id": _user_id(actor)}
    )
    _log(
        contest,
        "hustings.candidate.linked",
        {"actor": _actor(actor), "candidate": candidate.name, "reference": person(member)},
    )
    return link


def _user_id(actor: Actor) -> int | None:
    return actor.pk if actor is not None and actor.is_authenticated else None


def candidate_of(contest: Contest, member: Member) -> Candidate | None:
    """The candidate on the ballot this member is, if any."""
    return Candidate.objects.filter(
        contest=contest, on_ballot=True, hustings_member__member=member
    ).first()


@transaction.atomic
def answer_give(*, contest: Contest, number: int, member: Member, text: str) -> Answer:
    """A candidate answers a question put to them: within the word limit and by the
    deadline every candidate was given, once."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    hustings = _hustings(contest)
    candidate = candidate_of(contest, member)
    if candidate is None:
        raise ContestError(gettext("Only the candidates answer the questions."))
    question = hustings.questions.filter(number=number, chosen__isnull=False).first()
    if question is None:
        raise ContestError(gettext("That question was not put to the candidates."))
    if hidden([question.pk]):
        raise ContestError(gettext("A moderator has hidden that question: it is no longer put."))
    book = book_of(contest)
    text = text.strip()
    now = timezone.now()
    refusal = answer_refusal(
        book, text=text, at=in_zone(book, now), schedule=schedule_of(hustings, book)
    )
    if refusal is not None:
        raise ContestError(said(refusal))
    if Answer.objects.filter(question=question, candidate=candidate).exists():
        raise ContestError(gettext("You have answered this question already."))
    answer = Answer.objects.create(
        question=question,
        candidate=candidate,
        text=text,
        words=words(text),
        word_limit=hustings.answer_words,
        due_at=hustings.answers_due_at,
        answered_at=now,
    )
    _log(
        contest,
        "hustings.answer.given",
        {
            "question": question.number,
            "candidate": candidate.name,
            "words": answer.words,
            "text_sha256": digest(text),
        },
    )
    return answer
