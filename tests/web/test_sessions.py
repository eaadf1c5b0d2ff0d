"""Sessions (server-side, ended by signing out, gone when the browser closes) and the
redirects that end signing in and casting."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import clear_script_prefix, reverse, set_script_prefix
from django.utils import timezone

from omov.web.access.models import Role
from omov.web.balloting.models import Ballot
from omov.web.sessions import SessionStore
from omov.web.trust.models import TreeHeadRecord

from .conftest import OpenBallot, officer_of

CREDENTIAL = [7, "d" * 64]


@pytest.mark.django_db
def test_a_session_is_a_row_signed_without_compression() -> None:
    session = SessionStore()
    session["omov-credential"] = CREDENTIAL
    session.save()
    row = Session.objects.get(session_key=session.session_key)
    assert not row.session_data.startswith(".")  # Django marks a compressed payload so
    assert SessionStore(session.session_key)["omov-credential"] == CREDENTIAL
    session.delete()
    assert SessionStore(session.session_key).get("omov-credential") is None


@pytest.mark.django_db
def test_a_session_djangos_store_wrote_loads_and_an_expired_one_does_not() -> None:
    theirs = db.SessionStore()
    theirs["omov-credential"] = CREDENTIAL
    theirs.save()
    assert SessionStore(theirs.session_key)["omov-credential"] == CREDENTIAL
    Session.objects.filter(session_key=theirs.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    assert SessionStore(theirs.session_key).get("omov-credential") is None


@pytest.mark.django_db
def test_a_session_deleted_meanwhile_is_not_written_back() -> None:
    session = SessionStore()
    session["omov-credential"] = CREDENTIAL
    session.save()
    Session.objects.all().delete()  # signed out in another tab
    session["more"] = 1
    with pytest.raises(UpdateError):
        session.save()
    assert not Session.objects.exists()


@pytest.mark.django_db
def test_a_session_replayed_after_logout_is_refused(open_ballot: OpenBallot) -> None:
    """Sessions live in the database: signing out deletes the row, so a copy of the cookie
    taken before is worth nothing afterwards."""
    contest = open_ballot.contest
    officer = officer_of(contest.organisation, Role.RETURNING_OFFICER)
    stolen = officer.cookies["sessionid"].value
    dashboard = reverse("contest-dashboard", args=[contest.pk])
    assert officer.get(dashboard).status_code == 200
    assert officer.post(reverse("logout")).status_code == 302
    assert not Session.objects.filter(session_key=stolen).exists()
    replay = Client()
    replay.cookies["sessionid"] = stolen
    assert replay.get(dashboard).status_code == 302  # to the sign-in page
    trail = replay.get(reverse("audit-trail", args=[contest.pk]))
    assert trail.status_code == 302
    heads = TreeHeadRecord.objects.count()
    assert replay.post(reverse("ledger-checkpoint", args=[contest.pk])).status_code == 302
    assert TreeHeadRecord.objects.count() == heads


@pytest.mark.django_db
def test_the_receipt_is_never_in_a_session_row(open_ballot: OpenBallot) -> None:
    """The voter's session (the code's digest) is deleted by the cast; the receipt reaches
    the receipt page in a signed cookie, once, and no session row holds it."""
    contest = open_ballot.contest
    client = Client()
    code = next(iter(open_ballot.codes.values()))
    client.post(reverse("vote-start", args=[contest.pk]), {"code": code})
    assert Session.objects.count() == 1
    cast = client.post(reverse("vote-cast", args=[contest.pk]), {"rank_1": "1"})
    assert cast.status_code == 302
    assert Session.objects.count() == 0
    receipt = Ballot.objects.get().receipt
    assert cast.cookies["omov-receipt"]["path"] == cast["Location"]
    page = client.get(cast["Location"])
    assert receipt in page.content.decode()
    assert client.get(cast["Location"]).status_code == 302  # shown once
    assert not any(receipt in str(s.get_decoded()) for s in Session.objects.all())


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
