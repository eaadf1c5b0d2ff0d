"""Eligibility: each reason code from a hand-made roll whose answers are worked out by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from omov.electorate import vetting
from omov.electorate.criteria import LABOUR_2016, EligibilityCriteria, preset
from omov.electorate.eligibility import Reason, adult_born_by, assess, reasons_of
from omov.electorate.errors import CriteriaError
from omov.electorate.reports import personal_statement
from omov.electorate.roll import read_roll_bytes

MEMBERS = b"""membership_number,email,date_of_birth,join_date,status,arrears
L1,one@x.org,1970-01-01,2016-01-12,active,no
L2,two@x.org,1970-01-01,2016-01-13,active,no
L3,three@x.org,1970-01-01,2001-01-01,lapsed,no
L4,four@x.org,1970-01-01,2001-01-01,suspended,yes
L5,five@x.org,1970-01-01,2001-01-01,active,yes
L6,six@x.org,1970-01-01,2001-01-01,active,no
"""
SUPPORTERS = b"""application_id,email,date_of_birth,applied_at,payment_status,on_register
S1,ONE@x.org ,1970-01-01,2016-07-19T12:00:00,paid,yes
S2,two@x.org,1970-01-01,2016-07-18T17:00:00,paid,yes
S3,s3@x.org,1970-01-01,2016-07-20T17:00:01,paid,yes
S4,s4@x.org,1970-01-01,2016-07-19T12:00:00,failed,yes
S5,s5@x.org,1998-07-21,2016-07-19T12:00:00,paid,yes
S6,s6@x.org,1998-07-20,2016-07-19T12:00:00,paid,no
S7,s7@x.org,1980-01-01,2016-07-19T12:00:00,paid,yes
"""
AFFILIATES = b"""supporter_id,email,date_of_birth,union,signed_up
A1,s7@x.org,1980-01-01,Unite,2016-08-08
A2,a2@x.org,1980-01-01,GMB,2016-08-09
"""


def _assess(**changes: object) -> dict[tuple[str, str], tuple[str | None, list[Reason]]]:
    rolls = {
        "members": read_roll_bytes(MEMBERS, "members"),
        "registered-supporters": read_roll_bytes(SUPPORTERS, "supporters"),
        "affiliated-supporters": read_roll_bytes(AFFILIATES, "affiliates"),
    }
    case = vetting.open_case("V7", "members", "L6", key=b"k", at=datetime(2016, 8, 1), actor="a")
    case = vetting.propose_exclusion(
        case,
        grounds=vetting.EXAMPLE_GROUNDS[2],
        evidence="e/1",
        at=datetime(2016, 8, 1),
        actor="a",
        second_officer_required=False,
    )
    result = assess(rolls, _changed(**changes), vetting=[case])
    return {
        (r["section"], r["record_id"]): (r["reason"], reasons_of(r["failed"]))
        for r in result.records.iter_rows(named=True)
    }


def _changed(**changes: object) -> EligibilityCriteria:
    """The 2016 criteria with ``changes`` made to every section."""
    sections = tuple(replace(s, **changes) for s in LABOUR_2016.sections)  # type: ignore[arg-type]
    return replace(LABOUR_2016, sections=sections)


def test_each_reason_as_worked_out_by_hand() -> None:
    got = {key: reason for key, (reason, _) in _assess().items()}
    assert got == {
        ("members", "L1"): None,  # joined on the freeze date: inclusive
        ("members", "L2"): "joined_after_freeze",
        ("members", "L3"): "lapsed",
        ("members", "L4"): "suspended",
        ("members", "L5"): "in_arrears",
        ("members", "L6"): "excluded_by_vetting",
        (
            "registered-supporters",
            "S1",
        ): "duplicate",  # the same person as L1, who votes as a member
        (
            "registered-supporters",
            "S2",
        ): None,  # L2 joined too late, so S2 keeps the vote; 5pm is in
        ("registered-supporters", "S3"): "applied_outside_window",
        ("registered-supporters", "S4"): "payment_failed",
        ("registered-supporters", "S5"): "under_age",  # 18 on 21 July 2016, a day late
        ("registered-supporters", "S6"): "not_on_register",  # 18 on the day itself: old enough
        ("registered-supporters", "S7"): "duplicate",  # affiliated supporter A1 comes first
        ("affiliated-supporters", "A1"): None,
        ("affiliated-supporters", "A2"): "signed_up_after_deadline",
    }


def test_all_reasons_are_kept_and_the_first_is_counted() -> None:
    reason, reasons = _assess()[("members", "L4")]
    assert reason == "suspended"
    assert reasons == [Reason.SUSPENDED, Reason.IN_ARREARS]


def test_criteria_switches_change_outcomes() -> None:
    relaxed = _assess(exclude_in_arrears=False, register_required=False, exclude_suspended=False)
    assert relaxed[("members", "L4")][0] is None
    assert relaxed[("members", "L5")][0] is None
    assert relaxed[("registered-supporters", "S6")][0] is None


def test_criteria_refuse_nonsense() -> None:
    supporters = LABOUR_2016.section("registered-supporters")
    with pytest.raises(CriteriaError, match="closes before it opens"):
        replace(supporters, window_closes=datetime(2016, 7, 1))
    with pytest.raises(CriteriaError, match="needs the day age is judged on"):
        replace(supporters, age_on=None)
    with pytest.raises(CriteriaError, match="sections named twice"):
        replace(LABOUR_2016, sections=(supporters, supporters))
    with pytest.raises(CriteriaError, match="no section 'supporters'"):
        LABOUR_2016.section("supporters")
    with pytest.raises(CriteriaError, match="no built-in criteria"):
        preset("labour-1983")


def test_age_on_a_leap_day() -> None:
    assert adult_born_by(date(2016, 2, 29), 18) == date(1998, 2, 28)
    assert adult_born_by(date(2016, 7, 20), 18) == date(1998, 7, 20)


AFFILIATES_WITH_UNION_DATES = b"""\
supporter_id,email,date_of_birth,union,signed_up,affiliate_join_date
B1,b1@x.org,1980-01-01,Unite,2016-08-01,2016-01-12
B2,b2@x.org,1980-01-01,GMB,2016-08-01,2016-01-13
B3,b3@x.org,1980-01-01,GMB,2016-08-01,
B4,b4@x.org,1980-01-01,GMB,2016-08-09,2016-02-01
"""


def _affiliates(data: bytes, **changes: object) -> dict[str, tuple[str | None, list[Reason]]]:
    roll = read_roll_bytes(data, "affiliates")
    result = assess({"affiliated-supporters": roll}, _changed(**changes))
    return {
        r["record_id"]: (r["reason"], reasons_of(r["failed"]))
        for r in result.records.iter_rows(named=True)
    }


def test_an_affiliated_supporter_must_have_joined_the_affiliate_by_the_freeze() -> None:
    got = _affiliates(AFFILIATES_WITH_UNION_DATES)
    assert got["B1"] == (None, [])  # joined the union on the freeze date: inclusive
    assert got["B2"] == ("joined_affiliate_after_freeze", [Reason.JOINED_AFFILIATE_AFTER_FREEZE])
    assert got["B3"] == (None, [])  # no date reported: not excluded on this ground
    assert got["B4"] == (  # late on both counts; the sign-up deadline comes first
        "signed_up_after_deadline",
        [Reason.SIGNED_UP_AFTER_DEADLINE, Reason.JOINED_AFFILIATE_AFTER_FREEZE],
    )


def test_rules_without_an_affiliate_date_test_ignore_the_column() -> None:
    got = _affiliates(AFFILIATES_WITH_UNION_DATES, affiliate_member_by=None)
    assert got["B2"] == (None, [])
    assert got["B4"][1] == [Reason.SIGNED_UP_AFTER_DEADLINE]


def test_a_roll_without_the_union_date_column_excludes_nobody_on_it() -> None:
    got = {
        key: reason for key, (reason, _) in _assess().items() if key[0] == "affiliated-supporters"
    }
    assert got == {
        ("affiliated-supporters", "A1"): None,
        ("affiliated-supporters", "A2"): "signed_up_after_deadline",
    }


def test_the_union_date_reason_is_explained_to_the_person() -> None:
    roll = read_roll_bytes(AFFILIATES_WITH_UNION_DATES, "affiliates")
    result = assess({"affiliated-supporters": roll}, LABOUR_2016)
    statement = personal_statement(result, "affiliated-supporters", "B2")
    assert not statement.eligible
    assert "joined it after 12 January 2016" in statement.text()
    assert "You may appeal until" in statement.text()


PEOPLE_MEMBERS = b"""membership_number,email,date_of_birth,join_date,status,arrears
P1,vetted@x.org,1970-01-01,2001-01-01,active,no
P2,suspended@x.org,1970-01-01,2001-01-01,suspended,no
P3,late@x.org,1970-01-01,2016-03-01,active,no
P4,quoted@x.org,1970-01-01,2001-01-01,active,no
P5,expelled@x.org,1970-01-01,2001-01-01,expelled,no
"""
PEOPLE_SUPPORTERS = b"""\
application_id,email,date_of_birth,applied_at,payment_status,on_register,membership_number
R1,vetted@x.org,1970-01-01,2016-07-19T12:00:00,paid,yes,
R2,SUSPENDED@x.org,1970-01-01,2016-07-19T12:00:00,paid,yes,
R3,late@x.org,1970-01-01,2016-07-19T12:00:00,paid,yes,
R4,someone.else@x.org,1980-05-05,2016-07-19T12:00:00,paid,yes,p4
R5,fresh@x.org,1970-01-01,2016-07-20T18:00:00,paid,yes,P5
"""


def _people(**vetted: str) -> dict[tuple[str, str], dict[str, object]]:
    rolls = {
        "members": read_roll_bytes(PEOPLE_MEMBERS, "members"),
        "registered-supporters": read_roll_bytes(PEOPLE_SUPPORTERS, "supporters"),
    }
    cases = []
    for record_id, section in vetted.items():
        case = vetting.open_case(
            "V1", section, record_id, key=b"k", at=datetime(2016, 8, 1), actor="a"
        )
        case = vetting.propose_exclusion(
            case,
            grounds=vetting.EXAMPLE_GROUNDS[0],
            evidence="e/1",
            at=datetime(2016, 8, 1),
            actor="a",
            second_officer_required=True,
        )
        cases.append(vetting.confirm(case, at=datetime(2016, 8, 2), actor="b"))
    result = assess(rolls, LABOUR_2016, vetting=cases)
    return {(r["section"], r["record_id"]): r for r in result.records.iter_rows(named=True)}


def test_disqualifying_grounds_follow_the_person_to_every_record() -> None:
    got = _people(P1="members")
    vetted = got[("registered-supporters", "R1")]
    assert vetted["reason"] == "excluded_by_vetting"  # vetted out as a member: no supporter vote
    assert vetted["decision"] == "V1"
    assert vetted["via"] == "members:P1"
    assert got[("members", "P1")]["via"] is None  # found on this record itself
    assert got[("registered-supporters", "R2")]["reason"] == "suspended"
    assert got[("registered-supporters", "R2")]["via"] == "members:P2"
    # expelled P5, quoted by a supporter under another email (and late as well)
    assert reasons_of(int(got[("registered-supporters", "R5")]["failed"])) == [
        Reason.APPLIED_OUTSIDE_WINDOW,
        Reason.EXPELLED,
    ]


def test_technical_grounds_stay_with_the_record() -> None:
    got = _people()
    assert got[("members", "P3")]["reason"] == "joined_after_freeze"
    assert got[("registered-supporters", "R3")]["reason"] is None  # votes as a supporter
    assert got[("registered-supporters", "R3")]["via"] is None


def test_a_supporter_quoting_a_members_number_gets_no_second_ballot() -> None:
    got = _people()
    assert got[("members", "P4")]["reason"] is None
    assert got[("registered-supporters", "R4")]["reason"] == "duplicate"
    assert got[("registered-supporters", "R4")]["duplicate_of"] == "members:P4"


def test_a_vetted_supporter_loses_the_member_vote_too() -> None:
    got = _people(R4="registered-supporters")
    assert got[("members", "P4")]["reason"] == "excluded_by_vetting"
    assert got[("members", "P4")]["via"] == "registered-supporters:R4"
    statement = personal_statement(
        assess(
            {"members": read_roll_bytes(PEOPLE_MEMBERS, "members")},
            LABOUR_2016,
        ),
        "members",
        "P4",
    )
    assert statement.eligible  # on the members' roll alone P4 votes
