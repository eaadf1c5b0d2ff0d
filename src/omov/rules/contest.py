"""The state of one contest as the engine replays events: candidates and their nominations."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from omov.rules.decisions import Decision
from omov.rules.events import SupportingNomination
from omov.rules.schema import DateKind, MilestoneKind, NominationRule, Rulebook, TriggerKind


@dataclass(frozen=True)
class DateGiven:
    """A date set for this contest, and who set it under which clause."""

    value: datetime
    source: str


@dataclass
class Candidate:
    name: str
    counts: Counter[str] = field(default_factory=Counter)
    units: Counter[str] = field(default_factory=Counter)
    unit_names: dict[str, set[str]] = field(default_factory=dict)
    """Per body, the units named nomination by nomination (``Nominations.unit``)."""
    supports: list[SupportingNomination] = field(default_factory=list)
    withdrawn: bool = False
    valid: bool = True


@dataclass
class Contest:
    book: Rulebook
    office: str
    incumbent: str | None
    reading: str | None
    trigger: TriggerKind | None = None
    rule_name: str | None = None
    candidates: dict[str, Candidate] = field(default_factory=dict)
    nominators: dict[tuple[str, str], str] = field(default_factory=dict)
    """(body, nominator) -> the candidate they nominated first."""
    closed: bool = False
    ballot: list[str] = field(default_factory=list)
    shortlist: list[str] = field(default_factory=list)
    """Candidates still in the shortlist rounds (empty when there are none)."""
    decided: bool = False
    elected: str | None = None
    passed: set[MilestoneKind] = field(default_factory=set)
    timetable: dict[MilestoneKind, DateGiven] = field(default_factory=dict)
    """The contest's own timetable, where it was set (else the edition's)."""
    dates: dict[tuple[str, DateKind], DateGiven] = field(default_factory=dict)
    """Eligibility dates a committee set for this contest, per (section, date)."""
    decisions: list[Decision] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.trigger is not None

    @property
    def rule(self) -> NominationRule | None:
        return None if self.rule_name is None else self.book.nominations.get(self.rule_name)

    def candidate(self, name: str) -> Candidate:
        return self.candidates.setdefault(name, Candidate(name))

    def standing(self) -> list[str]:
        return [c.name for c in self.candidates.values() if not c.withdrawn and c.valid]

    def add(self, decision: Decision) -> None:
        self.decisions.append(decision)
