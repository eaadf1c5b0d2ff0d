"""Equal time, checked where the answers are published: every candidate answered the same
question under the same word limit and by the same deadline, and each answer kept to them.

The check reads what was stored with each answer (its words, and the limit and deadline
it was given), so a page shows whether the rule held for what it publishes, not merely
what the rules say today.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from omov.rules.hustings.timing import Schedule, hustings_rules, when
from omov.rules.schema import Rulebook


@dataclass(frozen=True)
class AnswerFacts:
    candidate: str
    words: int
    word_limit: int
    """The limit the answer was given when it was accepted."""
    due: datetime
    """The deadline it was given."""
    at: datetime


@dataclass(frozen=True)
class Check:
    """The verdict on one question's answers: whether equal time held, and why."""

    ok: bool
    message: str
    citation: str


def equal_time(
    book: Rulebook,
    *,
    schedule: Schedule,
    candidates: Sequence[str],
    answers: Sequence[AnswerFacts],
    at: datetime,
) -> Check:
    """Equal time for one question's ``answers`` from ``candidates``, as of ``at``."""
    rules = hustings_rules(book)
    limit, due = rules.answer_words, schedule.answers_due
    faults = []
    for answer in answers:
        if answer.candidate not in candidates:
            faults.append(f"{answer.candidate} is not a candidate on the ballot")
        if answer.word_limit != limit or answer.due != due:
            faults.append(f"{answer.candidate} was given a different word limit or deadline")
        if answer.words > answer.word_limit:
            faults.append(f"{answer.candidate}'s answer is over the limit ({answer.words} words)")
        if answer.at > answer.due:
            faults.append(f"{answer.candidate} answered after the deadline")
    if len({a.candidate for a in answers}) != len(answers):
        faults.append("a candidate answered twice")
    if faults:
        return Check(
            False, "Equal time does not hold: " + "; ".join(faults) + ".", rules.words_citation
        )
    terms = f"{limit} words, by {when(due)}"
    answered = {a.candidate for a in answers}
    missing = [c for c in candidates if c not in answered]
    if not missing:
        message = f"Equal time: every candidate answered within the same limit ({terms})."
    elif at > due:
        message = (
            f"Equal time: every candidate had the same limit ({terms}); "
            f"{_listed(missing)} did not answer."
        )
    else:
        message = f"Equal time: every candidate has the same limit ({terms})."
    return Check(True, message, rules.words_citation)


def _listed(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"
