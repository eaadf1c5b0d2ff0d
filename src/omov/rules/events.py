"""Events as data: what happened, read from YAML, in order.

An events file::

    contest: {office: leader, incumbent: Jeremy Corbyn, reading: nec-2016}
    events:
      - {type: motion, at: 2016-06-28, body: plp, motion: no-confidence, for: 172, against: 40}
      - {type: declaration, at: 2016-07-11, candidate: Angela Eagle, nominations: {plp: 51}}
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, ValidationError

from omov.rules.errors import EventsError
from omov.rules.loading import describe_validation_error
from omov.rules.values import LocalDateTime, Model, Percent


class Event(Model):
    at: LocalDateTime | None = None


class Resignation(Event):
    """Someone resigns an office. Only a resignation from the contest's office (or, with no
    office given, by its holder) vacates it: a shadow minister's resignation triggers
    nothing."""

    type: Literal["resignation"]
    holder: str = ""
    office: str | None = None


class MotionCarried(Event):
    """A motion voted on (``for``/``against``) or a request made by ``count`` units."""

    type: Literal["motion"]
    body: str
    motion: str
    votes_for: int | None = Field(default=None, alias="for", ge=0)
    votes_against: int | None = Field(default=None, alias="against", ge=0)
    count: int | None = Field(default=None, ge=0)


class TicketMember(Model):
    name: str
    gender: str


class Declaration(Event):
    """A candidate (or a challenger) declares, with any nominations already held."""

    type: Literal["declaration"]
    candidate: str
    nominations: dict[str, int] = Field(default_factory=dict)
    nominators: dict[str, list[str]] = Field(default_factory=dict)
    ticket: list[TicketMember] = Field(default_factory=list)
    member_of: list[str] = Field(default_factory=list)
    membership_years: float | None = Field(default=None, ge=0)


class Nominations(Event):
    """Nominations received for a candidate: counts per body, or nominators by name."""

    type: Literal["nominations"]
    candidate: str
    nominations: dict[str, int] = Field(default_factory=dict)
    nominators: dict[str, list[str]] = Field(default_factory=dict)
    units: dict[str, int] = Field(default_factory=dict)
    """How many distinct units (branches) the nominators of each body come from."""
    unit: str = ""
    """Or, nomination by nomination, the unit (branch, local party) these nominators belong
    to: the engine counts the distinct units named."""


class SupportingNomination(Event):
    type: Literal["supporting-nomination"]
    candidate: str
    body: str
    nominator: str = ""
    count: int = Field(default=1, ge=1)
    kind: str = ""
    membership: int = Field(default=0, ge=0)


class Withdrawal(Event):
    type: Literal["withdrawal"]
    candidate: str


class DateSet(Event):
    """A date set for this contest: a point of its timetable (``nominations-close``,
    ``ballot-open``...), which every contest's returning officer sets, or an eligibility
    date (``freeze-date``, ``supporter-window-opens``...), which only the committee the
    rulebook names may set (``date_setting``). ``section``: the section it applies to
    (default: every section with that test)."""

    type: Literal["date-set"]
    what: str
    value: LocalDateTime
    section: str | None = None
    by: str = ""


class BodySize(Event):
    """How many a body (or, together, several bodies) has for this contest, as the returning
    officer counts them: the rulebook's size is as of a date, and seats change. Where only
    the total of several bodies is given, each body after the first keeps the rulebook's
    size and the first takes the rest (all of it, if the rest would be negative)."""

    type: Literal["body-size"]
    bodies: list[str] = Field(min_length=1)
    size: int = Field(ge=0)
    by: str = ""


class ElectionDue(Event):
    """An election the rules hold at intervals falls due (a term ends), or a ballot the
    rules provide for is called (a union's industrial-action ballot)."""

    type: Literal["election-due"]


class CloseNominations(Event):
    type: Literal["close-nominations"]


class DatePasses(Event):
    type: Literal["date"]


class ShortlistRound(Event):
    """One round of a shortlist ballot (the MPs' ballots), with each candidate's votes."""

    type: Literal["shortlist-round"]
    round: int = Field(ge=1)
    votes: dict[str, int]


class Result(Event):
    type: Literal["result"]
    elected: str


class GeneralElection(Event):
    type: Literal["general-election"]


class IndustrialActionBallot(Event):
    """The result of an industrial-action ballot, as the scrutineer reports it."""

    type: Literal["industrial-action-ballot"]
    opened: date
    yes_votes: int = Field(ge=0)
    no_votes: int = Field(ge=0)
    spoilt: int = Field(default=0, ge=0)
    entitled: int | None = Field(default=None, ge=1)
    turnout: Percent | None = None
    """As published, when the number entitled to vote is not known."""
    important_public_services: bool = False


AnyEvent = Annotated[
    Resignation
    | MotionCarried
    | Declaration
    | Nominations
    | SupportingNomination
    | Withdrawal
    | DateSet
    | BodySize
    | ElectionDue
    | CloseNominations
    | DatePasses
    | ShortlistRound
    | Result
    | GeneralElection
    | IndustrialActionBallot,
    Field(discriminator="type"),
]


class ContestFacts(Model):
    office: str | None = None
    incumbent: str | None = None
    reading: str | None = None
    """Which reading of a disputed rule to apply (the incumbent rule's readings)."""


class EventsFile(Model):
    contest: ContestFacts = ContestFacts()
    events: list[AnyEvent] = Field(min_length=1)


def load_events(path: Path, *, timezone: str) -> EventsFile:
    """Read and validate an events file; naive times are in ``timezone``."""
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise EventsError(f"cannot read events file {path}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise EventsError(f"{path.name}: not UTF-8 text (byte {error.start})") from None
    except yaml.YAMLError as error:
        raise EventsError(f"{path.name}: not valid YAML: {str(error).splitlines()[0]}") from None
    except RecursionError:  # the YAML composer recurses into nested lists and mappings
        raise EventsError(f"{path.name}: not valid YAML: nested too deeply") from None
    return parse_events(data, label=path.name, timezone=timezone)


def parse_events(data: Any, *, label: str = "events", timezone: str) -> EventsFile:
    if isinstance(data, list):
        data = {"events": data}
    try:
        return EventsFile.model_validate(data, context={"timezone": timezone})
    except ValidationError as error:
        raise EventsError(f"{label}: {describe_validation_error(error)}") from None
