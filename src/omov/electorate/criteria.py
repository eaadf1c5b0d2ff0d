"""The eligibility criteria of one contest: the interface the rulebook fills.

The electorate package stands alone: it does not read rulebooks. A rulebook edition (see
``omov.rules``) is turned into an :class:`EligibilityCriteria` by an adapter outside this
package, so either side can change without the other. A contest has any number of
sections (one for most parties and unions, three for Labour since 2014); each is a
:class:`SectionCriteria` naming the kind of roll it is kept on and the tests its records
must pass. :data:`LABOUR_2016` is the preset for the 2016 Labour leadership election, from
the NEC's procedures as published (12 July 2016):

- members: continuous membership since on or before 12 January 2016 (the freeze date);
- registered supporters: £25, applications from 5pm Monday 18 July to 5pm Wednesday 20 July
  2016, aged 18 or over on 20 July, on the electoral register;
- affiliated supporters: members of their affiliate on or before 12 January 2016, signed
  up by 8 August 2016, aged 18 or over on that day;
- ballots issued from the week of 22 August 2016.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from omov.electorate.errors import CriteriaError
from omov.electorate.schema import RollKind

KIND_PRIORITY = (RollKind.MEMBERS, RollKind.AFFILIATES, RollKind.SUPPORTERS)
"""Who keeps the ballot when one person is on several rolls. A member votes as a member (a
member who also registered as a supporter gets one ballot, as a member). Affiliated
supporters come before registered supporters because their standing comes from an
affiliate membership that predates the contest, while a supporter's application is the
newest and most often duplicated record."""


@dataclass(frozen=True, slots=True)
class DateUsed:
    """One date a check used, and where it came from (the rulebook, or a committee)."""

    section: str
    check: str
    value: date | datetime
    source: str

    def line(self) -> str:
        shown = (
            f"{self.value:%d %B %Y %H:%M}"
            if isinstance(self.value, datetime)
            else f"{self.value:%d %B %Y}"
        )
        return f"{self.section}: {self.check} {shown} ({self.source})"


@dataclass(frozen=True, slots=True)
class SectionCriteria:
    """The tests one section's records must pass. ``None`` or ``False``: no such test.

    Dates are inclusive; times are the organisation's local wall-clock time.

    - ``joined_by``: a member whose membership began after this day has no vote (the
      freeze date; a membership date such as the close of nominations; or the day
      three months before the close of the ballot, where a length of membership is asked).
    - ``window_opens``/``window_closes``: a supporter's application counts only if made
      inside this window.
    - ``minimum_age`` on ``age_on``: one stated day per section on which age is judged.
    - ``register_required``: the applicant must be matched on the electoral register.
    - ``signed_up_by``: the last day an affiliated supporter may sign up.
    - ``affiliate_member_by``: an affiliated supporter must have joined their affiliate on
      or before this day. A record whose ``affiliate_join_date`` is empty is not excluded
      on this ground: the date is the affiliate's to report, and refusing every supporter of
      an affiliate that did not send it would take votes away for a gap in the data rather
      than for a fact shown against the person. A doubtful record is a case for vetting.
    - ``exclude_suspended``/``exclude_in_arrears``: a member's standing.
    - ``sources``: for each date above, where it came from (printed with the date).
    """

    name: str
    roll: RollKind
    joined_by: date | None = None
    window_opens: datetime | None = None
    window_closes: datetime | None = None
    fee_pence: int | None = None
    minimum_age: int | None = None
    age_on: date | None = None
    register_required: bool = False
    signed_up_by: date | None = None
    affiliate_member_by: date | None = None
    exclude_suspended: bool = True
    exclude_in_arrears: bool = False
    sources: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        opens, closes = self.window_opens, self.window_closes
        if opens is not None and closes is not None and closes < opens:
            raise CriteriaError(f"{self.name}: the application window closes before it opens")
        if (self.minimum_age or 0) < 0 or (self.fee_pence or 0) < 0:
            raise CriteriaError(f"{self.name}: age and fee cannot be negative")
        if self.minimum_age is not None and self.age_on is None:
            raise CriteriaError(f"{self.name}: a minimum age needs the day age is judged on")

    def source(self, name: str) -> str:
        return dict(self.sources).get(name, "the rules")

    def dates_used(self) -> list[DateUsed]:
        """Every date this section's checks use, one each, in the order they are tested."""
        checks: list[tuple[str, str, date | datetime | None]] = [
            ("joined_by", "joined on or before", self.joined_by),
            ("window_opens", "applied from", self.window_opens),
            ("window_closes", "applied until", self.window_closes),
            ("signed_up_by", "signed up on or before", self.signed_up_by),
            ("affiliate_member_by", "joined the affiliate on or before", self.affiliate_member_by),
            ("age_on", f"aged {self.minimum_age} or over on", self.age_on),
        ]
        return [
            DateUsed(self.name, check, value, self.source(name))
            for name, check, value in checks
            if value is not None and (name != "age_on" or self.minimum_age is not None)
        ]


@dataclass(frozen=True, slots=True)
class EligibilityCriteria:
    """Who may vote in one contest: each section's tests, in the order that decides which
    record keeps a person's ballot, and when the electorate is frozen for the ballot.

    ``ballot_issue_date``: vetting counts as it stood at the start of this day (the
    electorate snapshot). ``appeal_days``: how long after a decision an appeal may be
    lodged. ``second_officer_required``: an exclusion needs a second officer to confirm it.
    """

    sections: tuple[SectionCriteria, ...]
    ballot_issue_date: date
    second_officer_required: bool = True
    appeal_days: int = 7
    issue_source: str = "the rules"
    names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        names = tuple(section.name for section in self.sections)
        if not names:
            raise CriteriaError("an electorate needs at least one section")
        if len(set(names)) != len(names):
            raise CriteriaError(f"sections named twice: {', '.join(names)}")
        if self.appeal_days < 0:
            raise CriteriaError("appeal days cannot be negative")
        object.__setattr__(self, "names", names)

    def section(self, name: str) -> SectionCriteria:
        for section in self.sections:
            if section.name == name:
                return section
        raise CriteriaError(f"no section {name!r}; this contest has: {', '.join(self.names)}")

    def rank(self, name: str) -> int:
        """0 for the section that keeps a duplicated person's ballot, then 1, 2, ..."""
        return self.names.index(name)

    def dates_used(self) -> list[DateUsed]:
        """Every date a check uses, section by section, then the day vetting is frozen."""
        dates = [used for section in self.sections for used in section.dates_used()]
        dates.append(
            DateUsed(
                "vetting", "as it stood at the start of", self.ballot_issue_date, self.issue_source
            )
        )
        return dates


def by_kind(sections: list[SectionCriteria]) -> tuple[SectionCriteria, ...]:
    """Sections in the order that keeps a duplicated person's ballot: members' rolls first,
    then affiliates', then supporters' (see :data:`KIND_PRIORITY`), otherwise as given."""
    return tuple(sorted(sections, key=lambda s: KIND_PRIORITY.index(s.roll)))


_NEC_2016 = "NEC procedures, 12 July 2016"
LABOUR_2016 = EligibilityCriteria(
    sections=(
        SectionCriteria(
            "members",
            RollKind.MEMBERS,
            joined_by=date(2016, 1, 12),
            exclude_in_arrears=True,
            sources=(("joined_by", _NEC_2016),),
        ),
        SectionCriteria(
            "affiliated-supporters",
            RollKind.AFFILIATES,
            minimum_age=18,
            age_on=date(2016, 8, 8),
            signed_up_by=date(2016, 8, 8),
            affiliate_member_by=date(2016, 1, 12),
            register_required=True,
            sources=(
                ("signed_up_by", _NEC_2016),
                ("affiliate_member_by", _NEC_2016),
                ("age_on", _NEC_2016),
            ),
        ),
        SectionCriteria(
            "registered-supporters",
            RollKind.SUPPORTERS,
            window_opens=datetime(2016, 7, 18, 17, 0, 0),
            window_closes=datetime(2016, 7, 20, 17, 0, 0),
            fee_pence=2500,
            minimum_age=18,
            age_on=date(2016, 7, 20),
            register_required=True,
            sources=(
                ("window_opens", _NEC_2016),
                ("window_closes", _NEC_2016),
                ("age_on", _NEC_2016),
            ),
        ),
    ),
    ballot_issue_date=date(2016, 8, 22),
    issue_source=_NEC_2016,
)

PRESETS: dict[str, EligibilityCriteria] = {"labour-2016": LABOUR_2016}


def preset(name: str) -> EligibilityCriteria:
    """A built-in set of criteria by name (the rulebooks are the usual source)."""
    try:
        return PRESETS[name]
    except KeyError:
        raise CriteriaError(
            f"no built-in criteria {name!r}; known: {', '.join(sorted(PRESETS))}"
        ) from None
