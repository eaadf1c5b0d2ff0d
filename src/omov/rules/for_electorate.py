"""The adapter from a rulebook's per-section eligibility to ``omov.electorate``'s criteria.

The electorate package does not read rulebooks; it takes one flat
``omov.electorate.criteria.EligibilityCriteria`` per contest (members, registered
supporters, affiliated supporters). This builds that record from a rulebook's three
sections and its timetable, so a contest's electorate follows the edition it runs under.
Optional tests the rulebook does not set (an edition without
``affiliate_member_on_or_before``, say) stay unset, so the electorate applies no such test.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

from omov.electorate.criteria import EligibilityCriteria as ElectorateCriteria
from omov.rules.eligibility import EligibilityCriteria
from omov.rules.errors import RulebookError
from omov.rules.schema import MilestoneKind, Rulebook

T = TypeVar("T")
MEMBERS, SUPPORTERS, AFFILIATED = "members", "registered-supporters", "affiliated-supporters"


def electorate_criteria(book: Rulebook) -> ElectorateCriteria:
    """``omov.electorate``'s criteria for a contest under ``book``; a one-line error names
    the first fact the rulebook lacks."""
    members, supporters, affiliated = (_section(book, s) for s in (MEMBERS, SUPPORTERS, AFFILIATED))
    zone = ZoneInfo(book.timezone)
    opens = _need(book, SUPPORTERS, "application_window_start", supporters.application_window_start)
    closes = _need(book, SUPPORTERS, "application_window_end", supporters.application_window_end)
    ballot = book.milestone(MilestoneKind.BALLOT_OPEN)
    if ballot is None:
        raise RulebookError(f"{book.id}: the timetable has no ballot-open milestone")
    return ElectorateCriteria(
        freeze_date=_need(book, MEMBERS, "joined_on_or_before", members.joined_on_or_before),
        window_opens=_local(opens, zone),
        window_closes=_local(closes, zone),
        supporter_fee_pence=_pence(_need(book, SUPPORTERS, "fee", supporters.fee)),
        minimum_age=_need(book, SUPPORTERS, "minimum_age", supporters.minimum_age),
        age_on=supporters.age_on or _local(closes, zone).date(),
        register_required=supporters.electoral_register_required,
        affiliated_deadline=_local(
            _need(
                book,
                AFFILIATED,
                "affiliated_supporter_deadline",
                affiliated.affiliated_supporter_deadline,
            ),
            zone,
        ).date(),
        ballot_issue_date=_local(ballot.at, zone).date(),
        exclude_suspended=members.exclude_suspended,
        exclude_in_arrears=members.good_standing_required or members.max_arrears == 0,
        affiliate_member_by=affiliated.affiliate_member_on_or_before,
    )


def _section(book: Rulebook, name: str) -> EligibilityCriteria:
    section = book.sections.get(name)
    if section is None:
        raise RulebookError(f"{book.id}: no {name!r} section for the electorate")
    return section.eligibility


def _need(book: Rulebook, section: str, field: str, value: T | None) -> T:
    if value is None:
        raise RulebookError(f"{book.id}: sections.{section}.eligibility.{field} is not set")
    return value


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    """The electorate package keeps the organisation's local wall-clock time, without zone."""
    return moment.astimezone(zone).replace(tzinfo=None)


def _pence(fee: Decimal) -> int:
    return int(fee * 100)
