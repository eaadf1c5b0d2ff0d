"""The rulebook's eligibility, handed to omov.electorate, agrees with the electorate package's
own reading of the 2016 NEC procedures (two independent transcriptions of one source)."""

from __future__ import annotations

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
