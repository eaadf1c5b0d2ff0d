"""Reading local democracy: a unit's members, the rulebook a meeting runs under, who may
attend and why not, results per unit and nationally."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from omov.rules.schema import Rulebook as Book
from omov.web.contests.models import Organisation, Rulebook
from omov.web.contests.rulebooks import stored_book
from omov.web.local import engine
from omov.web.local.models import Meeting, Motion, MotionState, Outcome
from omov.web.members.models import Member, Unit
from omov.web.members.selectors import rulebook_row_in_force


def book_of(row: Rulebook) -> Book:
    return stored_book(row.typed)


def rulebook_row(organisation: Organisation) -> Rulebook:
    """The organisation's edition in force for local democracy, as its stored row (a meeting
    keeps the edition it was called under)."""
    return rulebook_row_in_force(organisation)


def unit_members(unit: Unit) -> QuerySet[Member]:
    """The members of ``unit``: on its roll, or on the roll of a unit within it (a branch's
    members are members of its CLP)."""
    return (
        Member.objects.filter(organisation_id=unit.organisation_id)
        .filter(Q(units=unit) | Q(units__parent=unit))
        .distinct()
        .order_by("display_name", "pk")
    )


def is_unit_member(unit: Unit, member: Member) -> bool:
    return unit_members(unit).filter(pk=member.pk).exists()


def attendance_refusal(meeting: Meeting, member: Member) -> str | None:
    """Why ``member`` cannot take part in ``meeting`` (None: they can), as the secretary
    reads it."""
    unit = meeting.unit
    if not is_unit_member(unit, member):
        return f"not a member of {unit.name}"
    if not member.in_good_standing_on(meeting.cut_off):
        rules = engine.meetings_of(book_of(meeting.rulebook))
        return (
            f"not a member in good standing on {_day(meeting.cut_off)}, the meeting's "
            f"cut-off ({rules.standing_citation})"
        )
    return None


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class Roll:
    """The unit's members as the secretary ticks them: who may attend, who may not and why."""

    eligible: list[Member]
    refused: list[tuple[Member, str]]
    present: set[int]


def meeting_roll(meeting: Meeting) -> Roll:
    eligible, refused = [], []
    for member in unit_members(meeting.unit):
        reason = attendance_refusal(meeting, member)
        if reason is None:
            eligible.append(member)
        else:
            refused.append((member, reason))
    present = set(meeting.attendance.values_list("member_id", flat=True))
    return Roll(eligible, refused, present)


def quorum_now(meeting: Meeting) -> engine.Decision:
    book = book_of(meeting.rulebook)
    return engine.quorate(book, present=meeting.attendance.count(), quorum=meeting.quorum)


def motion_kinds(meeting: Meeting) -> list[tuple[str, str]]:
    """The kinds of motion this unit may move, as (kind, name)."""
    book = book_of(meeting.rulebook)
    return [
        (rule.kind, rule.name)
        for rule in engine.motions_of(book)
        if rule.carried_by == "vote"
        and engine.may_move(book, kind=rule.kind, unit_kind=meeting.unit.kind) is None
    ]


def meetings_for(units: QuerySet[Unit]) -> QuerySet[Meeting]:
    return Meeting.objects.filter(unit__in=units).select_related("unit")


# -- results -----------------------------------------------------------------------------
@dataclass
class Row:
    unit: str
    votes_for: int = 0
    votes_against: int = 0
    abstentions: int = 0
    outcome: str = ""
    motions: int = 1

    @property
    def votes(self) -> int:
        return self.votes_for + self.votes_against + self.abstentions


@dataclass
class KindResults:
    """The motions of one kind, decided across the organisation's units."""

    kind: str
    name: str
    rows: list[Row] = field(default_factory=list)
    merged: Row | None = None
    """Units with fewer votes than the rulebook publishes, added together."""
    total: Row = field(default_factory=lambda: Row("All units", motions=0))
    carried: int = 0
    lost: int = 0
    fell: int = 0
    smallest: int = 0


def national_results(organisation: Organisation) -> list[KindResults]:
    """Decided motions per unit and added up nationally; a unit with fewer votes than the
    rulebook's ``min_published`` is shown only within "other units" (its members' votes are
    not told apart)."""
    book = book_of(rulebook_row(organisation))
    smallest = engine.meetings_of(book).min_published
    names = {rule.kind: rule.name for rule in engine.motions_of(book)}
    decided = (
        Motion.objects.filter(meeting__unit__organisation=organisation, state=MotionState.DECIDED)
        .select_related("meeting__unit")
        .order_by("kind", "meeting__unit__name", "pk")
    )
    by_kind: dict[str, KindResults] = {}
    for motion in decided:
        found = by_kind.setdefault(
            motion.kind, KindResults(motion.kind, names.get(motion.kind, motion.kind))
        )
        found.smallest = smallest
        _add(found, motion, smallest)
    return list(by_kind.values())


def _add(results: KindResults, motion: Motion, smallest: int) -> None:
    row = Row(
        motion.meeting.unit.name,
        motion.votes_for or 0,
        motion.votes_against or 0,
        motion.abstentions or 0,
        Outcome(motion.outcome).label,
    )
    results.carried += motion.outcome == Outcome.CARRIED
    results.lost += motion.outcome == Outcome.LOST
    results.fell += motion.outcome == Outcome.FELL
    _sum_into(results.total, row)
    if row.votes >= smallest:
        results.rows.append(row)
        return
    if results.merged is None:
        results.merged = Row("Other units", motions=0)
    _sum_into(results.merged, row)


def _sum_into(target: Row, row: Row) -> None:
    target.votes_for += row.votes_for
    target.votes_against += row.votes_against
    target.abstentions += row.abstentions
    target.motions += 1
