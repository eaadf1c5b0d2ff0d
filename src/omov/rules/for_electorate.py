"""The adapter from a rulebook's sections to ``omov.electorate``'s criteria.

The electorate package does not read rulebooks; it takes one
``omov.electorate.criteria.EligibilityCriteria`` per contest: each section the rulebook
names, on the kind of roll it names, with the tests its eligibility sets. The dates come
from the contest where they were set for it (a committee's freeze date, the contest's own
timetable: ``omov.rules.dates``), otherwise from the edition; each date keeps where it
came from, so every date a check used can be printed with its source.

Where a rule measures from the ballot (three months' membership by its close; age on the
close of the ballot), the contest's ballot-close date is used, else the edition's.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from omov.electorate.criteria import EligibilityCriteria as ElectorateCriteria
from omov.electorate.criteria import SectionCriteria, by_kind
from omov.electorate.schema import RollKind as ElectorateRoll
from omov.rules.contest import Contest
from omov.rules.dates import FIELD
from omov.rules.eligibility import EligibilityCriteria
from omov.rules.errors import RulebookError
from omov.rules.schema import DateKind, MilestoneKind, Rulebook
from omov.rules.timetable import point


def electorate_criteria(book: Rulebook, contest: Contest | None = None) -> ElectorateCriteria:
    """``omov.electorate``'s criteria for a contest under ``book`` (with the dates set for
    ``contest``, if given); a one-line error names the first fact that is missing."""
    reader = _Reader(book, contest)
    voters = book.voting.voters if book.voting else list(book.sections)
    sections = [reader.section(name) for name in voters if name in book.sections]
    if not sections:
        raise RulebookError(f"{book.id}: no section of the electorate votes")
    issue, issue_source = reader.issue_date()
    vetting = book.vetting
    return ElectorateCriteria(
        sections=by_kind(sections),
        ballot_issue_date=issue,
        second_officer_required=vetting.second_officer if vetting else True,
        appeal_days=vetting.appeal_days if vetting else 7,
        issue_source=issue_source,
    )


class _Reader:
    """Reads each date from the contest where it was set, else from the edition."""

    def __init__(self, book: Rulebook, contest: Contest | None) -> None:
        self.book, self.contest = book, contest
        self.zone = ZoneInfo(book.timezone)

    def given(self, section: str, kind: DateKind, field: str) -> tuple[datetime | None, str]:
        if self.contest is not None and (section, kind) in self.contest.dates:
            found = self.contest.dates[(section, kind)]
            return found.value, found.source
        eligibility = self.book.sections[section].eligibility
        value = getattr(eligibility, field)
        if isinstance(value, date) and not isinstance(value, datetime):
            value = datetime.combine(value, datetime.min.time(), self.zone)
        return value, f"{self.book.id}, {eligibility.citation}"

    def milestone(self, kind: MilestoneKind) -> tuple[datetime, str] | None:
        if self.contest is not None:
            found = point(self.contest, kind)
            if found is None:
                return None
            source = self.contest.timetable.get(kind)
            return found.at, (source.source if source else f"{self.book.id}, {found.citation}")
        shipped = self.book.milestone(kind)
        return (shipped.at, f"{self.book.id}, {shipped.citation}") if shipped else None

    def local(self, moment: datetime) -> datetime:
        """The electorate package keeps the organisation's local wall-clock time."""
        return moment.astimezone(self.zone).replace(tzinfo=None)

    def issue_date(self) -> tuple[date, str]:
        found = self.milestone(MilestoneKind.BALLOT_OPEN) or self.milestone(
            MilestoneKind.BALLOT_CLOSE
        )
        if found is None:
            raise RulebookError(f"{self.book.id}: no ballot-open date: set the contest's timetable")
        return self.local(found[0]).date(), found[1]

    def ballot_close(self) -> tuple[date, str] | None:
        found = self.milestone(MilestoneKind.BALLOT_CLOSE)
        return (self.local(found[0]).date(), found[1]) if found else None

    def section(self, name: str) -> SectionCriteria:
        section = self.book.sections[name]
        rules = section.eligibility
        dates = _Dates(self, name)
        return SectionCriteria(
            name,
            ElectorateRoll(section.roll.value),
            joined_by=self._joined_by(dates, rules),
            window_opens=dates.moment(DateKind.WINDOW_OPENS),
            window_closes=dates.moment(DateKind.WINDOW_CLOSES),
            fee_pence=_pence(rules.fee) if rules.fee is not None else None,
            minimum_age=rules.minimum_age,
            age_on=self._age_on(dates, rules),
            register_required=rules.electoral_register_required,
            signed_up_by=dates.day(DateKind.AFFILIATED_DEADLINE),
            affiliate_member_by=dates.day(DateKind.AFFILIATE_MEMBER_BY),
            exclude_suspended=rules.exclude_suspended,
            exclude_in_arrears=rules.good_standing_required or rules.max_arrears == 0,
            sources=tuple(sorted(dates.sources.items())),
        )

    def _joined_by(self, dates: _Dates, rules: EligibilityCriteria) -> date | None:
        """The day by which a member must have joined: the freeze date; or the moment one
        must be a member; or, for a length of membership, that many days before the close
        of the ballot (or before the moment one must be a member). The earliest of these
        is the one that satisfies every test the rules set."""
        found: list[tuple[date, str]] = []
        for kind in (DateKind.FREEZE, DateKind.ELIGIBILITY):
            value, source = self.given(dates.section, kind, FIELD[kind])
            if value is not None:
                found.append((self.local(value).date(), source))
        if rules.min_membership_days is not None:
            member_at, source = self.given(dates.section, DateKind.ELIGIBILITY, "member_at")
            base = (self.local(member_at).date(), source) if member_at else self.ballot_close()
            if base is None:
                raise RulebookError(
                    f"{self.book.id}: {rules.min_membership_days} days' membership are "
                    "counted back from the close of the ballot: set the contest's timetable"
                )
            days = rules.min_membership_days
            found.append(
                (
                    base[0] - timedelta(days=days),
                    f"{days} days before {base[0]:%d %B %Y}: {base[1]}",
                )
            )
        if not found:
            return None
        earliest = min(found)
        dates.sources["joined_by"] = earliest[1]
        return earliest[0]

    def _age_on(self, dates: _Dates, rules: EligibilityCriteria) -> date | None:
        """The one day a section's age is judged on: as the rules set it, else the close of
        the supporter window or sign-up deadline, else the close of the ballot."""
        if rules.minimum_age is None:
            return None
        stated = dates.day(DateKind.AGE_DATE)
        if stated is not None:
            return stated
        for kind in (DateKind.WINDOW_CLOSES, DateKind.AFFILIATED_DEADLINE):
            value, source = self.given(dates.section, kind, FIELD[kind])
            if value is not None:
                dates.sources["age_on"] = f"the {kind.value.replace('-', ' ')}: {source}"
                return self.local(value).date()
        closes = self.ballot_close()
        if closes is None:
            raise RulebookError(
                f"{self.book.id}: sections.{dates.section}: age is judged on the close of the "
                "ballot: set the contest's timetable, or age_on"
            )
        dates.sources["age_on"] = f"the close of the ballot: {closes[1]}"
        return closes[0]


class _Dates:
    """One section's dates as they are read, each with where it came from."""

    def __init__(self, reader: _Reader, section: str) -> None:
        self.reader, self.section = reader, section
        self.sources: dict[str, str] = {}

    def moment(self, kind: DateKind) -> datetime | None:
        value, source = self.reader.given(self.section, kind, FIELD[kind])
        if value is None:
            return None
        self.sources[_ELECTORATE_FIELD[kind]] = source
        return self.reader.local(value)

    def day(self, kind: DateKind) -> date | None:
        moment = self.moment(kind)
        return moment.date() if moment is not None else None


_ELECTORATE_FIELD = {
    DateKind.FREEZE: "joined_by",
    DateKind.ELIGIBILITY: "joined_by",
    DateKind.WINDOW_OPENS: "window_opens",
    DateKind.WINDOW_CLOSES: "window_closes",
    DateKind.AFFILIATED_DEADLINE: "signed_up_by",
    DateKind.AFFILIATE_MEMBER_BY: "affiliate_member_by",
    DateKind.AGE_DATE: "age_on",
}


def _pence(fee: Decimal) -> int:
    return int(fee * 100)
