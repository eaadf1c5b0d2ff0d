"""House rules of members' discussion (pure): the rulebook's numbered grounds on which a
moderator hides a post, holds a member's posts for pre-moderation or suspends them from
discussion, and what the rules make of each step, every answer a decision with its clause.

``[house_rules]`` in a rulebook (``HouseRules``) holds the grounds (abuse, discrimination,
doxxing, spam, campaigning outside the allowed period), each with a plain statement and a
citation; who confirms a suspension and how long one may last; the days to appeal and who
hears appeals; members' posting limits; what a post shows of its author; and the smallest
figure published. The web app records what moderators did; these functions say what the
rules make of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, TypeVar

from pydantic import Field, model_validator

from omov.rules.decisions import Decision, DecisionKind
from omov.rules.errors import EventsError
from omov.rules.values import Citation, Model

if TYPE_CHECKING:
    from omov.rules.schema import Rulebook

K = DecisionKind
Key = TypeVar("Key")


class HouseRule(Model):
    """One numbered ground: the number a decision cites ("rule 3"), a short name ("personal
    abuse"), what the member is told, and the clause it rests on."""

    number: int = Field(ge=1)
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1)
    statement: str = Field(min_length=1)
    citation: Citation


class HouseRules(Model):
    rules: list[HouseRule] = Field(min_length=1)
    second_moderator: bool = True
    """A suspension takes effect only when a second moderator confirms it."""
    max_suspension_days: int = Field(default=365, ge=1)
    suspension_citation: Citation
    appeal_days: int = Field(default=14, ge=1)
    appeals_heard_by: str = "the appeals panel"
    appeal_citation: Citation
    posts_per_minute: int = Field(default=5, ge=1)
    posts_per_hour: int = Field(default=60, ge=1)
    """A member's posts beyond these in the last minute or hour wait until the limit passes."""
    show_real_name: bool = False
    """Posts show the author's real name beside the display name they chose."""
    show_unit: bool = False
    """Posts show the author's unit (CLP, branch) beside their section."""
    privacy_citation: Citation
    min_published: int = Field(default=10, ge=1)
    """A cell of the published moderation figures below this is suppressed."""
    citation: Citation

    @model_validator(mode="after")
    def _numbered_once(self) -> HouseRules:
        numbers = [r.number for r in self.rules]
        if numbers != sorted(set(numbers)):
            raise ValueError("house rules are numbered once each, in order")
        codes = [r.code for r in self.rules]
        if len(codes) != len(set(codes)):
            raise ValueError("each house rule has its own code")
        return self


def house_rules(book: Rulebook) -> HouseRules:
    if book.house_rules is None:
        raise EventsError(f"{book.id} has no house rules for discussion ([house_rules])")
    return book.house_rules


def house_rule(book: Rulebook, ground: str | int) -> HouseRule:
    """The rule a moderator cites, by its code (``abuse``) or its number (3)."""
    rules = house_rules(book).rules
    found = next((r for r in rules if ground in (r.code, r.number, str(r.number))), None)
    if found is None:
        known = ", ".join(f"{r.number} ({r.code})" for r in rules)
        raise EventsError(f"{ground!r} is not a house rule of {book.id}; its rules: {known}")
    return found


def ground_label(rule: HouseRule) -> str:
    """How a decision names its ground in the post's place: "rule 3, personal abuse"."""
    return f"rule {rule.number}, {rule.name}"


def hide_decision(book: Rulebook, ground: str | int) -> Decision:
    rule = house_rule(book, ground)
    return Decision(
        K.HIDDEN,
        f"Hidden by a moderator: {ground_label(rule)}",
        rule.statement,
        rule.citation,
    )


def hold_decision(book: Rulebook, ground: str | int) -> Decision:
    rule = house_rule(book, ground)
    return Decision(
        K.HELD,
        f"Posts held for a moderator: {ground_label(rule)}",
        "Each new post waits until a moderator lets it through. " + rule.statement,
        rule.citation,
    )


def suspension_decision(book: Rulebook, ground: str | int, *, days: int) -> Decision:
    """A suspension of ``days`` from discussion: ``SUSPENDED``, or ``REFUSED`` if longer
    than the rules allow (or no time at all)."""
    rules = house_rules(book)
    rule = house_rule(book, ground)
    if not 1 <= days <= rules.max_suspension_days:
        return Decision(
            K.REFUSED,
            f"A suspension lasts 1 to {rules.max_suspension_days} days, not {days}",
            "The rules limit how long a member may be kept from discussion.",
            rules.suspension_citation,
        )
    confirm = " once a second moderator confirms it" if rules.second_moderator else ""
    return Decision(
        K.SUSPENDED,
        f"Suspended from discussion for {days} days: {ground_label(rule)}",
        f"The suspension applies to the person on every record of theirs{confirm}. "
        + rule.statement,
        f"{rule.citation}; {rules.suspension_citation}",
    )


def appeal_deadline(book: Rulebook, decided_at: dt.datetime) -> dt.datetime:
    return decided_at + dt.timedelta(days=house_rules(book).appeal_days)


def appeal_refusal(book: Rulebook, *, decided_at: dt.datetime, now: dt.datetime) -> Decision | None:
    """Why an appeal lodged at ``now`` is out of time, or None if it is in time."""
    rules = house_rules(book)
    deadline = appeal_deadline(book, decided_at)
    if now <= deadline:
        return None
    return Decision(
        K.REFUSED,
        f"The {rules.appeal_days} days to appeal ended at {deadline:%H:%M on %d %B %Y}",
        f"An appeal goes to {rules.appeals_heard_by} within {rules.appeal_days} days.",
        rules.appeal_citation,
    )


def posting_refusal(book: Rulebook, *, last_minute: int, last_hour: int) -> Decision | None:
    """Why a member who posted ``last_minute`` and ``last_hour`` times already must wait,
    or None if they may post now."""
    rules = house_rules(book)
    if last_minute < rules.posts_per_minute and last_hour < rules.posts_per_hour:
        return None
    per = (
        f"{rules.posts_per_minute} a minute"
        if last_minute >= rules.posts_per_minute
        else f"{rules.posts_per_hour} an hour"
    )
    return Decision(
        K.REFUSED,
        f"Please wait: members post at most {per}",
        "A limit per member keeps one voice from filling a thread.",
        rules.citation,
        f"{last_minute} in the last minute, {last_hour} in the last hour",
    )


def registration_review(book: Rulebook, ground: str | int) -> Decision:
    """A registration matched to a person suspended from discussion: never refused, held
    for a moderator's review, which the person may appeal."""
    rule = house_rule(book, ground)
    rules = house_rules(book)
    return Decision(
        K.REVIEW,
        f"Held for review: matches a person suspended under {ground_label(rule)}",
        "A registration that matches a suspended person is not refused: a moderator "
        f"reviews it, and a wrong match can be appealed to {rules.appeals_heard_by}. "
        "Until then the person's posts wait for a moderator.",
        f"{rules.suspension_citation}; {rules.appeal_citation}",
    )


def published(book: Rulebook, counts: Mapping[Key, int]) -> dict[Key, int | None]:
    """The figures as published: a cell below the rulebook's smallest figure is None
    (suppressed, so nobody is identified); an empty cell stays 0."""
    least = house_rules(book).min_published
    return {key: (n if n == 0 or n >= least else None) for key, n in counts.items()}


def author_shown(book: Rulebook) -> tuple[bool, bool]:
    """Whether a post shows its author's (real name, unit) beside display name and section."""
    rules = house_rules(book)
    return rules.show_real_name, rules.show_unit
