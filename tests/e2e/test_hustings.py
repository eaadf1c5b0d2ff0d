"""Acceptance: written hustings in Chromium, with axe-core on each page a member or a
candidate reads, and every page fitting a phone's 375 px. A member signs in by the emailed
link, asks a question; another supports it; the returning officer records the questions
put; both candidates answer; the answers are published side by side with equal time."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from omov.web.access.models import Role
from omov.web.access.services import membership_grant
from omov.web.hustings.models import Hustings
from omov.web.members.models import Member
from tests.web.hustings_helpers import campaign

from .conftest import ACTION_TIMEOUT_MS, axe_violations, csp_refusals, screenshot, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_a_phone(page: Page) -> None:
    size = page.viewport_size
    page.set_viewport_size({"width": 375, "height": 667})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    if size is not None:
        page.set_viewport_size(size)


def _checked(page: Page, name: str) -> None:
    assert axe_violations(page) == []
    _fits_a_phone(page)
    screenshot(page, name)


def _member(browser: Browser, base: str, member: Member, url: str) -> Page:
    """``member`` in a browser of their own, signed in by the link emailed to them, on
    ``url`` (the sign-in brings them back to it)."""
    page = browser.new_context(viewport={"width": 1000, "height": 900}).new_page()
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    csp_refusals(page)
    page.goto(base + url)
    page.get_by_label("Your email address").fill(member.email)
    submit(page, "Email me a sign-in link")
    expect(page.get_by_role("status")).to_contain_text("emailed a sign-in link")
    found = re.search(r"https?://\S+/members/sign-in/\S+/", mail.outbox[-1].body)
    assert found is not None, mail.outbox[-1].body
    page.goto(found.group(0))
    submit(page, "Sign in")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hustings")
    return page


def _officer(browser: Browser, base: str, organisation: object, url: str) -> Page:
    user = get_user_model().objects.create_user("ro", password="a long officer password")
    roles = [Role.RETURNING_OFFICER, Role.MODERATOR]
    membership_grant(user=user, organisation=organisation, roles=roles)
    page = browser.new_context().new_page()
    page.goto(base + url)
    page.get_by_label("Username").fill("ro")
    page.get_by_label("Password").fill("a long officer password")
    submit(page, "Sign in")
    return page


def _questions_close_now(hustings: Hustings) -> None:
    """A week passes: questions closed a minute ago; answers are due a week on."""
    now = timezone.now()
    Hustings.objects.filter(pk=hustings.pk).update(
        opens_at=now - dt.timedelta(days=7),
        questions_close_at=now - dt.timedelta(minutes=1),
        answers_due_at=now + dt.timedelta(days=7),
    )


def test_members_ask_and_support_candidates_answer_side_by_side(
    live_server: object, browser: Browser
) -> None:
    base = str(live_server)
    ready = campaign(members=3)
    url = f"/contest/{ready.contest.pk}/hustings/"
    ann = _member(browser, base, ready.members[0], url)
    _checked(ann, "hustings-01-empty")
    ann.get_by_label("Your question to the candidates").fill(
        "Will you keep one member, one vote for every leadership election?"
    )
    submit(ann, "Ask the candidates")
    expect(ann.get_by_role("status")).to_contain_text("Your question is asked")
    expect(ann.locator("#question-1")).to_contain_text("1 supporting")
    expect(ann.locator("#question-1")).to_contain_text("You support this question.")
    bea = _member(browser, base, ready.members[1], url)
    submit(bea, "Support question 1")
    expect(bea.get_by_role("status")).to_contain_text("You support question 1.")
    expect(bea.locator("#question-1")).to_contain_text("2 supporting")
    _checked(bea, "hustings-02-supported")

    # Moderation: a member flags a question on a house rule, a moderator hides it on one,
    # and its author appeals to the panel.
    cal = _member(browser, base, ready.members[2], url)
    cal.get_by_label("Your question to the candidates").fill("Why is your rival such a liar?")
    submit(cal, "Ask the candidates")
    expect(cal.get_by_role("status")).to_contain_text("Your question is asked")
    bea.reload()
    bea.get_by_label("House rule question 2 breaks").select_option(label="Rule 3, personal abuse")
    submit(bea, "Flag question 2")
    expect(bea.get_by_role("status")).to_contain_text("a moderator will look at question 2")
    officer = _officer(
        browser, base, ready.contest.organisation, f"/officer/contest/{ready.contest.pk}/hustings/"
    )
    flagged = officer.locator("#question-2")
    expect(flagged).to_contain_text("flagged by 1")
    flagged.get_by_label("House rule question 2 breaks").select_option(
        label="Rule 3, personal abuse"
    )
    flagged.get_by_label("Note for the appeals panel on question 2").fill(
        "Calls a candidate a liar"
    )
    submit(officer, "Hide question 2")
    expect(officer.get_by_role("status")).to_contain_text("Question 2 is hidden")
    cal.reload()
    expect(cal.locator("#question-2")).to_contain_text(
        "Hidden by a moderator: rule 3, personal abuse"
    )
    _checked(cal, "hustings-02-hidden")
    cal.get_by_label("Why the decision is wrong").fill("It asks about the candidate's record.")
    submit(cal, "Appeal to the appeals panel")
    expect(cal.get_by_role("status")).to_contain_text("Your appeal has gone to the appeals panel")
    assert axe_violations(cal) == []
    cal.context.close()

    _questions_close_now(ready.hustings)
    officer.reload()
    submit(officer, "Choose the questions")
    expect(officer.get_by_role("status")).to_contain_text("The questions are chosen")
    expect(officer.locator("#put")).to_contain_text("Among the 6 most supported questions.")
    _checked(officer, "hustings-officer")

    corbyn, smith = (_member(browser, base, m, url) for m in ready.candidate_members)
    corbyn.get_by_label("Your answer to question 1").fill("long " * 251)
    submit(corbyn, "Send my answer to question 1")
    expect(corbyn.get_by_role("status")).to_contain_text("The answer has 251 words; at most 250")
    for candidate, words in ((corbyn, "Yes, always."), (smith, "Yes, and more.")):
        candidate.get_by_label("Your answer to question 1").fill(words)
        submit(candidate, "Send my answer to question 1")
        expect(candidate.get_by_role("status")).to_contain_text(
            "Your answer to question 1 is recorded"
        )
    _checked(smith, "hustings-03-answered")

    ann.reload()
    answers = ann.locator("#put-1 .answer")
    expect(answers).to_have_count(2)
    expect(answers.nth(0)).to_contain_text("Jeremy Corbyn")
    expect(answers.nth(0)).to_contain_text("Yes, always.")
    expect(answers.nth(1)).to_contain_text("Owen Smith")
    expect(answers.nth(1)).to_contain_text("3 of 250 words")
    expect(ann.locator("#put-1")).to_contain_text(
        "Equal time: every candidate answered within the same limit"
    )
    boxes = [answers.nth(n).bounding_box() for n in range(2)]
    assert boxes[0] is not None
    assert boxes[1] is not None
    assert boxes[0]["y"] == boxes[1]["y"]  # side by side on a wide screen
    _checked(ann, "hustings-04-published")
    for page in (ann, bea, officer, corbyn, smith):
        page.context.close()
