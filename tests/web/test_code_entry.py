"""Entering a code checks the ballot is open: before it opens the page says when it opens,
after it closes that it has closed, and the code is not checked (nor counted by the
throttle); a voter signed in before the close is told so rather than shown the paper."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from omov.web.balloting.models import Ballot, CredentialState
from omov.web.balloting.services import ballot_close
from omov.web.contests.models import Contest, ContestState
from omov.web.wording import ballot_not_open, when

from .conftest import OpenBallot

pytestmark = pytest.mark.django_db


def _code(open_ballot: OpenBallot) -> str:
    return next(iter(open_ballot.codes.values()))


def _unspent(open_ballot: OpenBallot) -> int:
    return (
        Contest.objects.get(pk=open_ballot.contest.pk)
        .electors.filter(credentials__state=CredentialState.ISSUED)
        .count()
    )


def test_before_the_ballot_opens_the_page_says_when(open_ballot: OpenBallot) -> None:
    contest = open_ballot.contest
    opens = timezone.now() + dt.timedelta(days=2)
    Contest.objects.filter(pk=contest.pk).update(state=ContestState.FROZEN, ballot_opens_at=opens)
    url = reverse("vote-start", args=[contest.pk])
    page = Client().get(url).content.decode()
    assert f"Voting has not started: the ballot opens at {when(opens)}." in page
    assert 'name="code"' not in page  # no form to type a code into
    refused = Client().post(url, {"code": _code(open_ballot)})
    assert refused.status_code == 400
    assert "the ballot opens at" in refused.content.decode()
    assert _unspent(open_ballot) == len(open_ballot.codes)


def test_after_the_close_the_page_says_it_has_closed(open_ballot: OpenBallot) -> None:
    contest = open_ballot.contest
    ballot_close(contest=contest, reason="the test closes it early")
    url = reverse("vote-start", args=[contest.pk])
    page = Client().get(url).content.decode()
    closed_at = when(Contest.objects.get(pk=contest.pk).ballot_closes_at)
    assert f"The ballot closed at {closed_at}; no more votes can be cast online." in page
    assert 'name="code"' not in page
    refused = Client().post(url, {"code": _code(open_ballot)})
    assert refused.status_code == 400
    assert "The ballot closed at" in refused.content.decode()
    assert "vote-ballot" not in refused.get("Location", "")


def test_past_the_timetabled_close_the_ballot_counts_as_closed(open_ballot: OpenBallot) -> None:
    """The workers close it at its minute; until one does, the voter is told it has closed."""
    contest = open_ballot.contest
    Contest.objects.filter(pk=contest.pk).update(
        ballot_closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    response = Client().post(reverse("vote-start", args=[contest.pk]), {"code": _code(open_ballot)})
    assert response.status_code == 400
    assert "The ballot closed at" in response.content.decode()


def test_a_voter_signed_in_before_the_close_is_told_it_has_closed(
    open_ballot: OpenBallot,
) -> None:
    contest = open_ballot.contest
    client = Client()
    signed_in = client.post(reverse("vote-start", args=[contest.pk]), {"code": _code(open_ballot)})
    assert signed_in.status_code == 302
    ballot_close(contest=contest, reason="the test closes it early")
    paper = client.get(reverse("vote-ballot", args=[contest.pk]), follow=True)
    page = paper.content.decode()
    assert "The ballot closed at" in page
    assert "rank_" not in page  # not the ballot paper
    cast = client.post(reverse("vote-cast", args=[contest.pk]), {"rank_1": "1"})
    assert cast.status_code == 400
    assert "Start again" not in cast.content.decode()
    assert Ballot.objects.count() == 0


def test_open_ballot_has_no_notice(open_ballot: OpenBallot) -> None:
    assert ballot_not_open(open_ballot.contest) is None
    page = Client().get(reverse("vote-start", args=[open_ballot.contest.pk])).content.decode()
    assert 'name="code"' in page
