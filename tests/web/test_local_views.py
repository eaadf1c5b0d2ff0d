"""The secretary's and the member's pages of local democracy: a meeting run through the
browser's requests (call, open, attendance, a motion, the vote, an online vote by a member),
each refusal shown with its reason, and the pages read as a person reads them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from omov.web.access.models import Role
from omov.web.access.services import membership_grant, unit_post_grant
from omov.web.local.models import Meeting, Motion, Outcome, TriggerBallot
from omov.web.local.services import motion_table, motion_votes_record

from .local_helpers import members_of, open_meeting, secretary, secretary_client
from .members_helpers import make_member, make_organisation_with_units, sign_in_member, unit
from .test_plain_language import SNAKE, _read

pytestmark = pytest.mark.django_db


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_branch_secretary_runs_a_meeting(django_capture_on_commit_callbacks: Any) -> None:
    party = make_organisation_with_units()
    branch = unit(party, "B1")
    secretary = secretary_client(branch)
    members = members_of(party, branch, 5)
    lapsed = make_member(party, units=[branch], standing="lapsed")
    outsider = make_member(party, units=["B2"])
    called = secretary.post(
        reverse("local-home"),
        {
            "unit": branch.pk,
            "title": "March meeting",
            "held_on": "2026-03-10",
            "notice_on": "2026-03-01",
        },
    )
    meeting = Meeting.objects.get()
    assert called["Location"] == reverse("meeting", args=[meeting.pk])
    page = reverse("meeting", args=[meeting.pk])
    shown = _page(secretary, page)
    assert "9 days&#x27; notice given; 7 needed" in shown
    assert f"{lapsed.display_name}: not a member in good standing on 10 March 2026" in shown
    secretary.post(reverse("meeting-open", args=[meeting.pk]))
    secretary.post(reverse("attendance", args=[meeting.pk]), {"present": [lapsed.pk]})
    assert "cannot take part: not a member in good standing" in _page(secretary, page)
    secretary.post(reverse("attendance", args=[meeting.pk]), {"present": [m.pk for m in members]})
    motion = {
        "kind": "ordinary",
        "text": "This branch supports the campaign.",
        "seconder": members[1].number,
    }
    secretary.post(reverse("motion-table", args=[meeting.pk]), motion | {"mover": outsider.number})
    assert "The mover is not a member of Highbury West branch" in _page(secretary, page)
    secretary.post(
        reverse("motion-table", args=[meeting.pk]), motion | {"mover": members[0].number}
    )
    secretary.post(
        reverse("motion-table", args=[meeting.pk]), motion | {"mover": members[2].number}
    )
    first, second = Motion.objects.order_by("position")
    secretary.post(reverse("motion-votes", args=[first.pk]), {"votes_for": 4, "votes_against": 1})
    shown = _page(secretary, page)
    assert "Highbury West branch carries the motion 4–1" in shown
    assert "Recorded as the resolution of Highbury West branch" in shown
    assert "Model standing orders for Party units, F (motions)" in shown
    # The second motion is voted on online by the members present.
    with django_capture_on_commit_callbacks(execute=True):
        secretary.post(reverse("voting-open", args=[second.pk]))
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", mail.outbox[0].body)
    assert code is not None
    voter = next(m for m in members if m.email == mail.outbox[0].to[0])
    member = Client()
    sign_in_member(member, voter)
    vote = reverse("motion-vote", args=[second.pk])
    assert vote in mail.outbox[0].body
    assert "Vote on motion 2" in _page(member, reverse("member-home"))
    assert "Your one-time code" in _page(member, vote)
    member.post(vote, {"code": code.group(0), "choice": "against"})
    assert "You have voted on this motion" in _page(member, vote)
    secretary.post(reverse("meeting-close", args=[meeting.pk]), {"confirm": "yes"})
    second.refresh_from_db()
    assert (second.outcome, second.votes_against, second.present) == (Outcome.LOST, 1, 5)
    other = next(m for m in members if m != voter)
    late = Client()
    sign_in_member(late, other)
    refused = late.post(vote, {"code": "AAAA-BBBB-CCCC", "choice": "for"})
    assert "The meeting has closed: no more votes are taken" in refused.content.decode()
    for url in (page, reverse("local-home"), reverse("local-results", args=[party.pk])):
        assert SNAKE.findall(_read(_page(secretary, url))) == [], url
    results = _page(secretary, reverse("local-results", args=[party.pk]))
    assert "Other units (2 motions)" in results  # 5 and 1 votes: fewer than 10


def test_the_secretary_of_another_unit_is_refused() -> None:
    party = make_organisation_with_units()
    theirs = secretary_client(unit(party, "B2"), username="other")
    secretary_client(unit(party, "B1"))
    branch = unit(party, "B1")
    mine = secretary_client(branch, username="mine")
    mine.post(
        reverse("local-home"),
        {"unit": branch.pk, "held_on": "2026-03-10", "notice_on": "2026-03-01"},
    )
    meeting = Meeting.objects.get()
    assert theirs.get(reverse("meeting", args=[meeting.pk])).status_code == 403
    assert theirs.post(reverse("meeting-open", args=[meeting.pk])).status_code == 403
    # Nor may they call a meeting of a unit that is not theirs: the form offers only theirs.
    refused = theirs.post(
        reverse("local-home"),
        {"unit": branch.pk, "held_on": "2026-04-10", "notice_on": "2026-04-01"},
    )
    assert refused.status_code == 200
    assert Meeting.objects.count() == 1


def test_a_clp_secretary_runs_a_trigger_ballot_with_the_arithmetic_shown() -> None:
    party = make_organisation_with_units(rulebook="labour/2018")
    clp = unit(party, "CLP1")
    secretary = secretary_client(clp)
    opened = secretary.post(
        reverse("trigger-ballot-open", args=[clp.pk]), {"representative": "Sitting MP"}
    )
    ballot = TriggerBallot.objects.get()
    assert opened["Location"] == reverse("trigger-ballot", args=[ballot.pk])
    page = reverse("trigger-ballot", args=[ballot.pk])
    assert _page(secretary, page).count("Not yet answered") == 3  # two branches, one affiliate
    branch = unit(party, "B1")
    meeting, present = open_meeting(branch, present=2, quorum=2)
    motion = motion_table(
        meeting=meeting,
        kind="trigger-ballot",
        text="This branch wants an open selection.",
        mover=present[0],
        seconder=present[1],
        trigger_ballot=ballot,
    )
    motion_votes_record(motion=motion, votes_for=2, votes_against=0)
    shown = _page(secretary, page)
    assert "party branches: 1 yes of 1 that voted" in shown
    assert "Ch5 Cl IV.5.A–B" in shown
    secretary.post(reverse("trigger-ballot-decide", args=[ballot.pk]))  # no dates: refused
    assert "give the selection ballot&#x27;s opening and closing times" in _page(secretary, page)
    secretary.post(
        reverse("trigger-ballot-decide", args=[ballot.pk]),
        {"opens_at": "2026-05-01T09:00", "closes_at": "2026-05-15T12:00"},
    )
    shown = _page(secretary, page)
    assert "Open selection: Sitting MP faces a full selection" in shown
    assert "Selection of the candidate for Islington North CLP" in shown
    # The branch's secretary sees the ballot their branch answers only through its meeting.
    assert secretary_client(branch, "branch").get(page).status_code == 403


def test_a_secretary_signs_in_to_their_meetings_and_an_officer_to_the_contests() -> None:
    party = make_organisation_with_units()
    secretary(unit(party, "B1"))
    client = Client()
    form = {"username": "secretary", "password": "a long officer password"}
    signed_in = client.post(reverse("login"), form)
    assert signed_in.url == reverse("local-home")
    page = _page(client, signed_in.url)
    assert f'<a href="{reverse("local-home")}">Officer</a>' in page
    assert client.get(reverse("officer-home")).status_code == 403  # the page they are spared
    # A page asked for still comes first.
    asked = Client().post(f"{reverse('login')}?next={reverse('home')}", form)
    assert asked.url == reverse("home")

    returning = get_user_model().objects.create_user("ro", password="a long officer password")
    membership_grant(user=returning, organisation=party, roles=[Role.RETURNING_OFFICER])
    unit_post_grant(user=returning, unit=unit(party, "B2"))  # a unit's post as well
    officer = Client()
    to = officer.post(reverse("login"), {"username": "ro", "password": "a long officer password"})
    assert to.url == reverse("officer-home")
    assert f'<a href="{reverse("officer-home")}">Officer</a>' in _page(officer, to.url)
