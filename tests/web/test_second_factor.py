"""Officers' second factor (django-otp TOTP): enrolled by the officer, then asked for at
every sign-in, and a session signed in without it reaches no officer page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from omov.web.access.models import Role

from .conftest import OpenBallot, officer_of

pytestmark = pytest.mark.django_db


def code_of(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def sign_in(username: str, **extra: str) -> tuple[Client, int]:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": "pw", **extra})
    return client, response.status_code


def test_an_officer_enrols_and_then_needs_the_code(open_ballot: OpenBallot) -> None:
    contest = open_ballot.contest
    officer = officer_of(contest.organisation, Role.RETURNING_OFFICER)
    page = reverse("second-factor")
    assert b"No authenticator app is enrolled" in officer.get(page).content
    started = officer.post(page, {"start": "1"})
    assert b"otpauth://totp/" in started.content
    device = TOTPDevice.objects.get(confirmed=False)
    wrong = officer.post(page, {"token": "000000" if code_of(device) != "000000" else "111111"})
    assert wrong.status_code == 302
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # django-otp makes the next try wait
    device.throttle_reset()
    assert officer.post(page, {"token": code_of(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    dashboard = reverse("contest-dashboard", args=[contest.pk])
    # The password alone no longer signs in...
    _, status = sign_in("ro")
    assert status == 200  # the form again
    # ... and with the next code it does.
    device.refresh_from_db()
    device.last_t = -1  # the code used to confirm is spent; the test's clock has not moved
    device.save(update_fields=["last_t"])
    client, status = sign_in("ro", otp_token=code_of(device))
    assert status == 302
    assert client.get(dashboard).status_code == 200


def test_a_session_without_the_code_reaches_no_officer_page_nor_replaces_the_app(
    open_ballot: OpenBallot,
) -> None:
    contest = open_ballot.contest
    officer = officer_of(contest.organisation, Role.RETURNING_OFFICER)
    officer.post(reverse("second-factor"), {"start": "1"})
    device = TOTPDevice.objects.get()
    officer.post(reverse("second-factor"), {"token": code_of(device)})
    # This session signed in before the app was enrolled: it was never verified.
    dashboard = reverse("contest-dashboard", args=[contest.pk])
    assert officer.get(dashboard).status_code == 302
    assert officer.get(reverse("officer-home")).status_code == 302
    assert officer.post(reverse("second-factor"), {"start": "1"}).status_code == 302
    assert TOTPDevice.objects.count() == 1


def test_an_officer_without_an_app_signs_in_with_the_password(open_ballot: OpenBallot) -> None:
    officer = officer_of(open_ballot.contest.organisation, Role.SCRUTINEER)
    dashboard = reverse("contest-dashboard", args=[open_ballot.contest.pk])
    assert officer.get(dashboard).status_code == 200
