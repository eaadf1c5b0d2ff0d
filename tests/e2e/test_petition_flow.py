"""Acceptance in Chromium: a member signs in by the emailed link from a petition's page,
signs it, and sees the count and the table by unit; the page passes axe and fits a phone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from omov.web.petitions.selectors import live_count
from omov.web.petitions.services import petition_open, petition_start
from tests.web.members_helpers import make_member, make_organisation_with_units

from .conftest import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNITS = (("clp", "CLP1", "Islington North CLP", ""),)


def test_a_member_signs_a_petition(page: Page, live_server: object) -> None:
    base = str(live_server.url)  # type: ignore[attr-defined]
    organisation = make_organisation_with_units(rulebook="labour/2018", units=UNITS)
    sponsor = make_member(organisation, units=["CLP1"])
    petition = petition_start(
        sponsor=sponsor,
        title="Bring back the trains",
        text="We ask the party to campaign for public ownership of the railways.",
        closes_at=timezone.now() + dt.timedelta(days=30),
    )
    petition_open(petition=petition, officer="secretary")
    make_member(organisation, units=["CLP1"], email="ann@example.org", full_name="Ann Example")

    page.goto(f"{base}/petitions/{petition.pk}/")
    expect(page.locator("#live-count")).to_contain_text("0 signatures")
    page.get_by_role("link", name="sign in as a member", exact=True).click()
    page.get_by_label("Email").fill("ann@example.org")
    page.get_by_role("button", name="Email me a sign-in link").click()
    link = re.search(r"https?://\S+/members/sign-in/\S+/", mail.outbox[-1].body)
    assert link is not None
    page.goto(link.group(0))
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(rf"/petitions/{petition.pk}/$"))
    page.get_by_role("button", name=re.compile("^Sign as")).click()
    expect(page.get_by_role("status").first).to_contain_text("you have signed this petition")
    expect(page.locator("#live-count")).to_contain_text("1 signature")
    assert live_count(petition.pk).members == 1
    screenshot(page, "petition-signed")
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 375, "height": 667})  # a phone: nothing off-screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
