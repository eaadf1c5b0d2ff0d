"""Officers' second factor (django-otp TOTP): enrolled by the officer, then asked for at
every sign-in, and a session signed in without it reaches no officer page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
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
    assert officer.post(page, {"token": code_of(device)}).status_code == 200  # the codes
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


def enrolled(open_ballot: OpenBallot) -> tuple[Client, TOTPDevice, list[str]]:
    officer = officer_of(open_ballot.contest.organisation, Role.RETURNING_OFFICER)
    page = reverse("second-factor")
    officer.post(page, {"start": "1"})
    device = TOTPDevice.objects.get(confirmed=False)
    shown = officer.post(page, {"token": code_of(device)}).content.decode()
    codes = re.findall(r"<code>([A-Z2-7-]{19})</code>", shown)
    return officer, device, codes


def test_recovery_codes_are_shown_once_stored_hashed_and_each_signs_in_once(
    open_ballot: OpenBallot,
) -> None:
    officer, _, codes = enrolled(open_ballot)
    assert len(set(codes)) == 10
    assert not re.search(
        r"[A-Z2-7]{4}-[A-Z2-7]{4}-", officer.get(reverse("second-factor")).content.decode()
    )
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert len(stored) == 10
    assert not stored & {code.replace("-", "") for code in codes}  # digests, not the codes
    assert not any(code.replace("-", "")[:8].lower() in stored for code in codes)
    dashboard = reverse("contest-dashboard", args=[open_ballot.contest.pk])
    client, status = sign_in("ro", otp_token=codes[0].lower().replace("-", " "))
    assert status == 302
    assert client.get(dashboard).status_code == 200
    _, again = sign_in("ro", otp_token=codes[0])
    assert again == 200  # spent: the form again
    assert StaticToken.objects.count() == 9


def test_a_stored_digest_typed_as_a_code_does_not_sign_in(open_ballot: OpenBallot) -> None:
    enrolled(open_ballot)
    device = StaticDevice.objects.get()
    digest = StaticToken.objects.values_list("token", flat=True)[0]
    # Even naming the recovery-code device, as django-otp's form allows.
    _, status = sign_in("ro", otp_token=digest, otp_device=device.persistent_id)
    assert status == 200
    assert StaticToken.objects.count() == 10


def test_new_recovery_codes_end_the_old_ones(open_ballot: OpenBallot) -> None:
    _, _, codes = enrolled(open_ballot)
    officer, _ = sign_in("ro", otp_token=codes[0])  # asking needs a session with the code
    fresh = officer.post(reverse("second-factor"), {"recovery": "1"}).content.decode()
    new = re.findall(r"<code>([A-Z2-7-]{19})</code>", fresh)
    assert len(new) == 10
    assert not set(new) & set(codes)
    assert sign_in("ro", otp_token=new[1])[1] == 302
    assert sign_in("ro", otp_token=codes[1])[1] == 200


def test_enrolment_shows_the_key_as_an_inline_svg_qr_image_without_script(
    open_ballot: OpenBallot,
) -> None:
    officer = officer_of(open_ballot.contest.organisation, Role.RETURNING_OFFICER)
    page = officer.post(reverse("second-factor"), {"start": "1"})
    html = page.content.decode()
    svg = html[html.index('<svg id="key-qr"') : html.index("</svg>") + 6]
    assert 'role="img"' in svg
    assert "<path " in svg
    assert not re.search(r"<script|style=|on\w+=", svg)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script anywhere
    csp = page["Content-Security-Policy"]
    assert "unsafe-inline" not in csp.split("script-src")[-1].split(";")[0]
