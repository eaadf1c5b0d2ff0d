"""Local democracy in the web app: meetings, attendance, motions, online votes and trigger
ballots, recorded through the services and decided by the engine, with the issue's
scenarios (a CLP's 40-0 confidence motion, a 2018 CLP nomination toward 5% of CLPs, 3 of 9
branches under both trigger-ballot editions) and the refusals, each with its reason."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from omov.web.audit.models import AuditEvent
from omov.web.balloting.codes import normalise
from omov.web.contests.engine import engine_run
from omov.web.contests.models import Contest
from omov.web.contests.services import candidate_add, contest_open
from omov.web.errors import ContestError
from omov.web.local.models import (
    Meeting,
    MeetingState,
    Motion,
    OnlineTally,
    Outcome,
    VotingCode,
)
from omov.web.local.selectors import national_results
from omov.web.local.services import (
    attendance_record,
    meeting_call,
    meeting_close,
    motion_table,
    motion_votes_record,
)
from omov.web.local.triggers import trigger_ballot_decide, trigger_ballot_open
from omov.web.local.voting import vote_cast, voting_close, voting_open
from omov.web.members.models import Unit

from .local_helpers import HELD, members_of, open_meeting
from .members_helpers import make_member, make_organisation_with_units, unit

pytestmark = pytest.mark.django_db


def _events(organisation_pk: int, kind: str) -> list[dict[str, Any]]:
    rows = AuditEvent.objects.filter(stream=f"organisation:{organisation_pk}", kind=kind)
    return [json.loads(e.payload) for e in rows.order_by("sequence")]


def _table(meeting: Meeting, kind: str, members: list[Any], **extra: Any) -> Motion:
    return motion_table(
        meeting=meeting,
        kind=kind,
        text="This meeting has confidence in the leader.",
        mover=members[0],
        seconder=members[1],
        **extra,
    )


def test_a_clp_carries_confidence_in_the_leader_40_0_with_no_effect_under_labour_2016() -> None:
    party = make_organisation_with_units(rulebook="labour/2016")
    clp = unit(party, "CLP1")
    meeting, present = open_meeting(clp, present=40)
    motion = _table(meeting, "confidence", present)
    motion = motion_votes_record(motion=motion, votes_for=40, votes_against=0)
    assert motion.outcome == Outcome.CARRIED
    carried, effect = motion.decisions
    assert (
        carried["summary"]
        == "Islington North CLP carries the motion of confidence in the leader 40–0"
    )
    assert effect["kind"] == "no-standing"
    assert effect["summary"].endswith("(carried 40–0) has no standing")
    assert effect["citation"] == "Ch4 Cl II.2.B.ii"
    logged = _events(party.pk, "local.motion.decided")[-1]
    assert (logged["for"], logged["against"], logged["present"]) == (40, 0, 40)
    assert (logged["effect"], logged["decisions"]) == ("none", motion.decisions)


def test_a_labour_2018_clp_supporting_nomination_counts_toward_5_percent_of_clps() -> None:
    party = make_organisation_with_units("Labour 2018", rulebook="labour/2018")
    rulebook = party.rulebook_set.get()
    now = timezone.now()
    contest = contest_open(
        rulebook=rulebook,
        title="Leadership election",
        nominating_body_size=212,
        freeze_date=dt.date(2020, 1, 20),
        ballot_opens_at=now + dt.timedelta(days=30),
        ballot_closes_at=now + dt.timedelta(days=60),
        trigger="vacancy",
    )
    candidate = candidate_add(contest=contest, name="Keir Starmer")
    meeting, present = open_meeting(unit(party, "CLP1"), present=12)
    motion = _table(meeting, "supporting-nomination", present, candidate=candidate)
    motion = motion_votes_record(motion=motion, votes_for=8, votes_against=4)
    counts = motion.decisions[1]
    assert counts["kind"] == "counts-toward"
    assert (
        counts["summary"]
        == "Islington North CLP's nomination counts toward Keir Starmer's 5% of CLPs"
    )
    assert counts["arithmetic"] == "5% of 650 CLPs = 32.5, rounded up to 33"
    # The national contest's engine has the CLP's nomination as its own event.
    engine = engine_run(contest)
    (support,) = engine.candidates["Keir Starmer"].supports
    assert (support.body, support.nominator, support.kind) == ("clps", "Islington North CLP", "clp")
    assert contest.engine_events.filter(kind="supporting-nomination").count() == 1


def _trigger_ballot(edition: str, yes: int, branches: int) -> tuple[bool, str, Contest | None]:
    units = [("clp", "CLP1", "Islington North CLP", "")] + [
        ("branch", f"B{n}", f"Ward {n} branch", "CLP1") for n in range(1, branches + 1)
    ]
    party = make_organisation_with_units(f"Party {edition}", rulebook=edition, units=units)
    clp = unit(party, "CLP1")
    ballot = trigger_ballot_open(unit=clp, representative="Sitting MP")
    for n in range(1, branches + 1):
        meeting, present = open_meeting(unit(party, f"B{n}"), present=2, quorum=2)
        motion = _table(meeting, "trigger-ballot", present, trigger_ballot=ballot)
        carried = n <= yes
        motion_votes_record(
            motion=motion, votes_for=2 if carried else 0, votes_against=0 if carried else 2
        )
    now = timezone.now()
    ballot = trigger_ballot_decide(
        ballot=ballot,
        opens_at=now + dt.timedelta(days=20),
        closes_at=now + dt.timedelta(days=30),
    )
    assert ballot.open_selection is not None
    return ballot.open_selection, ballot.decisions[0]["arithmetic"], ballot.selection


def test_3_of_9_branches_trigger_an_open_selection_under_2018_but_not_before() -> None:
    opened, sums, selection = _trigger_ballot("labour/2018", yes=3, branches=9)
    assert opened
    assert "party branches: 3 yes of 9 that voted; 33.3333% of 9 = 3: 3 ≥ 3, met" in sums
    assert selection is not None
    assert selection.title == "Selection of the candidate for Islington North CLP"
    assert selection.method == "irv"
    assert list(selection.candidates.values_list("name", "incumbent")) == [("Sitting MP", True)]
    # The CLP's members (its branches' members) are the selection's roll.
    assert selection.electors.filter(section="members").count() == 18
    before, sums, selection = _trigger_ballot("labour/2016", yes=3, branches=9)
    assert (before, selection) == (False, None)
    assert "3 yes of 9 in all" in sums
    assert sums.endswith("not met")


def test_a_meeting_short_of_a_quorum_lets_the_motion_fall_with_the_reason() -> None:
    party = make_organisation_with_units()
    meeting, present = open_meeting(unit(party, "B1"), present=3)
    motion = motion_votes_record(
        motion=_table(meeting, "ordinary", present), votes_for=3, votes_against=0
    )
    assert motion.outcome == Outcome.FELL
    (falls,) = motion.decisions
    assert falls["summary"] == "The motion falls: the meeting was not quorate"
    assert falls["explanation"] == "Business needs 5 members present; 3 were."
    assert "Model standing orders for Party units, D" in falls["citation"]


def test_a_mover_or_seconder_from_outside_the_unit_is_refused_with_the_reason() -> None:
    party = make_organisation_with_units()
    meeting, present = open_meeting(unit(party, "B1"), present=5)
    outsider = make_member(party, units=["B2"])
    with pytest.raises(ContestError, match="The mover is not a member of Highbury West branch"):
        _table(meeting, "ordinary", [outsider, present[0]])
    with pytest.raises(ContestError, match="The seconder is not a member of Highbury West branch"):
        _table(meeting, "ordinary", [present[0], outsider])
    assert not meeting.motions.exists()


def test_a_vote_after_the_meeting_closed_is_refused_with_the_reason(
    django_capture_on_commit_callbacks: Any,
) -> None:
    party = make_organisation_with_units()
    meeting, present = open_meeting(unit(party, "B1"), present=5)
    first, second = _table(meeting, "ordinary", present), _table(meeting, "ordinary", present)
    with django_capture_on_commit_callbacks(execute=True):
        voting_open(motion=first, link="https://vote.example.org/")
    codes = {m.to[0]: _code(m.body) for m in mail.outbox}
    meeting_close(meeting=meeting)
    with pytest.raises(ContestError, match="The meeting has closed: no more votes are taken"):
        vote_cast(motion=first, member=present[0], code=codes[present[0].email], choice="for")
    with pytest.raises(ContestError, match="The meeting has closed: no more votes are taken"):
        motion_votes_record(motion=second, votes_for=5, votes_against=0)
    first.refresh_from_db()  # the close decided it on the votes in: none
    assert (first.outcome, first.votes_for, first.votes_against) == (Outcome.LOST, 0, 0)


def _code(body: str) -> str:
    import re

    found = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", body)
    assert found is not None
    return found.group(0)


def test_online_votes_are_counted_secretly_and_each_code_works_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    party = make_organisation_with_units()
    meeting, present = open_meeting(unit(party, "B1"), present=6)
    motion = _table(meeting, "ordinary", present)
    with django_capture_on_commit_callbacks(execute=True):
        assert voting_open(motion=motion, link="https://vote.example.org/") == 6
    codes = {m.to[0]: _code(m.body) for m in mail.outbox}
    assert set(codes) == {m.email for m in present}
    choices = ["for", "for", "for", "against", "abstain"]
    for member, choice in zip(present, choices, strict=False):
        vote_cast(motion=motion, member=member, code=codes[member.email].lower(), choice=choice)
    with pytest.raises(ContestError, match="has been used"):
        vote_cast(motion=motion, member=present[0], code=codes[present[0].email], choice="against")
    with pytest.raises(ContestError, match="not a code of yours"):  # someone else's code
        vote_cast(motion=motion, member=present[5], code=codes[present[0].email], choice="for")
    # What the database holds: who voted (no time, no choice), and three counts.
    assert (
        list(VotingCode.objects.filter(motion=motion).values_list("used", flat=True)).count(True)
        == 5
    )
    assert sorted(f.name for f in VotingCode._meta.get_fields()) == [
        "digest",
        "id",
        "member",
        "motion",
        "used",
    ]
    tally = OnlineTally.objects.get(motion=motion)
    assert (tally.votes_for, tally.votes_against, tally.abstentions) == (3, 1, 1)
    cast = _events(party.pk, "local.motion.vote-cast")
    assert cast == [{"unit": "B1", "meeting": meeting.pk, "motion": motion.pk, "actor": None}] * 5
    assert normalise(codes[present[0].email]) not in json.dumps(
        _events(party.pk, "local.motion.voting-opened")
    )
    motion = voting_close(motion=motion)
    assert (motion.outcome, motion.online) == (Outcome.CARRIED, True)
    assert (motion.votes_for, motion.votes_against, motion.abstentions) == (3, 1, 1)


def test_attendance_is_the_units_members_in_good_standing_at_the_cut_off() -> None:
    party = make_organisation_with_units()
    branch = unit(party, "B1")
    meeting, _ = open_meeting(branch)
    outsider = make_member(party, units=["B2"])
    lapsed = make_member(party, units=[branch], standing="lapsed")
    late = make_member(party, units=[branch], joined=HELD + dt.timedelta(days=1))
    with pytest.raises(
        ContestError, match="cannot take part: not a member of Highbury West branch"
    ):
        attendance_record(meeting=meeting, members=[outsider])
    for member in (lapsed, late):
        with pytest.raises(ContestError, match="not a member in good standing on 10 March 2026"):
            attendance_record(meeting=meeting, members=[member])
    assert not meeting.attendance.exists()
    # A branch's members are members of its CLP.
    clp_meeting, _ = open_meeting(unit(party, "CLP1"))
    assert attendance_record(meeting=clp_meeting, members=members_of(party, branch, 2)) == 2


def test_a_meeting_called_at_short_notice_is_refused_with_the_clause() -> None:
    party = make_organisation_with_units()
    with pytest.raises(ContestError, match=r"Only 3 days' notice; the rules need 7.*B\.ii"):
        meeting_call(
            unit=unit(party, "B1"), title="", held_on=HELD, notice_on=HELD - dt.timedelta(days=3)
        )
    assert not Meeting.objects.exists()


def test_a_unit_may_not_take_a_motion_the_rules_give_it_no_say_in() -> None:
    party = make_organisation_with_units()
    meeting, present = open_meeting(unit(party, "CLP1"), present=5)
    with pytest.raises(
        ContestError, match="A Constituency Labour Party cannot pass a trigger ballot vote"
    ):
        _table(meeting, "trigger-ballot", present)


def test_results_per_unit_and_nationally_merge_small_units() -> None:
    units = [("clp", f"C{n}", f"CLP {n}", "") for n in range(3)]
    party = make_organisation_with_units(units=units)
    for n, (yes, no) in enumerate([(30, 5), (12, 0), (4, 2)]):
        meeting, present = open_meeting(Unit.objects.get(code=f"C{n}"), present=yes + no, quorum=1)
        motion_votes_record(
            motion=_table(meeting, "no-confidence", present), votes_for=yes, votes_against=no
        )
    (kind,) = national_results(party)
    assert kind.name == "Motion of no confidence in the leader"
    assert [(r.unit, r.votes_for, r.votes_against) for r in kind.rows] == [
        ("CLP 0", 30, 5),
        ("CLP 1", 12, 0),
    ]
    assert kind.merged is not None
    assert (kind.merged.motions, kind.merged.votes_for) == (1, 4)
    assert (kind.total.motions, kind.total.votes_for, kind.total.votes_against, kind.carried) == (
        3,
        46,
        7,
        3,
    )


def test_every_step_is_in_the_organisations_log() -> None:
    party = make_organisation_with_units()
    meeting, present = open_meeting(unit(party, "B1"), present=5)
    motion_votes_record(motion=_table(meeting, "ordinary", present), votes_for=4, votes_against=1)
    meeting_close(meeting=meeting)
    kinds = list(
        AuditEvent.objects.filter(stream=f"organisation:{party.pk}", kind__startswith="local.")
        .order_by("sequence")
        .values_list("kind", flat=True)
    )
    assert kinds == [
        "local.meeting.called",
        "local.meeting.opened",
        "local.attendance.recorded",
        "local.motion.tabled",
        "local.motion.decided",
        "local.meeting.closed",
    ]
    assert Meeting.objects.get().state == MeetingState.CLOSED


def test_a_nomination_carried_after_the_contest_closed_nominations_is_kept_but_not_counted() -> (
    None
):
    party = make_organisation_with_units("Labour 2018", rulebook="labour/2018")
    now = timezone.now()
    contest = contest_open(
        rulebook=party.rulebook_set.get(),
        title="Leadership election",
        nominating_body_size=212,
        freeze_date=dt.date(2020, 1, 20),
        ballot_opens_at=now + dt.timedelta(days=30),
        ballot_closes_at=now + dt.timedelta(days=60),
        trigger="vacancy",
    )
    candidate = candidate_add(contest=contest, name="Keir Starmer")
    meeting, present = open_meeting(unit(party, "CLP1"), present=5)
    motion = _table(meeting, "supporting-nomination", present, candidate=candidate)
    Contest.objects.filter(pk=contest.pk).update(state="electorate")  # nominations closed
    motion = motion_votes_record(motion=motion, votes_for=5, votes_against=0)
    assert motion.outcome == Outcome.CARRIED
    assert motion.decisions[-1]["summary"] == "Not counted in Leadership election"
    assert "not allowed now" in motion.decisions[-1]["explanation"]
    assert not contest.engine_events.filter(kind="supporting-nomination").exists()
