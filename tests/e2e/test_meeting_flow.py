"""Acceptance: a branch secretary runs a meeting in Chromium (calls it, opens it, ticks who
is present, tables a motion and puts it to an online vote), a member present votes with the
code they were emailed, and the secretary closes the vote; axe-core finds no serious or
critical fault on these pages, and each fits a phone's 375 px."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import Page, expect

from omov.web.access.services import unit_post_grant
from tests.web.members_helpers import make_member, make_organisation_with_units, unit

from .conftest import axe_violations, screenshot, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long officer password"


def _checked(page: Page) -> None:
    """No serious or critical axe fault, and nothing off-screen on a phone."""
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 375, "height": 667})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1000, "height": 900})


def _code(body: str) -> str:
    found = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", body)
    assert found is not None, body
    return found.group(0)


def test_a_branch_secretary_runs_a_meeting_and_a_member_votes_online(
    live_server: object, page: Page
) -> None:
    base = str(live_server)
    party = make_organisation_with_units()
    branch = unit(party, "B1")
    present = [make_member(party, units=[branch]) for _ in range(5)]
    make_member(party, units=[branch], standing="lapsed")
    user = get_user_model().objects.create_user("secretary", password=PASSWORD)
    unit_post_grant(user=user, unit=branch)

    page.goto(f"{base}/officer/local/")
    page.get_by_label("Username").fill("secretary")
    page.get_by_label("Password").fill(PASSWORD)
    submit(page, "Sign in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Meetings and motions")
    page.get_by_label("Unit").select_option(label=branch.name)
    page.get_by_label("Title (optional)").fill("March branch meeting")
    page.get_by_label("Date of the meeting").fill("2026-03-10")
    page.get_by_label("Notice sent to members on").fill("2026-03-01")
    submit(page, "Call the meeting")
    expect(page.locator("#rules")).to_contain_text("9 days' notice given; 7 needed")
    submit(page, "Open the meeting")
    expect(page.locator("#attendance")).to_contain_text("not a member in good standing")
    for member in present:
        page.get_by_label(f"{member.display_name} ({member.number})").check()
    submit(page, "Record attendance")
    expect(page.locator("#attendance h2")).to_have_text("Attendance (5 present)")
    expect(page.locator("#quorum")).to_contain_text("The meeting is quorate")
    page.get_by_label("Kind of motion").select_option(label="Motion")
    page.get_by_label("Text of the motion").fill("This branch supports the housing campaign.")
    page.get_by_label("Mover's membership number").fill(present[0].number)
    page.get_by_label("Seconder's membership number").fill(present[1].number)
    submit(page, "Add the motion")
    expect(page.locator("#motion-1")).to_contain_text("On the agenda")
    _checked(page)
    screenshot(page, "meeting-01-agenda")
    submit(page, "Vote online instead")
    expect(page.locator("#motion-1")).to_contain_text("voting online with their codes")
    assert len(mail.outbox) == 5

    voter = present[2]
    letter = next(m for m in mail.outbox if m.to == [voter.email])
    vote_url = re.search(r"https?://\S+/local/motions/\d+/vote/", letter.body)
    assert vote_url is not None
    member = page.context.browser.new_context().new_page()  # type: ignore[union-attr]
    member.goto(vote_url.group(0))  # not signed in: to the member's sign-in, and back
    member.get_by_label("Email").fill(voter.email)
    submit(member, member.get_by_role("button", name=re.compile("link", re.I)))
    link = re.search(r"https?://\S+/members/sign-in/\S+/", mail.outbox[-1].body)
    assert link is not None
    member.goto(link.group(0))
    submit(member, "Sign in")
    expect(member.get_by_role("heading", level=1)).to_have_text("Vote on motion 1")
    _checked(member)
    member.get_by_label("Your one-time code").fill(_code(letter.body))
    member.get_by_label("For", exact=True).check()
    submit(member, "Cast my vote")
    expect(member.get_by_role("status")).to_contain_text("Your vote is recorded")
    expect(member.locator("main")).to_contain_text("You have voted on this motion")
    _checked(member)
    screenshot(member, "meeting-02-voted")
    member.context.close()

    page.reload()
    submit(page, "Close the online vote and decide")
    expect(page.locator("#motion-1")).to_contain_text("Carried: 1 for, 0 against")
    expect(page.locator("#motion-1")).to_contain_text("Recorded as the resolution of")
    _checked(page)
    screenshot(page, "meeting-03-decided")
