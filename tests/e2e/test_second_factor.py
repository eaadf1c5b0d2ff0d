"""An officer enrols an authenticator app in Chromium: the key's QR image is shown, reads
(as a phone's camera would) as the otpauth address the page also gives as text, and a code
made from that address alone, as the app would make it, completes the enrolment."""

from __future__ import annotations

from base64 import b32decode
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from omov.web.access.models import Role
from omov.web.access.services import membership_grant
from omov.web.contests.services import organisation_create

from .conftest import axe_violations, qr_decoded, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long officer password"


def _code_from(address: str) -> str:
    """The code an authenticator app shows now for an ``otpauth://totp/`` address."""
    parts = urlsplit(address)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp"), address
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    assert query["algorithm"] == "SHA1"
    secret = query["secret"]
    key = b32decode(secret + "=" * (-len(secret) % 8))
    digits = int(query["digits"])
    return f"{totp(key, step=int(query['period']), digits=digits):0{digits}d}"


def test_an_officer_enrols_an_app_from_the_qr_image(live_server: Any, page: Page) -> None:
    officer = get_user_model().objects.create_user("ro", "ro@example.org", PASSWORD)
    organisation = organisation_create(name="The Labour Party")
    membership_grant(user=officer, organisation=organisation, roles=[Role.RETURNING_OFFICER])
    page.goto(f"{live_server}{reverse('second-factor')}")  # signing in first
    page.get_by_label("Username").fill("ro")
    page.get_by_label("Password").fill(PASSWORD)
    submit(page, "Sign in")
    state = page.locator("#second-factor-state")
    expect(state).to_contain_text("No authenticator app is enrolled")

    submit(page, "Enrol an authenticator app")
    image = page.get_by_role("img", name="QR image of the key for your authenticator app")
    expect(image).to_be_visible()
    link = page.locator('main a[href^="otpauth://totp/"]')
    address = link.get_attribute("href")
    assert address is not None
    expect(link).to_have_text(address)  # the address as text, beside the image
    assert qr_decoded(image) == address
    assert axe_violations(page) == []
    device = TOTPDevice.objects.get(user=officer)
    assert not device.confirmed

    page.get_by_label("Code from the app").fill(_code_from(address))
    submit(page, "Confirm")
    expect(page.get_by_text("Your authenticator app is enrolled.")).to_be_visible()
    expect(state).to_contain_text("An authenticator app is enrolled")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    device.refresh_from_db()
    assert device.confirmed
