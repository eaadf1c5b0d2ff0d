"""The voter's numbers survive a mistake and "Change my preferences" on the path without
JavaScript (the browser posts the numbered selects; the review page posts them back)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from omov.web.balloting.models import Ballot

from .conftest import OpenBallot

pytestmark = pytest.mark.django_db


def _signed_in(open_ballot: OpenBallot) -> Client:
    client = Client()
    code = next(iter(open_ballot.codes.values()))
    started = client.post(reverse("vote-start", args=[open_ballot.contest.pk]), {"code": code})
    assert started.status_code == 302
    return client


def _selected(page: str) -> dict[str, str]:
    """Each select's chosen number ("" for none), by field name."""
    chosen = {}
    for name, options in re.findall(
        r'<select[^>]*name="(rank_\d+)"[^>]*>(.*?)</select>', page, re.S
    ):
        picked = re.findall(r'<option value="(\d*)" selected>', options)
        chosen[name] = picked[0] if picked else ""
    return chosen


def _change_form(page: str) -> dict[str, str]:
    """What the review page's "Change my preferences" form sends."""
    form = re.search(r'<form[^>]*action="[^"]*/ballot/"[^>]*>(.*?)</form>', page, re.S)
    assert form is not None
    fields = dict(re.findall(r'<input type="hidden" name="(rank_\d+)" value="(\d+)">', form[1]))
    button = re.search(r'<button type="submit" name="(\w+)" value="(\w+)"', form[1])
    assert button is not None
    return fields | {button[1]: button[2]}


def test_the_numbers_survive_a_mistake(open_ballot: OpenBallot) -> None:
    client = _signed_in(open_ballot)
    url = reverse("vote-ballot", args=[open_ballot.contest.pk])
    assert _selected(client.get(url).content.decode()) == {
        "rank_1": "",
        "rank_2": "",
        "rank_3": "",
    }
    mistake = client.post(url, {"rank_1": "2", "rank_2": "2", "rank_3": ""})
    assert mistake.status_code == 400
    page = mistake.content.decode()
    assert "share preference 2" in page
    assert _selected(page) == {"rank_1": "2", "rank_2": "2", "rank_3": ""}


def test_the_numbers_survive_changing_them_after_the_review(open_ballot: OpenBallot) -> None:
    client = _signed_in(open_ballot)
    url = reverse("vote-ballot", args=[open_ballot.contest.pk])
    review = client.post(url, {"rank_1": "", "rank_2": "2", "rank_3": "1"})
    assert review.status_code == 200
    names = [c.name for c in open_ballot.candidates]
    shown = re.findall(r"<li>(.*?)</li>", review.content.decode())
    assert shown[:2] == [names[2], names[1]]
    change = _change_form(review.content.decode())
    assert change == {"rank_3": "1", "rank_2": "2", "change": "1"}
    back = client.post(url, change)
    assert back.status_code == 200
    page = back.content.decode()
    assert "Review my ballot" in page  # the paper again, not the review
    assert '<ol id="review">' not in page
    assert 'role="alert"' not in page
    assert _selected(page) == {"rank_1": "", "rank_2": "2", "rank_3": "1"}
    # Changed and cast: the one ballot holds the new order.
    again = client.post(url, {"rank_1": "1", "rank_2": "", "rank_3": "2"})
    assert again.status_code == 200
    cast = client.post(
        reverse("vote-cast", args=[open_ballot.contest.pk]), {"rank_1": "1", "rank_3": "2"}
    )
    assert cast.status_code == 302
    assert Ballot.objects.count() == 1
