"""The rulebook's sections and eligibility, handed to omov.electorate: every shipped edition
gives criteria (any number of sections, each on its kind of roll), Labour 2016's agree with
the electorate package's own reading of the NEC procedures, and dates set for a contest
replace the edition's."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from omov.electorate.criteria import LABOUR_2016, EligibilityCriteria
from omov.electorate.eligibility import assess
from omov.electorate.roll import read_roll_bytes
from omov.electorate.schema import template_csv
from omov.rules import RulebookError, load_rulebook, shipped_rulebooks
from omov.rules.for_electorate import electorate_criteria
from tests.rules.helpers import replay_contest


def _without_sources(criteria: EligibilityCriteria) -> EligibilityCriteria:
    sections = tuple(replace(s, sources=()) for s in criteria.sections)
    return replace(criteria, sections=sections, issue_source="")


def test_labour_2016_matches_the_electorate_preset():
    """Two transcriptions of one source agree on every test (they cite it differently)."""
    got = electorate_criteria(load_rulebook("labour/2016"))
    assert _without_sources(got) == _without_sources(LABOUR_2016)


def test_labour_2018_criteria_for_the_2020_contest():
    criteria = electorate_criteria(load_rulebook("labour/2018"))
    assert criteria.section("members").joined_by == date(2020, 1, 20)
    supporters = criteria.section("registered-supporters")
    assert supporters.window_opens.isoformat() == "2020-01-14T17:00:00"
    assert supporters.fee_pence == 2500
    assert criteria.ballot_issue_date.isoformat() == "2020-02-21"


@pytest.mark.parametrize("key", shipped_rulebooks())
def test_every_shipped_rulebook_gives_criteria_and_imports_its_own_template(key: str):
    """Sections come from the rulebook: one for most, three for Labour since 2014 (2010: the
    MPs and MEPs, members and affiliates of the electoral college). Each section's template
    reads back as a roll of its kind, and its one example row is decided. Editions whose
    timetable has no ballot dates take them from the contest."""
    book = load_rulebook(key)
    contest = replay_contest(
        book,
        """
        events:
          - {type: date-set, what: ballot-open, value: 2026-03-01T09:00}
          - {type: date-set, what: ballot-close, value: 2026-03-21T12:00}
        """,
    )
    criteria = electorate_criteria(book, contest)
    voters = [name for name in book.voting.voters if name in book.sections]
    assert sorted(criteria.names) == sorted(voters)
    rolls = {
        name: read_roll_bytes(template_csv(book.sections[name].roll.value).encode(), kind)
        for name in criteria.names
        for kind in [book.sections[name].roll.value]
    }
    assessment = assess(rolls, criteria)
    assert assessment.records.height == len(criteria.names)
    expected = {"labour": 3}.get(book.organisation, 1)
    assert len(criteria.names) == expected


def test_sections_come_in_the_order_that_keeps_a_persons_ballot():
    assert electorate_criteria(load_rulebook("labour/2016")).names == (
        "members",
        "affiliated-supporters",
        "registered-supporters",
    )
    assert electorate_criteria(load_rulebook("labour/2010")).names == (
        "mps-meps",
        "members",
        "affiliates",
    )


def test_a_length_of_membership_counts_back_from_the_contests_ballot_close():
    """Conservatives: three months' membership (90 days) by the close of the ballot, which
    this edition's timetable does not give: the contest's does."""
    book = load_rulebook("conservative/2016")
    with pytest.raises(RulebookError, match="set the contest's timetable"):
        electorate_criteria(book)
    contest = replay_contest(
        book, "events: [{type: date-set, what: ballot-close, value: 2016-09-08T17:00}]"
    )
    members = electorate_criteria(book, contest).section("members")
    assert members.joined_by == date(2016, 6, 10)
    assert "90 days before 08 September 2016" in members.source("joined_by")


def test_the_committee_sets_the_freeze_date_and_eligibility_uses_it():
    book = load_rulebook("labour/2016")
    contest = replay_contest(
        book,
        """
        events:
          - {type: date-set, at: 2016-07-12, what: freeze-date, value: 2016-02-01, by: the NEC}
          - {type: date-set, at: 2016-07-12, what: supporter-window-closes, value: 2016-07-21T17:00}
        """,
    )
    criteria = electorate_criteria(book, contest)
    assert criteria.section("members").joined_by == date(2016, 2, 1)
    assert criteria.section("members").source("joined_by").startswith("set by the NEC")
    supporters = criteria.section("registered-supporters")
    assert supporters.window_closes.isoformat() == "2016-07-21T17:00:00"
    assert supporters.age_on == date(2016, 7, 21)  # age is judged at the close of the window
    lines = [used.line() for used in criteria.dates_used()]
    assert lines[0].startswith("members: joined on or before 01 February 2016 (set by the NEC")


def test_the_affiliate_membership_date_comes_from_the_rulebook():
    """Labour 2016: affiliated supporters must have been members of their affiliate on or
    before 12 January 2016 (Ch4 Cl II.2.C.vii; NEC procedures of 12 July 2016). The 2018
    edition sets no such date, so the electorate applies no such test."""
    book = load_rulebook("labour/2016")
    affiliated = book.sections["affiliated-supporters"].eligibility
    assert "Ch4 Cl II.2.C.vii" in affiliated.citation
    criteria = electorate_criteria(book).section("affiliated-supporters")
    assert criteria.affiliate_member_by == date(2016, 1, 12)
    later = electorate_criteria(load_rulebook("labour/2018")).section("affiliated-supporters")
    assert later.affiliate_member_by is None
