"""The eligibility criteria of one contest: the interface the rulebook fills.

The electorate package stands alone: it does not read rulebooks. A rulebook edition (see
``omov.rules``) is turned into an :class:`EligibilityCriteria` by an adapter outside this
package, so either side can change without the other. :data:`LABOUR_2016` is the preset for
the 2016 Labour leadership election, from the NEC's procedures as published (12 July 2016):

- members: continuous membership since on or before 12 January 2016 (the freeze date);
- registered supporters: £25, applications from 5pm Monday 18 July to 5pm Wednesday 20 July
  2016, aged 18 or over, on the electoral register;
- affiliated supporters: members of their affiliate on or before 12 January 2016, signed
  up by 8 August 2016;
- ballots issued from the week of 22 August 2016.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from omov.electorate.errors import CriteriaError
from omov.electorate.schema import Section

DEFAULT_PRIORITY = (Section.MEMBERS, Section.AFFILIATES, Section.SUPPORTERS)
"""Who keeps the ballot when one person is on several rolls. A member votes as a member (the
issue's rule: a member who also registered as a supporter gets one ballot, as a member).
Affiliated supporters come before registered supporters because their standing comes from an
affiliate membership that predates the contest, while a supporter's application is the newest
and most often duplicated record."""


@dataclass(frozen=True, slots=True)
class EligibilityCriteria:
    """Who may vote in one contest. Dates are inclusive; times are the organisation's local time.

    ``minimum_age`` applies to registered and affiliated supporters, whose age is taken on
    ``age_on`` (the close of the supporter window); members vote whatever their age, as
    Labour's rules let members join from 14.

    ``affiliate_member_by``: an affiliated supporter must have joined their affiliate on or
    before this day (Labour 2016: the freeze date); ``None`` sets no such test. A record
    whose ``affiliate_join_date`` is empty, or a roll without the column, is not excluded on
    this ground: the date is the affiliate's to report, rolls made before the column existed
    do not have it, and refusing every supporter of an affiliate that did not send it would
    take votes away for a gap in the data rather than for a fact shown against the person.
    A doubtful record is a case for vetting, which records its grounds and can be appealed.
    """

    freeze_date: date
    window_opens: datetime
    window_closes: datetime
    supporter_fee_pence: int
    minimum_age: int
    age_on: date
    register_required: bool
    affiliated_deadline: date
    ballot_issue_date: date
    exclude_suspended: bool = True
    exclude_in_arrears: bool = True
    second_officer_required: bool = True
    appeal_days: int = 7
    affiliate_member_by: date | None = None
    section_priority: tuple[Section, ...] = field(default=DEFAULT_PRIORITY)

    def __post_init__(self) -> None:
        if self.window_closes < self.window_opens:
            raise CriteriaError("the supporter window closes before it opens")
        if self.minimum_age < 0 or self.supporter_fee_pence < 0 or self.appeal_days < 0:
            raise CriteriaError("age, fee and appeal days cannot be negative")
        if sorted(self.section_priority) != sorted(Section):
            raise CriteriaError("section priority must list each section exactly once")

    def rank(self, section: Section) -> int:
        """0 for the section that keeps a duplicated person's ballot, then 1, 2."""
        return self.section_priority.index(section)


LABOUR_2016 = EligibilityCriteria(
    freeze_date=date(2016, 1, 12),
    window_opens=datetime(2016, 7, 18, 17, 0, 0),
    window_closes=datetime(2016, 7, 20, 17, 0, 0),
    supporter_fee_pence=2500,
    minimum_age=18,
    age_on=date(2016, 7, 20),
    register_required=True,
    affiliated_deadline=date(2016, 8, 8),
    ballot_issue_date=date(2016, 8, 22),
    affiliate_member_by=date(2016, 1, 12),
)

PRESETS: dict[str, EligibilityCriteria] = {"labour-2016": LABOUR_2016}


def preset(name: str) -> EligibilityCriteria:
    """A built-in set of criteria by name, until the rulebook adapter supplies them."""
    try:
        return PRESETS[name]
    except KeyError:
        raise CriteriaError(
            f"no built-in criteria {name!r}; known: {', '.join(sorted(PRESETS))}"
        ) from None
