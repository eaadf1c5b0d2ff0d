"""A rulebook edition as data: the pydantic schema a TOML rulebook is validated against.

One edition of one organisation's rules (``labour/2016``): offices, bodies and their sizes,
what triggers a contest, what motions do, nomination rules, who is on the ballot, who may
vote in each section, how the votes are counted, and the timetable. Every rule carries a
short ``citation`` so each decision the engine takes can quote its clause.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, field_validator, model_validator

from omov.count.options import Quota, TieBreakMode
from omov.rules.eligibility import EligibilityCriteria
from omov.rules.house_rules import HouseRules
from omov.rules.hustings.schema import Hustings
from omov.rules.local.schema import LocalRules
from omov.rules.values import Citation, Day, LocalDateTime, Model, Percent

SCHEMA_VERSION = 1
Slug = str


class Office(Model):
    name: str
    term_years: int | None = Field(default=None, ge=1)
    """Longest term without re-election (TULRCA 1992 s.46: five years)."""
    citation: Citation


class BodyKind(StrEnum):
    PEOPLE = "people"
    """Its members are people who nominate or vote (MPs, MEPs, party members)."""
    UNITS = "units"
    """Its members are units (CLPs, branches, local parties, affiliates)."""


class Body(Model):
    name: str
    short: str = ""
    """How decisions name it ('PLP', 'CLPs'); the key in capitals when not given."""
    kind: BodyKind = BodyKind.PEOPLE
    size: int | None = Field(default=None, ge=0)
    as_of: Day | None = None
    membership: int | None = Field(default=None, ge=0)
    """For a body of units: the people in all of them (affiliated membership)."""
    citation: Citation


class TriggerKind(StrEnum):
    VACANCY = "vacancy"
    CHALLENGE = "challenge"
    PERIODIC = "periodic"
    POST_ELECTION = "post-election"
    CALLED = "called"
    """A question ballot called by the body the rules empower (an industrial-action ballot);
    never written in a rulebook's triggers: a rulebook with ``voting.options`` has it."""


class Trigger(Model):
    kind: TriggerKind
    office: Slug
    nominations: Slug | None = None
    """The nomination rule candidates must meet in a contest started this way."""
    every_years: int | None = Field(default=None, ge=1)
    within_months: int | None = Field(default=None, ge=1)
    explanation: str = ""
    citation: Citation


class MotionEffect(StrEnum):
    NONE = "none"
    TRIGGER_CONTEST = "trigger-contest"


class Motion(Model):
    kind: str
    body: Slug
    effect: MotionEffect
    carries_by: Literal["simple-majority", "count"] = "simple-majority"
    count: int | None = Field(default=None, ge=1)
    """For ``carries_by = "count"``: how many units must ask (75 local parties)."""
    nominations: Slug | None = None
    explanation: str = ""
    citation: Citation

    @model_validator(mode="after")
    def _count_given(self) -> Motion:
        if self.carries_by == "count" and self.count is None:
            raise ValueError("carries_by = 'count' needs count = <how many>")
        return self


class Rounding(StrEnum):
    UP = "up"
    DOWN = "down"
    NEAREST = "nearest"


class Requirement(Model):
    """A number of nominations from one or more bodies, as a fraction, a count, or both
    (then the larger applies)."""

    description: str = ""
    bodies: list[Slug] = Field(min_length=1)
    fraction: Percent | None = None
    count: int | None = Field(default=None, ge=1)
    rounding: Rounding = Rounding.UP
    exclude_candidate: bool = False
    """The fraction is of the body less the candidate ("10% of other MPs")."""
    min_distinct_units: int | None = Field(default=None, ge=1)
    """Nominators must come from at least this many units (SNP: 20 branches)."""
    min_of_kind: dict[str, int] = Field(default_factory=dict)
    """Among the nominating units, at least this many of each kind (2 unions)."""
    min_membership_fraction: Percent | None = None
    """The nominating units must hold this share of the body's membership."""
    citation: Citation

    @model_validator(mode="after")
    def _threshold_given(self) -> Requirement:
        if self.fraction is None and self.count is None:
            raise ValueError("give a fraction (e.g. '20%') or a count")
        return self


class Supporting(Model):
    """Supporting nominations (CLPs, affiliates): any one route suffices."""

    gates_ballot: bool
    routes: list[Requirement] = Field(default_factory=list)
    """Ways to qualify, when supporting nominations gate the ballot."""
    citation: Citation

    @model_validator(mode="after")
    def _routes_when_gating(self) -> Supporting:
        if self.gates_ballot and not self.routes:
            raise ValueError("supporting nominations that gate the ballot need routes")
        return self


class Window(Model):
    opens: LocalDateTime
    closes: LocalDateTime

    @model_validator(mode="after")
    def _in_order(self) -> Window:
        if self.closes < self.opens:
            raise ValueError(
                f"window closes ({self.closes:%Y-%m-%d %H:%M}) before it opens "
                f"({self.opens:%Y-%m-%d %H:%M})"
            )
        return self


class NominationRule(Model):
    requirements: list[Requirement] = Field(min_length=1)
    """All must be met."""
    supporting: Supporting | None = None
    window: Window | None = None
    one_per_nominator: bool = True
    explanation: str = ""
    citation: Citation


class Candidacy(Model):
    must_belong_to: Slug | None = None
    min_membership_years: int | None = Field(default=None, ge=0)
    max_ticket_size: int = Field(default=1, ge=1)
    """2 where co-leaders stand on a joint ticket."""
    gender_balance: Literal["none", "differing"] = "none"
    """'differing': a joint ticket's members must be of differing genders."""
    citation: Citation


class IncumbentReading(Model):
    on_ballot: Literal["automatic", "needs-nominations"]
    explanation: str
    citation: Citation


class IncumbentRule(Model):
    default_reading: Slug
    readings: dict[Slug, IncumbentReading] = Field(min_length=1)
    citation: Citation

    @model_validator(mode="after")
    def _default_exists(self) -> IncumbentRule:
        if self.default_reading not in self.readings:
            known = ", ".join(sorted(self.readings))
            raise ValueError(f"default_reading {self.default_reading!r} is not one of {known}")
        return self


class RollKind(StrEnum):
    """The kind of roll a section's electors come on; it fixes the roll's columns
    (``omov roll schema --roll KIND``)."""

    MEMBERS = "members"
    """A membership roll (members of the party or union; the MPs and MEPs of 2010)."""
    SUPPORTERS = "supporters"
    """Applications (Labour's registered supporters): a fee, a window, the register."""
    AFFILIATES = "affiliates"
    """Members of an affiliated organisation who signed up (Labour's affiliated supporters)."""


class Section(Model):
    name: str
    roll: RollKind = RollKind.MEMBERS
    eligibility: EligibilityCriteria
    citation: Citation

    def tested_on(self, kind: DateKind) -> bool:
        """Whether this section can be tested on the date at all (its roll has the column)."""
        if kind is DateKind.AGE_DATE:
            return self.eligibility.minimum_age is not None
        return self.roll is DATE_ROLLS[kind]


class DateKind(StrEnum):
    """An eligibility date a committee may set for a contest, where the rulebook lets it."""

    FREEZE = "freeze-date"
    """Members must have joined on or before it (``joined_on_or_before``)."""
    ELIGIBILITY = "eligibility-date"
    """One must be a member at this moment (``member_at``)."""
    WINDOW_OPENS = "supporter-window-opens"
    WINDOW_CLOSES = "supporter-window-closes"
    AFFILIATED_DEADLINE = "affiliated-supporter-deadline"
    AFFILIATE_MEMBER_BY = "affiliate-member-by"
    AGE_DATE = "age-date"
    """The day on which age is judged (``age_on``)."""


DATE_ROLLS = {
    DateKind.FREEZE: RollKind.MEMBERS,
    DateKind.ELIGIBILITY: RollKind.MEMBERS,
    DateKind.WINDOW_OPENS: RollKind.SUPPORTERS,
    DateKind.WINDOW_CLOSES: RollKind.SUPPORTERS,
    DateKind.AFFILIATED_DEADLINE: RollKind.AFFILIATES,
    DateKind.AFFILIATE_MEMBER_BY: RollKind.AFFILIATES,
}
"""The kind of roll each date is tested on (the age date: any roll with a minimum age)."""


class DateSetting(Model):
    """Who sets a contest's eligibility dates, where the rules leave them to a committee
    (Labour: the NEC defines the precise criteria, Ch4 Cl II.2.C.vii). The dates in the
    sections' eligibility are then this edition's defaults (what was set in the contest the
    edition describes); a date the committee sets for a contest replaces them."""

    by: str
    dates: list[DateKind] = Field(min_length=1)
    citation: Citation


class Ground(Model):
    """One ground for excluding a person on vetting: a code and what the person is told."""

    code: Slug = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    statement: str = Field(min_length=1)
    citation: Citation


class Vetting(Model):
    """How exclusions are decided and appealed: the fixed list of grounds, a second officer
    to confirm, the days to appeal and who hears appeals, and the smallest figure published
    (a smaller cell of the exclusion figures is suppressed, so nobody is identified)."""

    grounds: list[Ground] = Field(min_length=1)
    second_officer: bool = True
    appeal_days: int = Field(default=7, ge=1)
    appeals_heard_by: str = "the appeals panel"
    min_published: int = Field(default=10, ge=1)
    citation: Citation

    def ground(self, code: str) -> Ground | None:
        return next((g for g in self.grounds if g.code == code), None)


class Channel(StrEnum):
    ONLINE = "online"
    POSTAL = "postal"
    PHONE = "phone"
    IN_PERSON = "in-person"


class PostalPrecedence(StrEnum):
    """Which ballot counts when a postal and an online vote carry one credential.

    Only "the first received counts" is offered: a rule under which a later paper
    replaces an earlier one would need a stored link from the credential to the ballot
    it cast, which ballot secrecy forbids. (Labour 2016: members could vote online even
    after a paper arrived; whichever reached the scrutineer first counted.)"""

    FIRST_RECEIVED = "first-received"


class TrackerMode(StrEnum):
    """What the public board shows beside each voter's tracker.

    - ``inclusion`` (the default): trackers are listed apart from the ballots. A voter can
      see that their ballot was counted, but a tracker proves nothing about how anyone
      voted, so it cannot be sold or demanded by a coercer.
    - ``content``: each tracker is published with its ranking (as Helios does), so a
      voter sees their own ranking counted; but anyone shown a tracker learns that vote.
      Only for bodies where coercion is not a concern.
    """

    INCLUSION = "inclusion"
    CONTENT = "content"


class Voting(Model):
    """The ballot of the electorate and how the count core counts it."""

    method: str
    seats: int = Field(default=1, ge=1)
    voters: list[Slug] = Field(min_length=1)
    """Sections (or, for an MPs' ballot, a body) whose electors vote."""
    tie_break: TieBreakMode = TieBreakMode.PREVIOUS_ROUNDS_THEN_LOT
    seed: int = 0
    batch_elimination: bool = False
    continue_until_two: bool = False
    quota: Quota = Quota.DROOP
    whole_threshold: bool = True
    decimals: int | None = Field(default=None, ge=0, le=12)
    minimum_votes: dict[int, int] = Field(default_factory=dict)
    college_weights: dict[Slug, Percent] = Field(default_factory=dict)
    reporting_sections: list[Slug] = Field(default_factory=list)
    re_open_nominations: bool = False
    """RON stands as an option; if it wins, nominations re-open."""
    options: list[str] = Field(default_factory=list)
    """A question put to the vote (an industrial-action ballot: Yes, No) rather than
    candidates: these are the ballot, with no nominations."""
    channels: list[Channel] = Field(default_factory=lambda: [Channel.ONLINE, Channel.POSTAL])
    postal_precedence: PostalPrecedence = PostalPrecedence.FIRST_RECEIVED
    trackers: TrackerMode = TrackerMode.INCLUSION
    min_section_ballots: int = Field(default=10, ge=1)
    """A section with fewer ballots is merged into another in everything published, so
    that nobody is identified by their section."""
    independent_scrutineer: bool = False
    trustees: int = Field(default=3, ge=2, le=32)
    """n: how many trustees make the election key (each holds one share); at least two of
    them, each a different trustee, mix the encrypted ballots at close."""
    decryption_threshold: int = Field(default=2, ge=1)
    """k: how many trustees must act together to decrypt (k of n)."""
    checkpoint_min_ballots: int = Field(default=100, ge=1)
    """A signed head of the ballot log covers at least this many new ballots, so that a
    batch never narrows down who cast which ciphertext to a handful of voters."""
    citation: Citation

    @field_validator("method")
    @classmethod
    def _method_known(cls, method: str) -> str:
        from omov.rules.counting import known_methods

        known = known_methods()
        if method not in known:
            raise ValueError(
                f"the count core has no method {method!r}; known: {', '.join(sorted(known))}"
            )
        return method

    @model_validator(mode="after")
    def _threshold_within_trustees(self) -> Voting:
        if self.decryption_threshold > self.trustees:
            raise ValueError(
                f"decryption_threshold {self.decryption_threshold} is more than the "
                f"{self.trustees} trustees"
            )
        return self

    @model_validator(mode="after")
    def _college_adds_up(self) -> Voting:
        if self.method == "college":
            total = sum(self.college_weights.values())
            if not self.college_weights or total != 1:
                raise ValueError("an electoral college needs college_weights adding up to 100%")
        return self


class Shortlist(Model):
    """A first stage in which a body (MPs) votes in rounds down to the finalists."""

    voters: Slug
    method: str = "exhaustive"
    finalists: int = Field(default=2, ge=1)
    minimum_votes: dict[int, int] = Field(default_factory=dict)
    """After round r, a candidate with at most ``minimum_votes[r]`` votes is out."""
    sole_finalist_elected: bool = True
    """If only one finalist remains (the other withdrew), they are elected unopposed."""
    citation: Citation


class MilestoneKind(StrEnum):
    NOMINATIONS_OPEN = "nominations-open"
    NOMINATIONS_CLOSE = "nominations-close"
    SUPPORTING_NOMINATIONS_CLOSE = "supporting-nominations-close"
    SUPPORTER_APPLICATIONS_CLOSE = "supporter-applications-close"
    BALLOT_OPEN = "ballot-open"
    BALLOT_CLOSE = "ballot-close"
    RESULT = "result"


class Milestone(Model):
    kind: MilestoneKind
    at: LocalDateTime
    description: str = ""
    citation: Citation


class IndustrialAction(Model):
    """Statutory thresholds of an industrial-action ballot (TULRCA 1992 s.226 as amended)."""

    applies_to_ballots_opening_from: Day
    turnout_threshold: Percent
    turnout_citation: Citation
    important_public_services_yes_threshold: Percent
    important_public_services_citation: Citation
    mandate_months: int = Field(ge=1)
    mandate_months_by_agreement: int = Field(ge=1)
    notice_days: int = Field(ge=1)
    notice_days_by_agreement: int = Field(ge=1)
    citation: Citation


class Rulebook(Model):
    schema_version: Literal[1]
    organisation: Slug
    organisation_name: str
    edition: str
    title: str
    citation: Citation
    """The whole text this edition is (e.g. 'Labour Party Rule Book 2016, Ch4 Cl II')."""
    source: str = ""
    effective_from: Day | None = None
    timezone: str = "Europe/London"
    offices: dict[Slug, Office] = Field(default_factory=dict)
    bodies: dict[Slug, Body] = Field(default_factory=dict)
    triggers: list[Trigger] = Field(default_factory=list)
    motions: list[Motion] = Field(default_factory=list)
    nominations: dict[Slug, NominationRule] = Field(default_factory=dict)
    candidacy: Candidacy | None = None
    incumbent: IncumbentRule | None = None
    sections: dict[Slug, Section] = Field(default_factory=dict)
    shortlist: Shortlist | None = None
    voting: Voting | None = None
    timetable: list[Milestone] = Field(default_factory=list)
    industrial_action: IndustrialAction | None = None
    date_setting: DateSetting | None = None
    vetting: Vetting | None = None
    local: LocalRules | None = None
    """Units, their meetings and motions, trigger ballots, petitions (``omov.rules.local``)."""
    house_rules: HouseRules | None = None
    """Members' discussion: the numbered grounds of moderation (``omov.rules.house_rules``)."""
    hustings: Hustings | None = None
    """Written hustings in the campaign period (``omov.rules.hustings``)."""

    @property
    def id(self) -> str:
        return f"{self.organisation}/{self.edition}"

    def short(self, body: str) -> str:
        """The body's short name for decisions ('CLPs'), else its key in capitals."""
        known = self.bodies.get(body)
        return known.short if known is not None and known.short else body.upper()

    def milestone(self, kind: MilestoneKind) -> Milestone | None:
        return next((m for m in self.timetable if m.kind is kind), None)

    def trigger(self, kind: TriggerKind) -> Trigger | None:
        return next((t for t in self.triggers if t.kind is kind), None)
