"""The voting-code email (plain text and HTML): a one-time link that signs the voter in,
the code as a fallback, the greeting from the elector's section; the reissue tells the
officer what went where and logs it; the officer's reminder goes only to those who have
not voted, and no officer page shows who they are (Django's mail outbox)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from omov.web.access.models import Role
from omov.web.audit.models import AuditEvent
from omov.web.balloting.emails import greeting, masked, one
from omov.web.balloting.services import ballot_cast, ballot_close
from omov.web.balloting.views import SESSION_KEY
from omov.web.contests.models import Contest
from omov.web.electorate.models import Elector
from omov.web.jobs.models import Letter
from omov.web.jobs.services import codes_mailing_start
from omov.web.jobs.tasks import mailing_work

from .conftest import OpenBallot, import_rolls, officer_of, open_contest
from .jobs_helpers import code_in

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s\"<]+/vote/\d+/link/[0-9a-f]+/")


def _mailed_contest() -> Contest:
    """Codes emailed, through the background mailing, to every section."""
    from omov.web.contests.services import candidate_add
    from omov.web.electorate.services import electorate_freeze
    from omov.web.nominations.services import nomination_record, nominations_close

    contest = open_contest(body=10)
    candidate_add(contest=contest, name="Alice", incumbent=True)
    bob = candidate_add(contest=contest, name="Bob")
    for nominator in ("MP 1", "MP 2"):
        nomination_record(candidate=bob, nominator=nominator)
    nominations_close(contest=contest)
    import_rolls(contest, 2, late=0)
    electorate_freeze(contest=contest)
    mail.outbox.clear()
    mailing_work.call(codes_mailing_start(contest=contest).pk)
    return contest


def test_a_section_names_its_people() -> None:
    assert one("Party members") == "party member"
    assert one("Registered supporters") == "registered supporter"
    assert one("Affiliated supporters") == "affiliated supporter"
    assert one("SNP members") == "SNP member"
    assert one("Deputies") == "deputy"


def test_the_code_email_greets_by_section_and_carries_a_link_and_the_code() -> None:
    contest = _mailed_contest()
    assert len(mail.outbox) == 6
    by_address = dict(contest.electors.values_list("email", "section"))
    greetings = {
        "members": "Dear party member,",
        "registered-supporters": "Dear registered supporter,",
        "affiliated-supporters": "Dear affiliated supporter,",
    }
    for message in mail.outbox:
        section = by_address[message.to[0]]
        assert message.body.startswith(greetings[section])
        assert "Dear member" not in message.body
        [(html, kind)] = message.alternatives
        assert kind == "text/html"
        assert greetings[section] in html
        code = code_in(message.body)
        assert code in html  # the fallback, in both
        [link] = LINK.findall(message.body)
        assert link in html
        assert "(GMT)" in message.body or "(BST)" in message.body  # the close, zone named
    assert greeting(contest, "members") == "Dear party member,"


def _link_path(body: str) -> str:
    [link] = LINK.findall(body)
    return "/" + link.split("/", 3)[3]


def test_the_link_signs_in_once_and_the_code_still_works(open_ballot: OpenBallot) -> None:
    contest = open_ballot.contest
    officer = officer_of(contest.organisation, Role.RETURNING_OFFICER)
    elector = contest.electors.get(pk=next(iter(open_ballot.codes)))
    mail.outbox.clear()
    officer.post(reverse("credential-reissue", args=[contest.pk, elector.pk]), {"confirm": "yes"})
    [message] = mail.outbox
    path = _link_path(message.body)

    voter = Client()
    page = voter.get(path)  # a mail scanner opening the link spends nothing
    assert page.status_code == 200
    assert "Continue to your ballot paper" in page.content.decode()
    signed_in = voter.post(path)
    assert signed_in.status_code == 302
    assert signed_in["Location"] == reverse("vote-ballot", args=[contest.pk])
    assert voter.session[SESSION_KEY][0] == contest.pk

    again = Client().post(path)  # single use
    assert again.status_code == 400
    assert "enter the voting code" in again.content.decode()
    code = code_in(message.body)  # the fallback still works
    ballot_cast(contest=contest, code=code, ranking=[open_ballot.candidates[0].position])
    stranger = reverse("vote-link", args=[contest.pk, "0" * 32])  # a made-up token
    assert Client().post(stranger).status_code == 400


def test_the_link_expires_when_the_ballot_closes(open_ballot: OpenBallot) -> None:
    contest = open_ballot.contest
    elector = contest.electors.get(pk=next(iter(open_ballot.codes)))
    officer = officer_of(contest.organisation, Role.RETURNING_OFFICER)
    mail.outbox.clear()
    officer.post(reverse("credential-reissue", args=[contest.pk, elector.pk]), {"confirm": "yes"})
    path = _link_path(mail.outbox[0].body)
    ballot_close(contest=contest, reason="the test closes it early")
    voter = Client()
    response = voter.post(path)
    assert response.status_code == 200  # the page says it has closed; nobody signed in
    assert "The ballot closed at" in response.content.decode()
    assert SESSION_KEY not in voter.session


def test_reissue_tells_the_officer_what_went_where_and_logs_it(open_ballot: OpenBallot) -> None:
    contest = open_ballot.contest
    officer = officer_of(contest.organisation, Role.RETURNING_OFFICER)
    elector = contest.electors.get(pk=next(iter(open_ballot.codes)))
    mail.outbox.clear()
    page = officer.post(
        reverse("credential-reissue", args=[contest.pk, elector.pk]),
        {"confirm": "yes"},
        follow=True,
    ).content.decode()
    shown = masked(elector.email)
    assert shown == f"{elector.email[0]}***@e***.org"
    told = page.split('<ul class="messages"')[1].split("</ul>")[0]
    assert f"New voting code for {elector.reference} emailed to {shown}" in told
    assert elector.email not in told
    assert [m.to for m in mail.outbox] == [[elector.email]]
    event = AuditEvent.objects.filter(kind="credential.reissued").get()
    payload = json.loads(event.payload)
    assert payload == {"emailed": True, "reference": elector.reference}
    assert code_in(mail.outbox[0].body) not in event.payload


def test_the_officers_reminder_goes_only_to_those_who_have_not_voted(
    open_ballot: OpenBallot, django_capture_on_commit_callbacks: Any
) -> None:
    contest = open_ballot.contest
    voted = list(open_ballot.codes.items())[:5]
    first = open_ballot.candidates[0].position
    for _elector, code in voted:
        ballot_cast(contest=contest, code=code, ranking=[first])
    officer = officer_of(contest.organisation, Role.RETURNING_OFFICER)
    url = reverse("reminder-send", args=[contest.pk])
    dashboard = officer.get(reverse("contest-dashboard", args=[contest.pk])).content.decode()
    assert "Email a reminder now to the 7 of 12 eligible electors who have not voted?" in dashboard
    mail.outbox.clear()
    refused = officer.post(url, {}, follow=True).content.decode()
    assert "Nothing was done" in refused
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(url, {"confirm": "yes"})
    voters = set(
        Elector.objects.filter(pk__in=[e for e, _ in voted]).values_list("email", flat=True)
    )
    sent = {m.to[0] for m in mail.outbox}
    assert len(sent) == len(mail.outbox) == 7
    assert not sent & voters
    for message in mail.outbox:
        assert message.subject.startswith("Reminder:")
        assert message.alternatives
        assert message.body.startswith("Dear ")
    # The officer sees counts, never whom: no letter is kept, and no page names them.
    assert not Letter.objects.filter(mailing__contest=contest).exists()
    page = officer.get(reverse("contest-dashboard", args=[contest.pk])).content.decode()
    progress = officer.get(reverse("mailings-progress", args=[contest.pk])).content.decode()
    for address in voters | sent:
        assert address not in progress
    assert "Reminder to vote" in page
    events = AuditEvent.objects.filter(stream=contest.stream, kind__startswith="mailing.")
    for event in events:
        for address in voters | sent:
            assert address not in event.payload
