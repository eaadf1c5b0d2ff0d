"""Labour 2016, replayed in the web app, matches history: the PLP's 172-40 motion has no
standing; shadow-cabinet resignations trigger nothing; Angela Eagle's 51 nominations
trigger the challenge and Owen Smith qualifies; the incumbent is on the ballot under the
NEC's reading; the freeze is 12 January and the supporter window 18-20 July (set by the
NEC); the results are given per section in every round."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from omov.web.balloting.services import ballot_cast, ballot_close, ballot_open, credentials_issue
from omov.web.contests.happenings import date_set, motion_record, resignation_record
from omov.web.contests.models import Contest, ContestState
from omov.web.contests.services import (
    candidate_add,
    contest_open,
    organisation_create,
    rulebook_load,
)
from omov.web.electorate.rolls import dates_used
from omov.web.electorate.services import electorate_freeze, roll_import
from omov.web.nominations.services import (
    candidate_withdraw,
    nominations_close,
    nominations_record,
)
from omov.web.results.services import result_count
from omov.web.trustees.simulation import SimulatedTrustees

from .conftest import affiliate_roll, member_roll

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def _kinds(contest: Contest, since: int) -> list[tuple[str, str]]:
    contest.refresh_from_db()
    return [(d["kind"], d["summary"]) for d in contest.decisions[since:]]


def test_labour_2016_replayed_in_the_web_app_matches_history() -> None:
    officer = get_user_model().objects.create_user("iain-mcnicol")
    party = organisation_create(name="The Labour Party")
    rulebook = rulebook_load(organisation=party, key="labour/2016")
    now = timezone.now()
    contest = contest_open(
        rulebook=rulebook,
        title="Leadership election 2016",
        nominating_body_size=251,  # PLP 231 + EPLP 20: 20% is 51
        freeze_date=dt.date(2016, 1, 12),
        ballot_opens_at=now - dt.timedelta(hours=1),
        ballot_closes_at=now + dt.timedelta(days=1),
        actor=officer,
    )
    candidate_add(contest=contest, name="Jeremy Corbyn", incumbent=True, actor=officer)

    seen = len(contest.decisions)
    resignation_record(contest=contest, holder="Heidi Alexander", office="shadow-health")
    assert _kinds(contest, seen) == [
        ("not-triggered", "Heidi Alexander resigns as shadow-health: no contest")
    ]
    seen = len(contest.decisions)
    motion_record(
        contest=contest, body="plp", motion="no-confidence", votes_for=172, votes_against=40
    )
    assert _kinds(contest, seen) == [
        ("no-standing", "The PLP no-confidence motion has no standing (carried 172–40)")
    ]

    eagle = candidate_add(contest=contest, name="Angela Eagle", actor=officer)
    seen = len(contest.decisions)
    nominations_record(candidate=eagle, nominators=[f"MP {n}" for n in range(50)], body="plp")
    assert "contest-triggered" not in [kind for kind, _ in _kinds(contest, seen)]
    nominations_record(candidate=eagle, nominators=["MP 50"], body="plp")
    assert ("contest-triggered", "Contest triggered (challenge)") in _kinds(contest, seen)

    smith = candidate_add(contest=contest, name="Owen Smith", actor=officer)
    nominations_record(candidate=smith, nominators=[f"MP {n}" for n in range(51, 141)], body="plp")
    candidate_withdraw(candidate=eagle)
    for what, value in (
        ("supporter-window-opens", dt.datetime(2016, 7, 18, 17, 0, tzinfo=LONDON)),
        ("supporter-window-closes", dt.datetime(2016, 7, 20, 17, 0, tzinfo=LONDON)),
    ):
        date_set(contest=contest, what=what, value=value, by="the NEC", actor=officer)
    seen = len(contest.decisions)
    nominations_close(contest=contest, actor=officer)
    closed = _kinds(contest, seen)
    assert ("on-ballot", "Jeremy Corbyn is on the ballot as the incumbent") in closed
    assert ("on-ballot", "Owen Smith is on the ballot") in closed
    incumbent = next(d for d in contest.decisions if d["subject"] == "Jeremy Corbyn")
    assert "Foster v McNicol" in incumbent["citation"] + incumbent["explanation"]
    assert contest.state == ContestState.ELECTORATE

    lines = dates_used(contest)
    assert "members: joined on or before 12 January 2016 (set by the NEC" in "\n".join(lines)
    assert any(
        line.startswith("registered-supporters: applied from 18 July 2016 17:00 (set by the NEC")
        for line in lines
    )
    assert any(
        line.startswith("registered-supporters: applied until 20 July 2016 17:00") for line in lines
    )

    supporters = ["application_id,email,date_of_birth,applied_at,payment_status,on_register"]
    for n, applied in enumerate(("2016-07-18T18:00:00",) * 11 + ("2016-07-21T09:00:00",)):
        supporters.append(f"S{n:04d},s{n}@example.org,1980-01-01,{applied},paid,true")
    roll_import(contest=contest, section="members", data=member_roll(11, late=1))
    roll_import(
        contest=contest, section="registered-supporters", data="\n".join(supporters).encode()
    )
    roll_import(contest=contest, section="affiliated-supporters", data=affiliate_roll(11))
    reasons = dict(contest.electors.values_list("reference", "reason"))
    assert reasons["M0012"] == "joined_after_freeze"  # joined 1 March 2016
    assert reasons["S0011"] == "applied_outside_window"  # applied 21 July
    electorate_freeze(contest=contest)

    codes = credentials_issue(contest=contest, send=False)
    trustees = SimulatedTrustees(contest)
    trustees.make_key()
    ballot_open(contest=contest)
    on_ballot = {c.name: c.position for c in contest.candidates.filter(on_ballot=True)}
    assert set(on_ballot) == {"Jeremy Corbyn", "Owen Smith"}
    for n, code in enumerate(codes.values()):
        first = "Jeremy Corbyn" if n % 3 else "Owen Smith"
        ballot_cast(contest=contest, code=code, ranking=[on_ballot[first]])
    ballot_close(contest=contest, reason="the test closes it early")
    trustees.mix_and_decrypt()
    summary = result_count(contest=contest).summary
    assert summary["winner"] == "Jeremy Corbyn"
    sections = {"members", "registered-supporters", "affiliated-supporters"}
    assert all(set(r["sections"]) == sections for r in summary["rounds"])
