"""Dates set for one contest: its timetable, and the eligibility dates a committee sets.

Every contest's timetable is set for it (the edition's own timetable records the contest
it describes); the returning officer enters it. An eligibility date (the freeze date, the
supporter window, the day one must be a member) is set only where the rulebook leaves it
to a committee (``date_setting``: Labour's NEC); otherwise the rulebook fixes it, and an
attempt to set it has no standing.
"""

from __future__ import annotations

from omov.rules.contest import Contest, DateGiven
from omov.rules.decisions import Decision, DecisionKind
from omov.rules.errors import EventsError
from omov.rules.events import BodySize, DateSet
from omov.rules.schema import DateKind, MilestoneKind, Rulebook

K = DecisionKind

FIELD = {
    DateKind.FREEZE: "joined_on_or_before",
    DateKind.ELIGIBILITY: "member_at",
    DateKind.WINDOW_OPENS: "application_window_start",
    DateKind.WINDOW_CLOSES: "application_window_end",
    DateKind.AFFILIATED_DEADLINE: "affiliated_supporter_deadline",
    DateKind.AFFILIATE_MEMBER_BY: "affiliate_member_on_or_before",
    DateKind.AGE_DATE: "age_on",
}
"""The eligibility field each date sets."""


def label(what: MilestoneKind | DateKind) -> str:
    return what.value.replace("-", " ")


def on_date_set(contest: Contest, event: DateSet) -> None:
    if event.value is None:
        raise EventsError(f"date-set {event.what}: give the value")
    milestone = _milestone(event.what)
    if milestone is not None:
        _set_milestone(contest, milestone, event)
        return
    kind = _date_kind(event.what)
    book = contest.book
    setting = book.date_setting
    if setting is None or kind not in setting.dates:
        contest.add(
            Decision(
                K.NO_STANDING,
                f"The {label(kind)} cannot be set for this contest",
                f"{book.id} fixes the {label(kind)} itself; no committee may set it for a "
                "contest, so the rulebook's date stands.",
                book.citation,
                subject=kind.value,
                at=event.at,
            )
        )
        return
    sections = _sections(book, kind, event.section)
    by = event.by or setting.by
    source = f"set by {by}, {setting.citation}"
    for name in sections:
        contest.dates[(name, kind)] = DateGiven(event.value, source)
    shown = f"{event.value:%d %B %Y}" if kind is not DateKind.ELIGIBILITY else _moment(event)
    contest.add(
        Decision(
            K.DATE_SET,
            f"{by} sets the {label(kind)}: {shown}",
            f"For {', '.join(book.sections[n].name for n in sections)}. The rules leave this "
            f"date to {setting.by}; eligibility is judged by it.",
            setting.citation,
            subject=kind.value,
            at=event.at,
        )
    )


def _moment(event: DateSet) -> str:
    return f"{event.value:%H:%M on %d %B %Y}"


def _set_milestone(contest: Contest, milestone: MilestoneKind, event: DateSet) -> None:
    book = contest.book
    shipped = book.milestone(milestone)
    citation = shipped.citation if shipped else book.citation
    by = event.by or "the returning officer"
    contest.timetable[milestone] = DateGiven(event.value, f"set by {by}")
    contest.passed.discard(milestone)
    contest.add(
        Decision(
            K.DATE_SET,
            f"{label(milestone).capitalize()}: {_moment(event)}",
            f"The timetable of this contest, set by {by}.",
            citation,
            subject=milestone.value,
            at=event.at,
        )
    )


def _milestone(what: str) -> MilestoneKind | None:
    try:
        return MilestoneKind(what)
    except ValueError:
        return None


def _date_kind(what: str) -> DateKind:
    try:
        return DateKind(what)
    except ValueError:
        known = [k.value for k in MilestoneKind] + [k.value for k in DateKind]
        raise EventsError(f"date-set: unknown date {what!r}; known: {', '.join(known)}") from None


def _sections(book: Rulebook, kind: DateKind, named: str | None) -> list[str]:
    """The sections a date applies to: the one named, or every section with that test
    (failing that, every section on the right kind of roll)."""
    if named is not None:
        section = book.sections.get(named)
        if section is None:
            raise EventsError(f"date-set: {book.id} has no section {named!r}")
        if not section.tested_on(kind):
            raise EventsError(f"date-set: the {label(kind)} is not tested in section {named!r}")
        return [named]
    tested = [
        n for n, s in book.sections.items() if getattr(s.eligibility, FIELD[kind]) is not None
    ]
    found = tested or [n for n, s in book.sections.items() if s.tested_on(kind)]
    if not found:
        raise EventsError(f"date-set: no section of {book.id} is tested on the {label(kind)}")
    return found


def on_body_size(contest: Contest, event: BodySize) -> None:
    """The size of the nominating bodies for this contest (see ``BodySize``): thresholds
    taken after it are shares of this size, not of the rulebook's."""
    book = contest.book
    unknown = [name for name in event.bodies if name not in book.bodies]
    if unknown:
        known = ", ".join(sorted(book.bodies)) or "none"
        raise EventsError(f"body-size: {unknown[0]!r} is not a body of {book.id} (known: {known})")
    first, *rest = event.bodies
    others = sum(book.bodies[name].size or 0 for name in rest)
    sizes = {first: event.size - others} if event.size >= others else {first: event.size}
    sizes |= {name: (book.bodies[name].size or 0) if event.size >= others else 0 for name in rest}
    bodies = {
        name: body.model_copy(update={"size": sizes[name]}) if name in sizes else body
        for name, body in book.bodies.items()
    }
    contest.book = book.model_copy(update={"bodies": bodies})
    by = event.by or "the returning officer"
    parts = " + ".join(f"{book.short(name)} {sizes[name]}" for name in event.bodies)
    contest.add(
        Decision(
            K.BODY_SIZE,
            f"{'+'.join(book.short(name) for name in event.bodies)}: {event.size} for this contest",
            f"Counted by {by} for this contest ({parts}); the rulebook's figure is as of its date.",
            book.bodies[first].citation,
            subject=first,
            at=event.at,
        )
    )
