"""A voter with a keyboard alone: ranks three of five candidates (two with the ranking
buttons, one with its number box), moves one, unranks one, reviews, goes back, and casts.
After each step focus is where the voter left it and the live region says what changed; the
ballot cast holds the ranking the voter made."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from omov.web.balloting.services import ballot_close, ballot_open, credentials_issue
from omov.web.contests.models import Candidate, Contest
from omov.web.contests.services import (
    candidate_add,
    contest_open,
    organisation_create,
    rulebook_load,
)
from omov.web.electorate.services import electorate_freeze, roll_import
from omov.web.nominations.services import nomination_record, nominations_close
from omov.web.trustees.models import DecryptedPaper
from omov.web.trustees.simulation import SimulatedTrustees

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = ("Ann Able", "Ben Baker", "Cat Cole", "Dev Dean", "Eve Ewart")
ROLL = b"""membership_number,email,date_of_birth,join_date,status,arrears
M001,ann@example.org,1961-03-01,2015-03-01,active,false
"""


def _five_candidates() -> tuple[Contest, dict[str, Candidate], str, SimulatedTrustees]:
    """An open ballot of five candidates with one elector; the elector's code."""
    rulebook = rulebook_load(organisation=organisation_create(name="Party"), key="labour/2016")
    now = timezone.now()
    contest = contest_open(
        rulebook=rulebook,
        title="Leadership election",
        nominating_body_size=10,
        freeze_date=dt.date(2016, 1, 12),
        ballot_opens_at=now - dt.timedelta(hours=1),
        ballot_closes_at=now + dt.timedelta(days=1),
    )
    candidates = {
        name: candidate_add(contest=contest, name=name, incumbent=i == 0)
        for i, name in enumerate(NAMES)
    }
    for i, name in enumerate(NAMES[1:]):
        for n in range(2):
            nomination_record(candidate=candidates[name], nominator=f"MP {i}-{n}")
    nominations_close(contest=contest)
    roll_import(contest=contest, section="members", data=ROLL)
    electorate_freeze(contest=contest)
    (code,) = credentials_issue(contest=contest, send=False).values()
    trustees = SimulatedTrustees(contest)
    trustees.make_key()
    ballot_open(contest=contest)
    return contest, candidates, code, trustees


def _tab_to(page: Page, target: Locator) -> None:
    """Press Tab (as the voter would) until ``target`` has the focus."""
    for _ in range(60):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")


def _press(page: Page, target: Locator, key: str = "Enter") -> None:
    _tab_to(page, target)
    page.keyboard.press(key)


def _names_in_order(page: Page) -> list[str]:
    return [
        re.sub(r"\s*\(.*", "", t).strip()
        for t in page.locator(".candidate label").all_inner_texts()
    ]


def test_a_keyboard_alone_ranks_reviews_and_casts(live_server: Any, page: Page) -> None:
    contest, candidates, code, trustees = _five_candidates()
    status = page.get_by_role("status")
    page.goto(f"{live_server}/vote/{contest.pk}/")
    _tab_to(page, page.get_by_label("Voting code"))
    page.keyboard.type(code)
    # A key pressed on the page (not on a located element) waits for no navigation: wait for
    # the ballot to load, its deferred scripts with it, before tabbing to their buttons.
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your ballot")
    expect(page.locator("main")).to_contain_text("Rank only the ones you want")

    # Cat first, with the button: the row moves to the top, focus stays on its button.
    _press(page, page.get_by_role("button", name="Add to my ranking: Cat Cole"))
    expect(page.get_by_role("button", name="Remove from my ranking: Cat Cole")).to_be_focused()
    expect(status).to_have_text("Cat Cole is now preference 1 of 1.")
    assert _names_in_order(page)[0] == "Cat Cole"
    # Ann second, with the button.
    _press(page, page.get_by_role("button", name="Add to my ranking: Ann Able"))
    expect(page.get_by_role("button", name="Remove from my ranking: Ann Able")).to_be_focused()
    expect(status).to_have_text("Ann Able is now preference 2 of 2.")
    # Eve with her number box: the arrow key picks 1, she takes it and the others move down.
    eve = page.get_by_role("combobox", name="Eve Ewart")
    _press(page, eve, "ArrowDown")
    expect(eve).to_have_value("1")
    expect(eve).to_be_focused()
    expect(status).to_have_text("Eve Ewart is now preference 1 of 3.")
    assert _names_in_order(page)[:3] == ["Eve Ewart", "Cat Cole", "Ann Able"]
    # Nobody else was ranked by any of it.
    expect(page.get_by_role("combobox", name="Ben Baker")).to_have_value("")
    expect(page.get_by_role("combobox", name="Dev Dean")).to_have_value("")
    # Eve down one: focus stays on the button that moved her.
    _press(page, page.get_by_role("button", name="Move down: Eve Ewart"))
    expect(page.get_by_role("button", name="Move down: Eve Ewart")).to_be_focused()
    expect(status).to_have_text("Eve Ewart is now preference 2 of 3.")
    assert _names_in_order(page)[:3] == ["Cat Cole", "Eve Ewart", "Ann Able"]
    # Cat out of the ranking: the others close up, focus stays on Cat's button.
    _press(page, page.get_by_role("button", name="Remove from my ranking: Cat Cole"))
    expect(page.get_by_role("button", name="Add to my ranking: Cat Cole")).to_be_focused()
    expect(status).to_have_text("Cat Cole is not ranked. 2 of 5 ranked.")
    expect(page.get_by_role("combobox", name="Eve Ewart")).to_have_value("1")
    expect(page.get_by_role("combobox", name="Ann Able")).to_have_value("2")

    _press(page, page.get_by_role("button", name="Review my ballot"))
    expect(page.get_by_role("heading", name="Check your ballot")).to_be_focused()
    expect(status).to_have_text("Check your ballot: 2 preferences.")
    expect(page.locator("#sealed-order li")).to_have_text(["Eve Ewart", "Ann Able"])
    _press(page, page.get_by_role("button", name="Change my preferences"))
    expect(page.get_by_role("combobox", name="Eve Ewart")).to_be_focused()
    expect(status).to_have_text("Your ballot again: change your preferences, then review it.")
    expect(page.get_by_role("combobox", name="Ann Able")).to_have_value("2")

    _press(page, page.get_by_role("button", name="Review my ballot"))
    expect(page.get_by_role("heading", name="Check your ballot")).to_be_focused()
    with page.expect_navigation():  # the cast is a form's POST; Enter waits for none
        _press(page, page.get_by_role("button", name="Cast my vote"))
    expect(page.locator("#receipt")).to_be_visible()

    ballot_close(contest=Contest.objects.get(pk=contest.pk), reason="The test closes it.")
    trustees.mix_and_decrypt()
    expected = [candidates["Eve Ewart"].position, candidates["Ann Able"].position]
    assert list(DecryptedPaper.objects.values_list("ranking", flat=True)) == [expected]
