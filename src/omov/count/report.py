"""The count report: immutable rounds, transfers and tie-breaks, with exact vote values.

Conventions (the same as RCTab's detailed report and a Scottish count sheet):
- ``Round.tallies`` are the votes each continuing or elected candidate holds at the start
  of the round (round 1: first preferences).
- ``Round.elected`` / ``Round.excluded`` are decided at the end of the round; the votes that
  move because of them are ``Round.transfers`` and show up in the next round's tallies.
- Inactive votes and residual surplus are cumulative.

Every vote figure is a ``Fraction``: a rule's own arithmetic (integers scaled by 10^d,
or exact rationals) converts to it without loss, and writers format it at the rule's
precision. Floats never carry a published figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from omov.count.policy import Inactive

if TYPE_CHECKING:
    from omov.count.ballots import BallotSet

EXHAUSTED = "exhausted"
"""Transfer destination: votes that leave the count (non-transferable)."""
RESIDUAL_SURPLUS = "residual surplus"
"""Transfer destination: votes lost to the rule's rounding of transfer values."""

INACTIVE_LABELS: Mapping[Inactive, str] = MappingProxyType(
    {
        Inactive.OVERVOTE: "overvotes",
        Inactive.SKIPPED: "skippedRankings",
        Inactive.REPEATED: "repeatedRankings",
        Inactive.EXHAUSTED: "exhaustedChoices",
    }
)


def _frozen(mapping: Mapping[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Transfer:
    """Votes moved from one candidate, because they were elected (surplus) or excluded."""

    source: str
    kind: str
    """'surplus' or 'exclusion'."""
    to: Mapping[str, Fraction]
    """Destination candidate, EXHAUSTED or RESIDUAL_SURPLUS -> votes received."""
    transfer_value: Fraction | None = None
    """The value at which each paper moved, where the rule uses one."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "to", _frozen(self.to))

    @property
    def total(self) -> Fraction:
        return sum(self.to.values(), Fraction(0))


@dataclass(frozen=True)
class TieBreak:
    """A tie the rules had to break, and how it was broken."""

    purpose: str
    """What was being decided: 'exclusion', 'election', 'surplus order', ..."""
    tied: tuple[str, ...]
    chosen: str
    resolved_by: str
    """Plain words: 'fewest votes at round 2', 'lot (seed 7)', 'candidate order'."""


@dataclass(frozen=True)
class SectionFigures:
    """One electorate section's share of a round (Labour publishes these per section)."""

    tallies: Mapping[str, Fraction]
    inactive: Fraction

    def __post_init__(self) -> None:
        object.__setattr__(self, "tallies", _frozen(self.tallies))


@dataclass(frozen=True)
class Round:
    """One round: the tallies at its start, who was elected or excluded at its end, and the
    votes that moved."""

    number: int
    tallies: Mapping[str, Fraction]
    inactive: Mapping[Inactive, Fraction] = field(default_factory=dict)
    """Cumulative inactive votes by reason."""
    residual_surplus: Fraction = Fraction(0)
    """Cumulative votes lost to rounding of transfer values."""
    threshold: Fraction | None = None
    elected: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    transfers: tuple[Transfer, ...] = ()
    tie_breaks: tuple[TieBreak, ...] = ()
    sections: Mapping[str, SectionFigures] = field(default_factory=dict)
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "tallies", _frozen(self.tallies))
        object.__setattr__(self, "inactive", _frozen(self.inactive))
        object.__setattr__(self, "sections", _frozen(self.sections))

    @property
    def inactive_total(self) -> Fraction:
        return sum(self.inactive.values(), Fraction(0))

    @property
    def continuing_total(self) -> Fraction:
        return sum(self.tallies.values(), Fraction(0))


@dataclass(frozen=True)
class CountReport:
    """A whole count: its method, seats and candidates, its rounds, and who was elected."""

    method: str
    seats: int
    candidates: tuple[str, ...]
    rounds: tuple[Round, ...]
    elected: tuple[str, ...]
    """In order of election."""
    valid_ballots: Fraction
    quota: Fraction | None = None
    decimals: int | None = None
    """The rule's precision for published figures (None: whole or exact values)."""
    sections: tuple[str, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
    """The options the count ran with, as plain values, so a recount can repeat it."""
    blank_ballots: int = 0
    title: str = ""
    notes: tuple[str, ...] = ()
    """What a reader of the report should know about how the papers were read: an equal
    ranking's meaning under the method and the papers it affected, a ballot file's option
    that was not applied."""
    annotations: tuple[str, ...] = ()
    """The ballot file's own notes after its title (a source, a comment)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", _frozen(self.options))

    @classmethod
    def of_ballots(
        cls,
        ballots: BallotSet,
        *,
        method: str,
        seats: int,
        rounds: Sequence[Round],
        elected: Sequence[str],
        options: Mapping[str, Any],
        quota: Fraction | None = None,
        decimals: int | None = None,
    ) -> CountReport:
        """A report on ``ballots``: what the ballot set says, every method says alike."""
        return cls(
            method=method,
            seats=seats,
            candidates=ballots.candidates,
            rounds=tuple(rounds),
            elected=tuple(elected),
            valid_ballots=Fraction(ballots.total),
            quota=quota,
            decimals=decimals,
            sections=ballots.section_names,
            options=options,
            blank_ballots=ballots.blank_ballots,
            title=ballots.title,
            notes=ballots.notes,
            annotations=ballots.annotations,
        )

    @property
    def winner(self) -> str | None:
        return self.elected[0] if self.elected else None

    @property
    def final_round(self) -> Round:
        return self.rounds[-1]

    @property
    def tie_breaks(self) -> tuple[TieBreak, ...]:
        return tuple(t for r in self.rounds for t in r.tie_breaks)


def format_votes(value: Fraction, decimals: int | None) -> str:
    """A vote figure as published: fixed decimals, truncated (never rounded up), or exact."""
    if decimals is None:
        if value.denominator == 1:
            return str(value.numerator)
        return _truncate(value, 6)
    return _truncate(value, decimals)


def _truncate(value: Fraction, decimals: int) -> str:
    scale = 10**decimals
    scaled = value.numerator * scale // value.denominator
    if value < 0 and (value.numerator * scale) % value.denominator:
        scaled += 1
    sign = "-" if scaled < 0 else ""
    whole, frac = divmod(abs(scaled), scale)
    return f"{sign}{whole}.{frac:0{decimals}d}" if decimals else f"{sign}{whole}"
