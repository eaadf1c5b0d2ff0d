"""Bad requests from a voter's browser: each gets a clear error and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from omov.web.balloting.models import Ballot, CredentialState
from omov.web.balloting.services import ballot_close
from omov.web.contests.models import Contest
from omov.web.electorate.models import Elector

from .conftest import OpenBallot

pytestmark = pytest.mark.django_db


def _signed_in(client: Client, contest: Contest, code: str) -> None:
    response = client.post(reverse("vote-start", args=[contest.pk]), {"code": code})
    assert response.status_code == 302, response.content


def _nothing_changed() -> None:
    assert Ballot.objects.count() == 0
    assert not Elector.objects.filter(has_voted=True).exists()
    assert not Elector.objects.filter(credentials__state=CredentialState.USED).exists()


def test_voter_flow_ballot_review_cast_receipt(open_ballot: OpenBallot) -> None:
    client = Client()
    contest = open_ballot.contest
    code = next(iter(open_ballot.codes.values()))
    _signed_in(client, contest, code.lower().replace("-", " "))  # typed loosely
    page = client.get(reverse("vote-ballot", args=[contest.pk]))
    assert b'<select id="rank_1" name="rank_1">' in page.content
    review = client.post(
        reverse("vote-ballot", args=[contest.pk]), {"rank_1": "2", "rank_2": "", "rank_3": "1"}
    )
    assert review.status_code == 200
    assert b"<li>Carol Challenger</li><li>Alice Incumbent</li>" in review.content
    assert Ballot.objects.count() == 0  # review stores nothing
    cast = client.post(reverse("vote-cast", args=[contest.pk]), {"rank_3": "1", "rank_1": "2"})
    assert cast.status_code == 302
    receipt = client.get(cast["Location"])
    ballot = Ballot.objects.get()
    assert len(bytes(ballot.ciphertext)) == 128  # encrypted at receipt: no JavaScript here
    assert ballot.receipt.encode() in receipt.content
    typed = ballot.receipt.lower().replace("-", " ")  # read generously, as the ledger does
    check = client.get(reverse("receipt-check", args=[contest.pk]), {"receipt": typed})
    assert b"is in the ballot box" in check.content


def test_forged_csrf_token_is_refused(open_ballot: OpenBallot) -> None:
    client = Client(enforce_csrf_checks=True)
    contest = open_ballot.contest
    client.get(reverse("vote-start", args=[contest.pk]))
    response = client.post(
        reverse("vote-start", args=[contest.pk]),
        {"code": next(iter(open_ballot.codes.values())), "csrfmiddlewaretoken": "forged" * 8},
    )
    assert response.status_code == 403
    assert b"CSRF check failed" in response.content
    assert b"Nothing was changed" in response.content
    cast = client.post(reverse("vote-cast", args=[contest.pk]), {"rank_1": "1"})
    assert cast.status_code == 403
    _nothing_changed()


def test_reused_code_is_refused(open_ballot: OpenBallot) -> None:
    contest = open_ballot.contest
    code = next(iter(open_ballot.codes.values()))
    first = Client()
    _signed_in(first, contest, code)
    second = Client()
    _signed_in(second, contest, code)  # both hold the code before either casts
    assert first.post(reverse("vote-cast", args=[contest.pk]), {"rank_1": "1"}).status_code == 302
    again = second.post(reverse("vote-cast", args=[contest.pk]), {"rank_2": "1"})
    assert again.status_code == 400
    assert b"this code has already been used" in again.content
    assert Ballot.objects.count() == 1
    third = Client().post(reverse("vote-start", args=[contest.pk]), {"code": code})
    assert third.status_code == 400
    assert b"already been used" in third.content


def test_cast_after_close_is_refused(open_ballot: OpenBallot) -> None:
    client = Client()
    contest = open_ballot.contest
    _signed_in(client, contest, next(iter(open_ballot.codes.values())))
    ballot_close(contest=contest, reason="the test closes it early")
    response = client.post(reverse("vote-cast", args=[contest.pk]), {"rank_1": "1"})
    assert response.status_code == 400
    assert b"the ballot is not open" in response.content
    _nothing_changed()


def test_cast_after_the_timetabled_close_is_refused(open_ballot: OpenBallot) -> None:
    client = Client()
    contest = open_ballot.contest
    _signed_in(client, contest, next(iter(open_ballot.codes.values())))
    Contest.objects.filter(pk=contest.pk).update(
        ballot_closes_at=contest.ballot_opens_at + dt.timedelta(minutes=1)
    )
    response = client.post(reverse("vote-cast", args=[contest.pk]), {"rank_1": "1"})
    assert response.status_code == 400
    assert b"the ballot closed at" in response.content
    _nothing_changed()


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"rank_1": "1", "rank_9": "2"}, b"not on this ballot"),
        ({"rank_x": "1"}, b"not on this ballot"),
        ({"rank_1": "1", "rank_2": "1"}, b"share preference 1"),
        ({"rank_1": "2"}, b"preference 1 is missing"),
        ({"rank_1": "7"}, b"numbers from 1 to 3"),
        ({"rank_1": "\u00b2"}, b"numbers from 1 to 3"),  # a digit to isdigit, not to int
        ({"rank_1": "1", "rank_9": ""}, b"not on this ballot"),  # named, though not ranked
    ],
)
def test_bad_ranking_is_refused(
    open_ballot: OpenBallot, form: dict[str, str], message: bytes
) -> None:
    client = Client()
    contest = open_ballot.contest
    _signed_in(client, contest, next(iter(open_ballot.codes.values())))
    for url in ("vote-ballot", "vote-cast"):
        response = client.post(reverse(url, args=[contest.pk]), form)
        assert response.status_code == 400
        assert message in response.content
    _nothing_changed()


def test_oversized_request_is_refused(open_ballot: OpenBallot) -> None:
    client = Client()
    contest = open_ballot.contest
    _signed_in(client, contest, next(iter(open_ballot.codes.values())))
    response = client.post(
        reverse("vote-cast", args=[contest.pk]), {"rank_1": "1", "padding": "x" * (3 * 2**20)}
    )
    assert response.status_code == 400
    assert b"too large" in response.content
    _nothing_changed()


def test_unknown_code_is_refused_without_a_hint_of_who(open_ballot: OpenBallot) -> None:
    response = Client().post(
        reverse("vote-start", args=[open_ballot.contest.pk]), {"code": "AAAA-BBBB-CCCC"}
    )
    assert response.status_code == 400
    assert b"not valid for this ballot" in response.content


def test_officer_pages_need_an_officer(open_ballot: OpenBallot) -> None:
    url = reverse("contest-dashboard", args=[open_ballot.contest.pk])
    assert Client().get(url).status_code == 302
    closing = Client().post(reverse("ballot-close", args=[open_ballot.contest.pk]))
    assert closing.status_code == 302
    assert "/accounts/login/" in closing["Location"]
    open_ballot.contest.refresh_from_db()
    assert open_ballot.contest.state == "ballot_open"


def test_cast_to_an_unknown_contest_is_not_found(open_ballot: OpenBallot) -> None:
    client = Client()
    contest = open_ballot.contest
    _signed_in(client, contest, next(iter(open_ballot.codes.values())))
    missing = contest.pk + 1000
    assert client.post(reverse("vote-cast", args=[missing]), {"rank_1": "1"}).status_code == 404
    _nothing_changed()
