"""Vetting answers to someone: one officer proposes an exclusion on the rulebook's ground,
another confirms it (never the same person); the exclusion follows the person to every
record; it can be made after the freeze, revoking an unused code (a cast ballot stays);
appeals go to the appeals panel within the rulebook's days and need written reasons;
figures are published per section and ground with small cells suppressed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from omov.ledger.entries import EntryKind, parse_entry
from omov.ledger.log import Log
from omov.web.access.models import Role
from omov.web.audit.models import AuditEvent
from omov.web.audit.services import events_record
from omov.web.balloting.models import CredentialState
from omov.web.balloting.services import ballot_cast
from omov.web.contests.models import Contest
from omov.web.electorate import vetting
from omov.web.electorate.models import AppealState, Eligibility, Exclusion, ExclusionState
from omov.web.electorate.selectors import vetting_figures
from omov.web.electorate.services import roll_import
from omov.web.electorate.vetting import (
    exclusion_appeal,
    exclusion_appeal_decide,
    exclusion_confirm,
    exclusion_propose,
    exclusions_confirm,
    exclusions_import,
)
from omov.web.errors import ContestError
from omov.web.trust.models import LogEntry

from .conftest import OpenBallot, member_roll, nominated_contest, officer_of

pytestmark = pytest.mark.django_db


def _user(name: str) -> User:
    return get_user_model().objects.create_user(name, password="pw")


def _contest_with_a_ballot() -> Contest:
    return nominated_contest()


def _electorate_with_a_person_on_two_rolls() -> Contest:
    contest = _contest_with_a_ballot()
    roll_import(contest=contest, section="members", data=member_roll(3, late=0))
    supporter = (
        b"application_id,email,date_of_birth,applied_at,payment_status,on_register\n"
        b"S0001,M1@Example.org,1970-01-01,2016-07-19T12:00:00,paid,true\n"  # member M0001 again
        b"S0002,other@example.org,1980-01-01,2016-07-19T12:00:00,paid,true\n"
    )
    roll_import(contest=contest, section="registered-supporters", data=supporter)
    return contest


def test_one_officer_cannot_propose_and_confirm_and_the_exclusion_follows_the_person() -> None:
    contest = _electorate_with_a_person_on_two_rolls()
    first, second = _user("first"), _user("second")
    member = contest.electors.get(reference="M0001")
    with pytest.raises(ContestError, match="not a ground of this rulebook"):
        exclusion_propose(elector=member, ground="rudeness", note="n", actor=first)
    proposed = exclusion_propose(
        elector=member, ground="member-of-another-party", note="Card on file", actor=first
    )
    with pytest.raises(ContestError, match="cannot confirm it"):
        exclusion_confirm(exclusion=proposed, actor=first)
    assert contest.electors.get(reference="M0001").eligibility == Eligibility.ELIGIBLE
    confirmed = exclusion_confirm(exclusion=proposed, actor=second)
    assert confirmed.excluded == 2
    excluded = contest.electors.filter(eligibility=Eligibility.EXCLUDED)
    assert sorted(excluded.values_list("section", "reference")) == [
        ("members", "M0001"),
        ("registered-supporters", "S0001"),
    ]
    # A re-import of a roll keeps the exclusion on the person.
    roll_import(contest=contest, section="members", data=member_roll(3, late=0))
    assert contest.electors.get(reference="S0001").eligibility == Eligibility.EXCLUDED


def test_exclusion_while_the_ballot_is_open_revokes_an_unused_code(open_ballot: OpenBallot) -> None:
    contest = open_ballot.contest
    first, second = _user("first"), _user("second")
    voter, other = contest.electors.filter(eligibility=Eligibility.ELIGIBLE).order_by("pk")[:2]
    ballot_cast(contest=contest, code=open_ballot.codes[voter.pk], ranking=[1])
    for elector in (voter, other):
        proposed = exclusion_propose(
            elector=elector, ground="aims-and-values", note="Posts on file", actor=first
        )
        confirmed = exclusion_confirm(exclusion=proposed, actor=second)
        assert confirmed.already_voted == (elector == voter)
        assert confirmed.revoked == (0 if elector == voter else 1)
    assert other.credentials.get().state == CredentialState.REVOKED
    with pytest.raises(ContestError, match="not valid"):
        ballot_cast(contest=contest, code=open_ballot.codes[other.pk], ranking=[1])
    assert contest.ballots.count() == 1  # the ballot cast before the exclusion stays


def test_appeals_need_reasons_a_fresh_officer_and_the_rulebooks_days() -> None:
    contest = _electorate_with_a_person_on_two_rolls()
    first, second, panel = _user("first"), _user("second"), _user("panel")
    member = contest.electors.get(reference="M0002")
    proposed = exclusion_propose(
        elector=member, ground="supports-another-party", note="Leaflet", actor=first
    )
    exclusion_confirm(exclusion=proposed, actor=second)
    appeal = exclusion_appeal(exclusion=proposed, grounds="I delivered it for a friend")
    with pytest.raises(ContestError, match="needs written reasons"):
        exclusion_appeal_decide(appeal=appeal, uphold=True, reason="  ", actor=panel)
    with pytest.raises(ContestError, match="acted on the exclusion"):
        exclusion_appeal_decide(appeal=appeal, uphold=True, reason="Fine", actor=second)
    exclusion_appeal_decide(
        appeal=appeal, uphold=True, reason="The leaflet was another party's", actor=panel
    )
    appeal.refresh_from_db()
    assert appeal.state == AppealState.UPHELD
    assert contest.electors.get(reference="M0002").eligibility == Eligibility.ELIGIBLE
    late = exclusion_propose(
        elector=contest.electors.get(reference="M0003"),
        ground="supports-another-party",
        note="Leaflet",
        actor=first,
    )
    exclusion_confirm(exclusion=late, actor=second)
    Exclusion.objects.filter(pk=late.pk).update(
        decided_at=late.proposed_at - dt.timedelta(days=8)  # the 2016 rulebook gives 7 days
    )
    late.refresh_from_db()
    with pytest.raises(ContestError, match="7 days to appeal ended"):
        exclusion_appeal(exclusion=late, grounds="Too late")


def test_figures_per_section_and_ground_suppress_small_cells() -> None:
    contest = _electorate_with_a_person_on_two_rolls()
    first, second = _user("first"), _user("second")
    for reference in ("M0002", "M0003"):
        proposed = exclusion_propose(
            elector=contest.electors.get(reference=reference),
            ground="aims-and-values",
            note="x",
            actor=first,
        )
        exclusion_confirm(exclusion=proposed, actor=second)
    shown = vetting_figures(contest=contest, smallest=2)
    assert [(f.section, f.ground, f.count) for f in shown] == [("members", "aims-and-values", 2)]
    hidden = vetting_figures(contest=contest, smallest=10)
    assert [f.count for f in hidden] == [None]


def test_the_officers_pages_take_a_proposal_and_a_second_officers_confirmation() -> None:
    contest = _electorate_with_a_person_on_two_rolls()
    organisation = contest.organisation
    first = officer_of(organisation, Role.VETTING_OFFICER, username="first")
    second = officer_of(organisation, Role.VETTING_OFFICER, username="second")
    member = contest.electors.get(reference="M0003")
    url = reverse("elector-exclude", args=[contest.pk, member.pk])
    first.post(url, {"ground": "member-of-another-party", "note": "Card"})
    proposed = Exclusion.objects.get()
    page = first.get(reverse("contest-dashboard", args=[contest.pk])).content.decode()
    assert "Exclusions awaiting a second officer" in page
    decide = reverse("exclusion-decide", args=[contest.pk, proposed.pk])
    refused = first.post(decide, {"decision": "confirm"}, follow=True).content.decode()
    assert "cannot confirm it" in refused
    second.post(decide, {"decision": "confirm"})
    proposed.refresh_from_db()
    assert proposed.state == ExclusionState.CONFIRMED
    assert proposed.decided_by is not None
    assert proposed.decided_by.get_username() == "second"


def test_bulk_vetting_checks_every_row_before_applying_any() -> None:
    contest = _electorate_with_a_person_on_two_rolls()
    first, second = _user("first"), _user("second")
    bad = (
        "section,reference,ground,note\n"
        "members,M0002,aims-and-values,Posts\n"
        "members,M9999,aims-and-values,Posts\n"
        "members,M0003,rudeness,Posts\n"
        "members,M0002,aims-and-values,Again\n"
    )
    with pytest.raises(ContestError) as refused:
        exclusions_import(contest=contest, text=bad, actor=first)
    assert str(refused.value) == (
        "no decision was applied: line 3: no such elector in this section; "
        "line 4: 'rudeness' is not a ground of this rulebook; line 5: named twice in this file"
    )
    assert not Exclusion.objects.exists()
    good = (
        "section,reference,ground,note\n"
        "members,M0002,aims-and-values,Posts\n"
        "members,M0001,member-of-another-party,Card\n"
    )
    assert len(exclusions_import(contest=contest, text=good, actor=first)) == 2
    with pytest.raises(ContestError, match="cannot confirm it"):
        exclusions_confirm(contest=contest, proposed_by=first, actor=first)
    assert exclusions_confirm(contest=contest, proposed_by=first, actor=second) == 2
    excluded = contest.electors.filter(eligibility=Eligibility.EXCLUDED)
    assert sorted(excluded.values_list("reference", flat=True)) == ["M0001", "M0002", "S0001"]
    logged = AuditEvent.objects.filter(stream=contest.stream, kind="elector.excluded")
    assert logged.count() == 2  # one entry a decision
    # Written together, the batch's entries chain as entries written one by one do.
    events = list(AuditEvent.objects.filter(stream=contest.stream).order_by("sequence"))
    entries = list(LogEntry.objects.filter(contest=contest).order_by("index"))
    assert [e.event_id for e in entries] == [e.pk for e in events]
    log = Log(contest.stream)
    for event, entry in zip(events, entries, strict=True):
        assert event.previous_hash == log.root().hex()
        log.append_bytes(entry.data.encode())
        assert entry.root == log.root().hex()
    assert [parse_entry(e.data.encode()).kind for e in entries[-2:]] == [
        EntryKind.VETTING_DECIDED
    ] * 2


def _bulk_vetting_queries(contest: Contest, references: list[str]) -> int:
    """The statements one bulk import of ``references`` and its confirmation run."""
    first, second = _user(f"first{references[0]}"), _user(f"second{references[0]}")
    text = "section,reference,ground,note\n" + "".join(
        f"members,{reference},aims-and-values,Posts\n" for reference in references
    )
    with CaptureQueriesContext(connection) as queries:
        exclusions_import(contest=contest, text=text, actor=first)
        assert exclusions_confirm(contest=contest, proposed_by=first, actor=second) == len(
            references
        )
    return len(queries)


def test_a_bulk_vetting_batch_runs_the_same_statements_however_large_it_and_the_log_are() -> None:
    """A batch of 2 decisions on a short log, and one of 30 after 1,000 other entries and
    the first batch's exclusions: the same statements (no query per row, nor per entry)."""
    contest = _contest_with_a_ballot()
    roll_import(contest=contest, section="members", data=member_roll(40, late=0))
    small = _bulk_vetting_queries(contest, ["M0001", "M0002"])
    events_record(stream=contest.stream, events=[("note.made", {"n": n}) for n in range(1000)])
    large = _bulk_vetting_queries(contest, [f"M{n:04d}" for n in range(3, 33)])
    assert LogEntry.objects.filter(contest=contest).count() > 1030
    assert contest.electors.filter(eligibility=Eligibility.EXCLUDED).count() == 32
    assert large == small


def test_bulk_vetting_faults_are_said_in_the_officers_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each row's fault, its line and the sentence around them go through gettext (a marking
    translation shows which words did), and the figures stay placeholders."""
    contest = _electorate_with_a_person_on_two_rolls()
    marked = "\u00ab{}\u00bb".format
    monkeypatch.setattr(vetting, "gettext", lambda text: marked(text))
    monkeypatch.setattr(vetting, "ngettext", lambda one, many, n: marked(one if n == 1 else many))
    rows = "".join(f"members,M9{n:03d},aims-and-values,Posts\n" for n in range(21))
    with pytest.raises(ContestError) as refused:
        exclusions_import(
            contest=contest, text="section,reference,ground,note\n" + rows, actor=_user("a")
        )
    said = str(refused.value)
    assert said.startswith("\u00abno decision was applied: \u00abline 2: \u00abno such elector")
    assert said.count("\u00abno such elector in this section\u00bb") == 20
    assert said.endswith("\u00ab (and 1 more)\u00bb\u00bb")
