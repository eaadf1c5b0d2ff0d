"""An affiliates roll may carry the date each supporter joined their affiliate; under
labour/2016 one who joined after the 12 January freeze gets no ballot, with a reason code."""

from __future__ import annotations

import pytest

from omov.web.electorate.models import Eligibility
from omov.web.electorate.rolls import sections
from omov.web.electorate.services import roll_import

from .conftest import open_contest

pytestmark = pytest.mark.django_db

ROLL = b"""supporter_id,email,date_of_birth,union,signed_up,affiliate_join_date
A0001,a1@example.org,1975-01-01,Unison,2016-05-01,2016-01-12
A0002,a2@example.org,1975-01-01,Unison,2016-05-01,2016-03-01
A0003,a3@example.org,1975-01-01,Unison,2016-05-01,
"""


def test_a_supporter_who_joined_the_affiliate_after_the_freeze_is_excluded() -> None:
    contest = open_contest()
    assert roll_import(contest=contest, section="affiliated-supporters", data=ROLL) == 3
    decided = {e.reference: (e.eligibility, e.reason) for e in contest.electors.all()}
    assert decided == {
        "A0001": (Eligibility.ELIGIBLE, "eligible"),
        "A0002": (Eligibility.INELIGIBLE, "joined_affiliate_after_freeze"),
        "A0003": (Eligibility.ELIGIBLE, "eligible"),  # not reported: not excluded on it
    }


def test_the_upload_page_lists_the_optional_column() -> None:
    columns = dict(sections(open_contest()))
    assert "affiliate_join_date" in columns["affiliated-supporters"].split(",")
