"""The rulebook's eligibility, handed to omov.electorate, agrees with the electorate package's
own reading of the 2016 NEC procedures (two independent transcriptions of one source)."""

from __future__ import annotations

from datetime import date

import pytest

from omov.electorate.criteria import LABOUR_2016
from omov.rules import RulebookError, load_rulebook
from omov.rules.for_electorate import electorate_criteria


def test_labour_2016_matches_the_electorate_preset():
    assert electorate_criteria(load_rulebook("labour/2016")) == LABOUR_2016


def test_labour_2018_criteria_for_the_2020_contest():
    criteria = electorate_criteria(load_rulebook("labour/2018"))
    assert criteria.freeze_date.isoformat() == "2020-01-20"
    assert criteria.window_opens.isoformat() == "2020-01-14T17:00:00"
    assert criteria.supporter_fee_pence == 2500
    assert criteria.ballot_issue_date.isoformat() == "2020-02-21"


def test_a_rulebook_without_a_supporter_window_says_what_is_missing():
    with pytest.raises(
        RulebookError,
        match=r"^labour/2015: sections\.registered-supporters\."
        r"eligibility\.application_window_start is not set$",
    ):
        electorate_criteria(load_rulebook("labour/2015"))
    with pytest.raises(RulebookError, match="no 'registered-supporters' section"):
        electorate_criteria(load_rulebook("snp/2023"))


def test_the_affiliate_membership_date_comes_from_the_rulebook():
    """Labour 2016: affiliated supporters must have been members of their affiliate on or
    before 12 January 2016 (Ch4 Cl II.2.C.vii; NEC procedures of 12 July 2016). The 2018
    edition sets no such date, so the electorate applies no such test."""
    book = load_rulebook("labour/2016")
    affiliated = book.sections["affiliated-supporters"].eligibility
    assert "Ch4 Cl II.2.C.vii" in affiliated.citation
    assert electorate_criteria(book).affiliate_member_by == date(2016, 1, 12)
    assert electorate_criteria(load_rulebook("labour/2018")).affiliate_member_by is None
