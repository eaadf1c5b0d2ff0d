"""Nominations received: declarations, nominations by count or by name (one each), supporting
nominations, withdrawals; anything after the close is late and not counted."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from omov.rules import ballot, timetable
from omov.rules.contest import Contest
from omov.rules.decisions import Decision, DecisionKind
from omov.rules.errors import EventsError
from omov.rules.events import Declaration, Nominations, SupportingNomination, Withdrawal
from omov.rules.triggers import challenge, has_challenge

K = DecisionKind


def _check_bodies(contest: Contest, *names: Iterable[str]) -> None:
    """Nominations from a body the rulebook does not know are a mistake in the events file,
    not something to count or to drop silently."""
    for body in (body for group in names for body in group):
        if body not in contest.book.bodies:
            known = ", ".join(sorted(contest.book.bodies)) or "none"
            raise EventsError(
                f"nominations from {body!r}, not a body of {contest.book.id} (known: {known})"
            )


def on_declaration(contest: Contest, event: Declaration) -> None:
    _check_bodies(contest, event.nominations, event.nominators)
    if contest.open and _late(contest, event.at, event.candidate, "declaration"):
        return
    candidate = contest.candidate(event.candidate)
    candidate.valid = ballot.check_candidacy(contest, event)
    candidate.counts.update(event.nominations)
    for body, names in event.nominators.items():
        _record_named(contest, event.candidate, body, names, event)
    if contest.open or not candidate.valid:
        return
    challenge(contest, event)


def on_nominations(contest: Contest, event: Nominations) -> None:
    _check_bodies(contest, event.nominations, event.nominators, event.units)
    if _late(contest, event.at, event.candidate, "nominations"):
        return
    candidate = contest.candidate(event.candidate)
    candidate.counts.update(event.nominations)
    candidate.units.update(event.units)
    for body, names in event.nominators.items():
        _record_named(contest, event.candidate, body, names, event)
    if event.unit:
        for body in {*event.nominations, *event.nominators}:
            named = candidate.unit_names.setdefault(body, set())
            if event.unit not in named:
                named.add(event.unit)
                candidate.units[body] += 1
    if not contest.open and event.candidate != contest.incumbent and has_challenge(contest, event):
        challenge(contest, event)


def _record_named(
    contest: Contest, name: str, body: str, nominators: Iterable[str], event: Any
) -> None:
    """Count named nominators; under one-per-nominator a second nomination is void."""
    rule = contest.rule or (next(iter(contest.book.nominations.values()), None))
    single = rule.one_per_nominator if rule else False
    candidate = contest.candidate(name)
    for nominator in nominators:
        first = contest.nominators.setdefault((body, nominator), name)
        if single and first != name:
            contest.add(
                Decision(
                    K.NOMINATION_VOID,
                    f"{nominator}'s nomination of {name} is void",
                    f"{nominator} already nominated {first}; each may nominate one candidate.",
                    rule.citation if rule else contest.book.citation,
                    subject=name,
                    at=event.at,
                )
            )
            continue
        candidate.counts[body] += 1


def _late(contest: Contest, at: Any, subject: str, what: str) -> bool:
    closes = timetable.nominations_close(contest)
    if contest.closed or (closes is not None and at is not None and at > closes[0]):
        when = f"{closes[0]:%H:%M on %d %B %Y}" if closes else "the close"
        contest.add(
            Decision(
                K.LATE,
                f"Late {what} for {subject} not counted",
                f"Received after nominations closed at {when}.",
                closes[1] if closes else contest.book.citation,
                subject=subject,
                at=at,
            )
        )
        return True
    return False


def on_supporting(contest: Contest, event: SupportingNomination) -> None:
    _check_bodies(contest, [event.body])
    closes = timetable.supporting_close(contest)
    if closes is not None and event.at is not None and event.at > closes[0]:
        contest.add(
            Decision(
                K.LATE,
                f"Late supporting nomination for {event.candidate}",
                f"Received after supporting nominations closed at {closes[0]:%H:%M on %d %B %Y}.",
                closes[1],
                subject=event.candidate,
                at=event.at,
            )
        )
        return
    contest.candidate(event.candidate).supports.append(event)


def on_withdrawal(contest: Contest, event: Withdrawal) -> None:
    contest.candidate(event.candidate).withdrawn = True
    contest.add(
        Decision(
            K.WITHDRAWN,
            f"{event.candidate} withdraws",
            f"{event.candidate} is no longer a candidate.",
            contest.book.citation,
            subject=event.candidate,
            at=event.at,
        )
    )
    ballot.after_withdrawal(contest, event)
