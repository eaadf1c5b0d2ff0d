"""The voter's session (a signed cookie, not compressed, gone when the browser closes) and
the redirects that end signing in and casting."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends import signed_cookies
from django.test import Client
from django.urls import clear_script_prefix, reverse, set_script_prefix

from omov.web.sessions import SessionStore

from .conftest import OpenBallot

CREDENTIAL = [7, "d" * 64]


def test_a_session_is_signed_without_compression_and_loads_again() -> None:
    session = SessionStore()
    session["omov-credential"] = CREDENTIAL
    session.save()
    assert not session.session_key.startswith(".")  # Django marks a compressed payload so
    assert SessionStore(session.session_key)["omov-credential"] == CREDENTIAL


def test_a_session_django_signed_compressed_still_loads() -> None:
    theirs = signed_cookies.SessionStore()
    theirs["omov-credential"] = CREDENTIAL
    theirs.save()
    assert theirs.session_key.startswith(".")
    assert SessionStore(theirs.session_key)["omov-credential"] == CREDENTIAL


def test_a_tampered_session_is_empty() -> None:
    session = SessionStore()
    session["omov-credential"] = CREDENTIAL
    session.save()
    payload, _, signed = session.session_key.partition(":")
    other = "A" if payload[0] != "A" else "B"
    forged = SessionStore(other + payload[1:] + ":" + signed)
    assert forged.get("omov-credential") is None


@pytest.mark.django_db
def test_the_session_cookie_ends_with_the_browser(open_ballot: OpenBallot) -> None:
    contest = open_ballot.contest
    client = Client()
    code = next(iter(open_ballot.codes.values()))
    response = client.post(reverse("vote-start", args=[contest.pk]), {"code": code})
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie.value
    assert not cookie["expires"]
    assert not cookie["max-age"]


@pytest.mark.django_db
def test_signing_in_and_casting_redirect_under_the_apps_prefix(
    open_ballot: OpenBallot,
) -> None:
    """The voter pages' URLs are reversed once per contest and prefix, not once a request,
    and an app served under two prefixes still sends each voter to their own."""
    contest = open_ballot.contest
    codes = iter(open_ballot.codes.values())
    for prefix in ("/omov", "", "/omov"):
        client = Client()
        set_script_prefix(prefix + "/")  # what the WSGI handler does with SCRIPT_NAME
        try:
            start = client.post(f"/vote/{contest.pk}/", {"code": next(codes)})
            cast = client.post(f"/vote/{contest.pk}/cast/", {"rank_1": "1"})
        finally:
            clear_script_prefix()
        assert start.status_code == cast.status_code == 302
        assert start["Location"] == f"{prefix}/vote/{contest.pk}/ballot/"
        assert cast["Location"] == f"{prefix}/vote/{contest.pk}/receipt/"
