"""Which questions are put to the candidates: the most supported, after each group (a
section of the electorate, or a region) has its minimum share of them.

Support is counted once per member (the web app's unique constraint); here a question is
its number, its asker's group, its support and when it was asked. Ties go to the question
asked first, so the choice is the same however often it is made.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from omov.rules.decisions import Decision, DecisionKind
from omov.rules.hustings.schema import GroupedBy, QuestionChoice
from omov.rules.hustings.timing import hustings_rules
from omov.rules.schema import Rulebook
from omov.rules.values import format_percent

K = DecisionKind


@dataclass(frozen=True)
class QuestionFacts:
    number: int
    group: str
    """The asker's section, or their unit of the rules' kind (empty: in none)."""
    support: int
    asked_at: datetime


@dataclass(frozen=True)
class Choice:
    chosen: tuple[int, ...]
    """The questions' numbers, most supported first: the order they are put in."""
    decisions: tuple[Decision, ...]
    """One for each chosen question, in the same order, saying why it was chosen."""


def choose_questions(
    book: Rulebook, questions: Sequence[QuestionFacts], *, names: Mapping[str, str] | None = None
) -> Choice:
    """The questions put to every candidate. ``names``: how the groups are called (by
    default, the sections' names)."""
    choice = hustings_rules(book).choice
    ranked = sorted(questions, key=lambda q: (-q.support, q.asked_at, q.number))
    place = {q.number: n for n, q in enumerate(ranked, start=1)}
    owed = _owed(choice, ranked)
    chosen = {q.number for q in owed}
    for question in ranked:
        if len(chosen) >= choice.questions:
            break
        chosen.add(question.number)
    top = {q.number for q in ranked[: choice.questions]}  # chosen on support alone
    called = names if names is not None else {s: v.name for s, v in book.sections.items()}
    decisions = [
        _decision(choice, q, place[q.number], len(ranked), q.number not in top, called)
        for q in ranked
        if q.number in chosen
    ]
    return Choice(tuple(q.number for q in ranked if q.number in chosen), tuple(decisions))


def _owed(choice: QuestionChoice, ranked: Sequence[QuestionFacts]) -> list[QuestionFacts]:
    """Each group's most supported questions, up to its share; groups whose best question
    is better supported are served first, should the shares not all fit."""
    reserved = choice.reserved()
    if reserved == 0:
        return []
    taken: dict[str, int] = {}
    owed: list[QuestionFacts] = []
    for question in ranked:
        if not question.group or taken.get(question.group, 0) >= reserved:
            continue
        if len(owed) >= choice.questions:
            break
        taken[question.group] = taken.get(question.group, 0) + 1
        owed.append(question)
    return owed


def _decision(
    choice: QuestionChoice,
    question: QuestionFacts,
    place: int,
    asked: int,
    owed: bool,
    names: Mapping[str, str],
) -> Decision:
    backers = (
        "1 member supports it"
        if question.support == 1
        else f"{question.support} members support it"
    )
    arithmetic = f"{backers}: the {_ordinal(place)}most supported of {asked}"
    if owed:
        kind = "section" if choice.grouped_by is GroupedBy.SECTION else "region"
        group = names.get(question.group, question.group)
        explanation = (
            f"Among the most supported questions from {group}: each {kind} is owed at least "
            f"{format_percent(choice.minimum_share)} of the {choice.questions} questions "
            f"({choice.reserved()})."
        )
    else:
        explanation = f"Among the {choice.questions} most supported questions."
    return Decision(
        K.QUESTION_CHOSEN,
        f"Question {question.number} is put to every candidate",
        explanation,
        choice.citation,
        arithmetic,
        subject=str(question.number),
    )


def _ordinal(n: int) -> str:
    """ "" for the first ("the most supported"), else "2nd ", "11th "..."""
    if n == 1:
        return ""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix} "
