"""The contest as the rules engine (``omov.rules``) sees it: the web app records typed
events, the engine replays them under the contest's stored rulebook and decides; the web
app stores and shows what it decided, each decision with its clause.

No rule is decided here: which bodies nominate, thresholds, who is on the ballot, whether
one candidate is elected unopposed, which dates apply all come from the engine's answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.translation import gettext
from pydantic import TypeAdapter, ValidationError

from omov.rules import RulesError
from omov.rules.contest import Contest as EngineContest
from omov.rules.decisions import Decision, DecisionKind
from omov.rules.engine import run
from omov.rules.events import (
    AnyEvent,
    BodySize,
    CloseNominations,
    ContestFacts,
    DateSet,
    ElectionDue,
    EventsFile,
    GeneralElection,
    Resignation,
)
from omov.rules.nominations import threshold
from omov.rules.schema import DateKind, NominationRule, Rulebook, TriggerKind
from omov.web.audit.services import event_record
from omov.web.contests.models import Contest, ContestEvent, EventKind
from omov.web.contests.rulebooks import stored_book
from omov.web.errors import ContestError

EVENT = TypeAdapter[AnyEvent](AnyEvent)
Actor = AbstractBaseUser | AnonymousUser | None


def trigger_event(book: Rulebook, kind: TriggerKind) -> AnyEvent | None:
    """The event that starts a contest of ``kind`` (none for a challenge: the challenger's
    nominations start it, when they reach the threshold)."""
    if kind is TriggerKind.VACANCY:
        office = next((t.office for t in book.triggers if t.kind is kind and t.office), None)
        return Resignation(type="resignation", office=office)
    if kind is TriggerKind.PERIODIC:
        return ElectionDue(type="election-due")
    if kind is TriggerKind.POST_ELECTION:
        return GeneralElection(type="general-election")
    return None


def trigger_kind(book: Rulebook, wanted: str | None) -> TriggerKind:
    """The rulebook's trigger the officer named, or its challenge, or its first."""
    kinds = [t.kind for t in book.triggers]
    if wanted:
        try:
            kind = TriggerKind(wanted)
        except ValueError:
            kind = None
        if kind not in kinds:
            known = ", ".join(k.value for k in kinds) or gettext("none")
            raise ContestError(
                gettext("%(rulebook)s starts no contest by %(wanted)s; it has: %(known)s")
                % {"rulebook": book.id, "wanted": repr(wanted), "known": known}
            )
        assert kind is not None
        return kind
    if TriggerKind.CHALLENGE in kinds:
        return TriggerKind.CHALLENGE
    if not kinds:
        raise ContestError(gettext("%(id)s has no rule that starts a contest") % {"id": book.id})
    return kinds[0]


def body_size_event(book: Rulebook, kind: TriggerKind, size: int) -> BodySize | None:
    """The nominating bodies' combined size as the officer gave it, where it differs from
    the rulebook's (the engine says how it is carried)."""
    rule = nomination_rule(book, kind)
    if rule is None or not rule.requirements:
        return None
    bodies = rule.requirements[0].bodies
    if sum(book.bodies[b].size or 0 for b in bodies) == size:
        return None
    return BodySize(type="body-size", bodies=list(bodies), size=size)


def nomination_rule(book: Rulebook, kind: TriggerKind) -> NominationRule | None:
    trigger = book.trigger(kind)
    name = trigger.nominations if trigger else None
    return book.nominations.get(name) if name else None


def nominating_bodies(contest: Contest) -> list[str]:
    """The bodies whose members nominate in this contest (the rule its trigger names)."""
    book = stored_book(contest.rulebook.typed)
    rule = nomination_rule(book, trigger_kind(book, contest.trigger or None))
    if rule is None or not rule.requirements:
        raise ContestError(
            gettext("%(id)s takes no nominations for this contest") % {"id": book.id}
        )
    return list(dict.fromkeys(b for r in rule.requirements for b in r.bodies))


def supporting_bodies(contest: Contest) -> list[str]:
    """The bodies whose supporting nominations count (none where the rules have none)."""
    book = stored_book(contest.rulebook.typed)
    rule = nomination_rule(book, trigger_kind(book, contest.trigger or None))
    if rule is None or rule.supporting is None:
        return []
    return [body for route in rule.supporting.routes for body in route.bodies]


def event_add(
    *,
    contest: Contest,
    event: AnyEvent,
    kind: str,
    payload: dict[str, Any],
    actor: Actor = None,
) -> ContestEvent:
    """Record one event (the caller holds the contest's lock), replay the contest and store
    the engine's decisions; an event the engine refuses is not recorded.

    ``kind`` and ``payload``: the audit event the caller writes for it (the ledger entry:
    people by the fields the log hashes), to which the decisions it brought are added."""
    book = stored_book(contest.rulebook.typed)
    recorded = list(_stored(contest))
    try:
        engine = run(book, _events_file(contest, book, [*recorded, event]))
    except RulesError as error:
        raise ContestError(str(error)) from None
    sequence = len(recorded) + 1
    row = ContestEvent.objects.create(
        contest=contest,
        sequence=sequence,
        kind=EventKind(event.type),
        event=EVENT.dump_python(event, mode="json", by_alias=True),
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
    )
    new = decisions_store(contest=contest, engine=engine)
    event_record(
        stream=contest.stream,
        kind=kind,
        payload={
            **payload,
            "engine_event": row.sequence,
            "actor": actor.get_username() if row.actor_id is not None and actor else None,
            "decisions": new,
        },
    )
    return row


def decisions_store(*, contest: Contest, engine: EngineContest) -> list[dict[str, Any]]:
    """Keep the engine's decisions with the contest; the new ones (not seen before)."""
    before = len(contest.decisions)
    decisions = [d.as_record() for d in engine.decisions]
    contest.decisions = decisions
    contest.save(update_fields=["decisions"])
    return decisions[before:]


def _stored(contest: Contest) -> Iterable[AnyEvent]:
    book_zone = stored_book(contest.rulebook.typed).timezone
    for row in contest.engine_events.order_by("sequence"):
        try:
            yield EVENT.validate_python(row.event, context={"timezone": book_zone})
        except ValidationError as error:  # written by this module; a bug, not the officer's
            raise ContestError(
                gettext("event %(sequence)s cannot be read back: %(error)s")
                % {"sequence": row.sequence, "error": error}
            ) from None


def _timetable(contest: Contest, book: Rulebook) -> list[DateSet]:
    """The dates on the contest's own form, as the engine's events: the ballot's opening and
    close, and the freeze date where the rulebook leaves it to be set (a date set later, as
    an event, replaces it)."""
    dates = [
        DateSet(type="date-set", what="ballot-open", value=contest.ballot_opens_at),
        DateSet(type="date-set", what="ballot-close", value=contest.ballot_closes_at),
    ]
    if book.date_setting is not None and DateKind.FREEZE in book.date_setting.dates:
        freeze = dt.datetime.combine(contest.freeze_date, dt.time(), tzinfo=ZoneInfo(book.timezone))
        dates.append(DateSet(type="date-set", what=DateKind.FREEZE.value, value=freeze))
    return dates


def _events_file(contest: Contest, book: Rulebook, events: Sequence[AnyEvent]) -> EventsFile:
    return EventsFile.model_construct(
        contest=_facts(contest), events=[*_timetable(contest, book), *events]
    )


def _facts(contest: Contest) -> ContestFacts:
    incumbent = contest.candidates.filter(incumbent=True).values_list("name", flat=True).first()
    return ContestFacts(incumbent=incumbent)


@dataclass
class _Shared:
    """What a reading page's engine runs share: each run once, and the recorded events and
    incumbent they replay read once (the standing's run adds a close to the same events)."""

    runs: dict[tuple[int, str], EngineContest] = field(default_factory=dict)
    replayed: dict[int, tuple[ContestFacts, list[AnyEvent]]] = field(default_factory=dict)


_SHARED: ContextVar[_Shared | None] = ContextVar("engine_runs_shared", default=None)


@contextmanager
def engine_runs_shared() -> Iterator[None]:
    """Within a page that only reads, each engine run is made once: the dashboard's
    standing, threshold, confirmations and dates each asked for the same replay (four runs
    a page). Never around an action: its events change what a run returns."""
    token = _SHARED.set(_Shared())
    try:
        yield
    finally:
        _SHARED.reset(token)


def engine_run(contest: Contest, *, then: Sequence[AnyEvent] = ()) -> EngineContest:
    """The contest as the rules leave it after every recorded event (and ``then``)."""
    shared = _SHARED.get()
    key = (contest.pk, "|".join(event.model_dump_json() for event in then))
    if shared is not None and key in shared.runs:
        return shared.runs[key]
    book = stored_book(contest.rulebook.typed)
    try:
        engine = run(book, _replay(contest, book, shared, then))
    except RulesError as error:
        raise ContestError(str(error)) from None
    if shared is not None:
        shared.runs[key] = engine
    return engine


def _replay(
    contest: Contest, book: Rulebook, shared: _Shared | None, then: Sequence[AnyEvent]
) -> EventsFile:
    """The events file of every recorded event and ``then``; the recorded part read once
    within ``engine_runs_shared``."""
    if shared is None:
        return _events_file(contest, book, [*_stored(contest), *then])
    if contest.pk not in shared.replayed:
        shared.replayed[contest.pk] = (_facts(contest), list(_stored(contest)))
    facts, recorded = shared.replayed[contest.pk]
    return EventsFile.model_construct(
        contest=facts, events=[*_timetable(contest, book), *recorded, *then]
    )


@dataclass(frozen=True)
class Standing:
    """One candidate's nominations, as the engine would decide them if they closed now."""

    candidate_id: int
    name: str
    incumbent: bool
    nominations: int
    threshold: int
    qualifies: bool
    withdrawn: bool
    reason: str
    citation: str

    @property
    def exempt(self) -> bool:
        return self.incumbent and self.qualifies and self.nominations < self.threshold

    @property
    def percent(self) -> float:
        return 100.0 * self.nominations / max(self.threshold, 1)


@dataclass(frozen=True)
class Needed:
    """The nominations each candidate needs, the sum that gives them, and the clause."""

    required: int
    arithmetic: str
    bodies: tuple[str, ...]
    citation: str
    units: int = 0
    """From at least this many distinct units (branches, local parties)."""


def nominations_needed(contest: Contest, engine: EngineContest | None = None) -> Needed:
    """The engine's threshold for this contest's nominating bodies (with the size the
    officer gave them): its first requirement's."""
    every = requirements_needed(contest, engine)
    if not every:
        book = stored_book(contest.rulebook.typed)
        return Needed(0, "the rules set no nomination threshold", (), book.citation)
    return every[0]


def requirements_needed(contest: Contest, engine: EngineContest | None = None) -> list[Needed]:
    """Each nomination requirement of this contest, as the engine counts it."""
    engine = engine or engine_run(contest)
    book = stored_book(contest.rulebook.typed)
    rule = engine.rule or nomination_rule(book, trigger_kind(book, contest.trigger or None))
    if rule is None:
        return []
    needed = []
    for requirement in rule.requirements:
        found = threshold(engine.book, requirement)
        needed.append(
            Needed(
                found.required,
                found.arithmetic,
                tuple(requirement.bodies),
                requirement.citation,
                requirement.min_distinct_units or 0,
            )
        )
    return needed


def standing(contest: Contest) -> list[Standing]:
    """Each candidate's standing: the engine run as if nominations closed now."""
    book = stored_book(contest.rulebook.typed)
    engine = engine_run(contest, then=[CloseNominations(type="close-nominations")])
    needed_now = nominations_needed(contest, engine)
    needed, bodies = needed_now.required, needed_now.bodies
    verdicts: dict[str, Decision] = {
        d.subject: d
        for d in engine.decisions
        if d.kind in (DecisionKind.ON_BALLOT, DecisionKind.NOT_ON_BALLOT)
    }
    rows = []
    for candidate in contest.candidates.order_by("position"):
        found = engine.candidates.get(candidate.name)
        verdict = verdicts.get(candidate.name)
        rows.append(
            Standing(
                candidate.pk,
                candidate.name,
                candidate.incumbent,
                sum(found.counts.get(b, 0) for b in bodies) if found else 0,
                needed,
                engine.open and verdict is not None and verdict.kind is DecisionKind.ON_BALLOT,
                bool(found and found.withdrawn),
                verdict.explanation if verdict and engine.open else _not_open(engine),
                verdict.citation if verdict else book.citation,
            )
        )
    return rows


def _not_open(engine: EngineContest) -> str:
    last = next(
        (d for d in reversed(engine.decisions) if d.kind is DecisionKind.NOT_TRIGGERED), None
    )
    # The rulebook's own explanation stays in its words (it is on the record in English).
    return gettext("No contest has been triggered yet.") + (f" {last.explanation}" if last else "")


def decisions_shown(contest: Contest) -> list[dict[str, Any]]:
    """The engine's decisions as stored, for the page (newest last)."""
    return list(contest.decisions)
