"""Acceptance in Chromium: a member signs in by the emailed link from a petition's page,
signs it, and sees the count and the table by unit; the page passes axe and fits a phone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from omov.web.access.models import Role
from omov.web.access.services import membership_grant
from omov.web.petitions.selectors import live_count
from omov.web.petitions.services import petition_open, petition_start
from tests.web.members_helpers import make_member, make_organisation_with_units

from .conftest import axe_violations, follow, screenshot, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNITS = (("clp", "CLP1", "Islington North CLP", ""),)
PASSWORD = "a long officer password"


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
    follow(page.get_by_role("link", name="sign in as a member", exact=True))
    page.get_by_label("Email").fill("ann@example.org")
    submit(page, "Email me a sign-in link")
    link = re.search(r"https?://\S+/members/sign-in/\S+/", mail.outbox[-1].body)
    assert link is not None
    page.goto(link.group(0))
    submit(page, "Sign in")

    expect(page).to_have_url(re.compile(rf"/petitions/{petition.pk}/$"))
    submit(page, page.get_by_role("button", name=re.compile("^Sign as")))
    expect(page.get_by_role("status").first).to_contain_text("you have signed this petition")
    expect(page.locator("#live-count")).to_contain_text("1 signature")
    assert live_count(petition.pk).members == 1
    screenshot(page, "petition-signed")
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 375, "height": 667})  # a phone: nothing off-screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def _fits_both_widths(page: Page) -> None:
    """No serious or critical axe fault, and nothing off-screen at 1,280 and at 375 px."""
    for width, height in ((1280, 800), (375, 667)):
        page.set_viewport_size({"width": width, "height": height})
        assert axe_violations(page) == [], page.url
        assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_every_petition_page_fits_and_passes_axe(page: Page, live_server: object) -> None:
    """The pages the every-page sweep (test_pages.py) leaves to this file: the list, starting
    one, a non-member's confirmation, and the officer's list and petition page, each with
    something on it (a held signature waits for review)."""
    base = str(live_server.url)  # type: ignore[attr-defined]
    organisation = make_organisation_with_units(rulebook="labour/2018", units=UNITS)
    sponsor = make_member(organisation, units=["CLP1"], email="sam@example.org")
    petition = petition_start(
        sponsor=sponsor,
        title="Bring back the trains",
        text="We ask the party to campaign for public ownership of the railways.",
        closes_at=timezone.now() + dt.timedelta(days=30),
    )
    petition_open(petition=petition, officer="secretary")
    user = get_user_model().objects.create_user("ro", password=PASSWORD)
    membership_grant(user=user, organisation=organisation, roles=[Role.RETURNING_OFFICER])

    page.goto(f"{base}/petitions/{petition.pk}/")
    page.locator("form.stacked input[type=email]").fill("dora@mailinator.com")  # throwaway
    submit(page, "Send me the link")
    link = re.search(r"https?://\S+/petitions/confirm/\S+/", mail.outbox[-1].body)
    assert link is not None
    page.goto(link.group(0))
    expect(page.get_by_role("button", name="Confirm my signature")).to_be_visible()
    _fits_both_widths(page)
    submit(page, "Confirm my signature")  # held: a throwaway domain

    page.goto(f"{base}/petitions/")
    expect(page.get_by_role("link", name="Bring back the trains")).to_be_visible()
    _fits_both_widths(page)

    page.goto(f"{base}/officer/{organisation.pk}/petitions/")
    page.get_by_label("Username").fill("ro")
    page.get_by_label("Password").fill(PASSWORD)
    submit(page, "Sign in")
    expect(page.get_by_role("link", name="Bring back the trains")).to_be_visible()
    _fits_both_widths(page)
    follow(page.get_by_role("link", name="Bring back the trains"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bring back the trains")
    expect(page.locator("section.held h3")).to_contain_text("1 held")
    _fits_both_widths(page)

    page.goto(f"{base}/members/sign-in/?next=/petitions/start/")
    page.get_by_label("Email").fill("sam@example.org")
    submit(page, "Email me a sign-in link")
    sign_in = re.search(r"https?://\S+/members/sign-in/\S+/", mail.outbox[-1].body)
    assert sign_in is not None
    page.goto(sign_in.group(0))
    submit(page, "Sign in")
    page.goto(f"{base}/petitions/start/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _fits_both_widths(page)
