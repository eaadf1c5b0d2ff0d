"""Local party democracy as rulebook data: the kinds of unit, how their meetings run, what
each kind of local motion does, the trigger ballot and members' petitions (``[local]``).

The organisation's actual units (Islington North CLP, its ward branches) are its own data;
the rulebook says what kinds there are, which kind sits within which, and what a motion of
each kind passed by each may do, every rule with its clause.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from omov.rules.values import Citation, Model, Percent

Slug = str


class UnitKind(Model):
    """A kind of unit: a CLP, a branch, an affiliated branch; a union's branch or region."""

    name: str
    within: Slug | None = None
    """The kind of unit it belongs to (a branch is within a CLP)."""
    body: Slug | None = None
    """The national body of units it is one of (``clps``): its supporting nominations count
    toward that body's threshold."""
    affiliated: bool = False
    """Its voice is an affiliate's (a union branch affiliated to the CLP), not its members'."""
    citation: Citation


class MeetingRules(Model):
    """How a unit's meetings run: the notice, the quorum, who may take part."""

    notice_days: int = Field(ge=0)
    """Days between the notice going out and the meeting, at least."""
    notice_citation: Citation
    quorum: int = Field(ge=1)
    """Members present for business to be done, unless the unit's standing orders set
    another number (stored with the unit)."""
    quorum_citation: Citation
    joined_days_before: int = Field(default=0, ge=0)
    """A member takes part if they joined at least this many days before the meeting (the
    meeting's cut-off) and are in good standing on that day."""
    standing_citation: Citation
    min_published: int = Field(default=10, ge=1)
    """Units with fewer votes than this are merged in published aggregates."""
    citation: Citation


class Majority(StrEnum):
    SIMPLE = "simple"
    """More votes for than against; abstentions are not votes."""
    TWO_THIRDS = "two-thirds"
    """At least two thirds of the votes cast for."""


class Effect(StrEnum):
    NONE = "none"
    """No standing under the rules: recorded, and nothing follows."""
    RESOLUTION = "resolution"
    """The unit's own resolution: its policy or its view, binding on nobody else."""
    SUPPORTING_NOMINATION = "supporting-nomination"
    """A supporting nomination of a candidate, counted toward the body's threshold."""
    TRIGGER_BALLOT = "trigger-ballot"
    """The unit's yes (carried) or no (lost) in a trigger ballot."""
    COUNTS_TOWARD = "counts-toward"
    """One toward a share of a body that, reached, starts something (letters to the 1922
    Committee's chairman: 15% of MPs call a confidence vote)."""


class LocalMotion(Model):
    kind: Slug
    name: str
    units: list[Slug] = Field(min_length=1)
    """The kinds of unit (or, for a letter, the body of people) that may move it."""
    effect: Effect
    carried_by: Literal["vote", "letter"] = "vote"
    majority: Majority = Majority.SIMPLE
    body: Slug | None = None
    """What it counts toward (supporting nominations, letters)."""
    threshold: Percent | None = None
    """For ``counts-toward``: the share of ``body`` that must be reached."""
    then: str = ""
    """For ``counts-toward``: what follows once the share is reached."""
    explanation: str
    citation: Citation

    @model_validator(mode="after")
    def _what_it_counts(self) -> LocalMotion:
        counting = (Effect.SUPPORTING_NOMINATION, Effect.COUNTS_TOWARD)
        if self.effect in counting and self.body is None:
            raise ValueError(f"a {self.effect.value} motion names the body it counts toward")
        if self.effect is Effect.COUNTS_TOWARD and self.threshold is None:
            raise ValueError("a counts-toward motion needs threshold = <share of the body>")
        if (self.carried_by == "letter") != (self.effect is Effect.COUNTS_TOWARD):
            raise ValueError("letters count toward a threshold; motions are voted on")
        return self


class TriggerRule(StrEnum):
    ONE_THIRD_OF_EITHER = "one-third-of-either"
    """Labour 2018+: a third of party branches, or a third of affiliated branches."""
    MAJORITY_OF_ALL = "majority-of-all"
    """Before 2018: a majority of all branches, party and affiliated together."""


class TriggerBallot(Model):
    """Whether a sitting representative who wishes to stand again faces an open selection."""

    rule: TriggerRule
    office: str
    party_units: Slug
    affiliated_units: Slug
    fraction: Percent
    """A third (2018+), or a half that must be exceeded (before)."""
    counted_on: Literal["voting", "all"]
    """The share is of the branches that voted, or of all branches."""
    counted_on_citation: Citation
    selection_method: str = "irv"
    """How members of the unit choose in an open selection (one member, one vote)."""
    explanation: str
    citation: Citation


Standing = Literal["active", "lapsed", "suspended", "expelled"]
"""A member's standing on the roll (``omov.electorate.schema.MEMBER_STATUSES``)."""


class PetitionThreshold(Model):
    signatures: int = Field(ge=1)
    consequence: str
    citation: Citation


class Petitions(Model):
    """Members' petitions: thresholds, who signs, and what is screened for review."""

    thresholds: list[PetitionThreshold] = Field(min_length=1)
    may_sign: list[Standing] = Field(default_factory=lambda: list[Standing](["active"]))
    """Membership standings whose holders may sign."""
    standing_citation: Citation
    non_members: bool = False
    """Non-members may sign, with email confirmation, counted apart."""
    confirm_within_hours: int = Field(default=72, ge=1)
    per_range_per_hour: int = Field(default=50, ge=1)
    """More signatures than this in an hour from one address range are held for review."""
    ipv4_prefix: int = Field(default=24, ge=8, le=32)
    ipv6_prefix: int = Field(default=48, ge=16, le=128)
    disposable_domains: list[str] = Field(default_factory=list)
    """Email domains of throwaway inboxes: a signature from one is held for review."""
    screening_citation: Citation
    min_published: int = Field(default=10, ge=1)
    """A unit with fewer signatures than this is merged into "other units" when published."""
    citation: Citation

    @model_validator(mode="after")
    def _thresholds_rise(self) -> Petitions:
        numbers = [t.signatures for t in self.thresholds]
        if numbers != sorted(set(numbers)):
            raise ValueError("petition thresholds are listed once each, smallest first")
        return self


class LocalRules(Model):
    units: dict[Slug, UnitKind] = Field(default_factory=dict)
    meetings: MeetingRules | None = None
    motions: list[LocalMotion] = Field(default_factory=list)
    trigger_ballot: TriggerBallot | None = None
    petitions: Petitions | None = None
    citation: Citation

    @model_validator(mode="after")
    def _meetings_for_units(self) -> LocalRules:
        if self.units and self.meetings is None:
            raise ValueError("units hold meetings: give [local.meetings]")
        return self

    def motion(self, kind: str) -> LocalMotion | None:
        return next((m for m in self.motions if m.kind == kind), None)
