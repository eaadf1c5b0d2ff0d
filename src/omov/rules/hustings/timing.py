"""The hustings' schedule under the rulebook, and who may ask, support and answer when.

The campaign period runs from the close of nominations (the ballot is known) to the close
of the ballot. Hustings opened in it give members ``question_days`` to ask and support
questions, then every candidate ``answer_days`` to answer; answers are due by the ballot's
close at the latest, so a late opening shortens the time to ask, never the time to answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from omov.rules.decisions import Decision, DecisionKind
from omov.rules.errors import EventsError
from omov.rules.hustings.references import voting_sections
from omov.rules.hustings.schema import Hustings
from omov.rules.schema import Rulebook

K = DecisionKind


def when(moment: datetime) -> str:
    """A moment as the hustings' sentences give it, in its own zone, named:
    "17:00 on 4 August 2016 (BST)"."""
    return f"{moment:%H:%M} on {moment.day} {moment:%B %Y} ({moment:%Z})"


def hustings_rules(book: Rulebook) -> Hustings:
    if book.hustings is None:
        raise EventsError(f"{book.id} has no rules for hustings ([hustings])")
    return book.hustings


@dataclass(frozen=True)
class Schedule:
    """When the hustings opened, when questions close and when answers are due (the same
    deadline for every candidate)."""

    opens: datetime
    questions_close: datetime
    answers_due: datetime


@dataclass(frozen=True)
class Scheduled:
    schedule: Schedule | None
    """None: the hustings cannot open now (``decision`` says why)."""
    decision: Decision


def hustings_schedule(
    book: Rulebook, *, at: datetime, campaign_opens: datetime | None, ballot_closes: datetime
) -> Scheduled:
    """The schedule of hustings opened ``at``, in a campaign that began ``campaign_opens``
    (None: nominations are still open) and ends when the ballot closes."""
    rules = hustings_rules(book)
    asking, answering = timedelta(days=rules.question_days), timedelta(days=rules.answer_days)
    if campaign_opens is None or at < campaign_opens:
        return _not_now(rules, "Nominations are still open: the candidates are not yet known.")
    if at >= ballot_closes:
        return _not_now(rules, "The ballot has closed: the campaign is over.")
    questions_close = min(at + asking, ballot_closes - answering)
    if questions_close <= at:
        return _not_now(
            rules,
            f"The rules give members {_days(rules.question_days)} to ask and every candidate "
            f"{_days(rules.answer_days)} to answer before the ballot closes at "
            f"{when(ballot_closes)}; too little of the campaign is left.",
        )
    schedule = Schedule(at, questions_close, questions_close + answering)
    if questions_close < at + asking:
        close_rule = f"{_days(rules.answer_days)} before the ballot closes"
    else:
        close_rule = f"{_days(rules.question_days)} after opening"
    arithmetic = (
        f"opened {when(at)}; questions close {close_rule}, at {when(questions_close)}; "
        f"answers due {_days(rules.answer_days)} after that, at {when(schedule.answers_due)}"
    )
    return Scheduled(
        schedule,
        Decision(
            K.HUSTINGS_SCHEDULED,
            f"Questions until {when(questions_close)}; answers by {when(schedule.answers_due)}",
            "Members ask and support questions until questions close; then every candidate "
            "answers the same questions by the same deadline.",
            rules.schedule_citation,
            arithmetic,
            at=at,
        ),
    )


def _not_now(rules: Hustings, why: str) -> Scheduled:
    return Scheduled(
        None, Decision(K.REFUSED, "Hustings cannot open now", why, rules.schedule_citation)
    )


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def words(text: str) -> int:
    """Words as the limits count them: runs of characters between spaces (as a candidate's
    statement is counted)."""
    return len(text.split())


def taking_part_refusal(book: Rulebook, *, standing: str, section: str) -> Decision | None:
    """Why a member of ``standing`` in ``section`` may not ask or support questions in
    this contest, or None if they may."""
    rules = hustings_rules(book)
    if standing not in rules.may_take_part:
        allowed = ", ".join(rules.may_take_part)
        return Decision(
            K.REFUSED,
            f"A member whose membership is {standing} cannot take part",
            f"Questions are asked and supported by members whose membership is {allowed}.",
            rules.standing_citation,
        )
    sections = voting_sections(book)
    if section not in sections:
        names = ", ".join(book.sections[s].name for s in sections)
        return Decision(
            K.REFUSED,
            "Only the contest's electors take part",
            f"Questions are asked and supported by the sections that vote: {names}.",
            rules.standing_citation,
        )
    return None


def question_refusal(
    book: Rulebook, *, text: str, at: datetime, schedule: Schedule
) -> Decision | None:
    """Why a question written ``at`` is not taken (its length, or the time), or None."""
    rules = hustings_rules(book)
    late = asking_refusal(book, at=at, schedule=schedule)
    if late is not None:
        return late
    given = words(text)
    if given == 0:
        return Decision(K.REFUSED, "The question is empty", "Write the question.", rules.citation)
    if given > rules.question_words:
        return Decision(
            K.REFUSED,
            f"The question has {given} words; at most {rules.question_words}",
            "Every question is held to the same limit. Shorten it and ask again.",
            rules.words_citation,
            f"{given} > {rules.question_words}",
        )
    return None


def asking_refusal(book: Rulebook, *, at: datetime, schedule: Schedule) -> Decision | None:
    """Why questions cannot be asked or supported ``at`` (before the opening or after the
    close of questions), or None."""
    rules = hustings_rules(book)
    if schedule.opens <= at < schedule.questions_close:
        return None
    return Decision(
        K.REFUSED,
        "Questions are closed",
        f"Questions could be asked and supported from {when(schedule.opens)} until "
        f"{when(schedule.questions_close)}.",
        rules.schedule_citation,
    )


def answer_refusal(
    book: Rulebook, *, text: str, at: datetime, schedule: Schedule
) -> Decision | None:
    """Why a candidate's answer given ``at`` is refused (too long, too early, too late),
    or None: every candidate has the same limit and the same deadline."""
    rules = hustings_rules(book)
    if at < schedule.questions_close:
        return Decision(
            K.REFUSED,
            "The questions are not chosen yet",
            f"Candidates answer once questions close at {when(schedule.questions_close)}.",
            rules.schedule_citation,
        )
    if at > schedule.answers_due:
        return Decision(
            K.REFUSED,
            "The deadline for answers has passed",
            f"Every candidate's answers were due by {when(schedule.answers_due)}; "
            "a late answer would give one candidate more time than the others.",
            rules.schedule_citation,
            f"answered {when(at)}, due {when(schedule.answers_due)}",
        )
    given = words(text)
    if given == 0:
        return Decision(K.REFUSED, "The answer is empty", "Write the answer.", rules.citation)
    if given > rules.answer_words:
        return Decision(
            K.REFUSED,
            f"The answer has {given} words; at most {rules.answer_words}",
            "Every candidate answers within the same limit, so that each has equal time. "
            "Shorten it and send it again.",
            rules.words_citation,
            f"{given} > {rules.answer_words}",
        )
    return None
