"""Acceptance: the whole officer flow and one voter's ballot in Chromium, with screenshots,
and axe-core on the ballot and results pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import Page, expect

from omov.web.access.models import Role
from omov.web.access.services import membership_grant
from omov.web.balloting.models import Ballot
from omov.web.contests.models import Contest
from omov.web.contests.services import organisation_create
from omov.web.trustees.models import DecryptedPaper
from omov.web.trustees.simulation import SimulatedTrustees

from .conftest import axe_violations, csp_refusals, follow, screenshot, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLL = """membership_number,email,date_of_birth,join_date,status,arrears
M001,ann@example.org,1961-03-01,2015-03-01,active,false
M002,bea@example.org,1990-09-12,2015-09-12,active,false
M003,cal@example.org,1985-04-01,2016-04-01,active,false
M004,dan@example.org,1979-04-01,2012-04-01,active,false
"""


def _code(body: str) -> str:
    found = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", body)
    assert found is not None, body
    return found.group(0)


def _confirm(page: Page, step: str, typed: str = "") -> None:
    """Tick (or type the word of) an irreversible step's confirmation."""
    box = page.locator(f"#{step}-confirm")
    if typed:
        box.fill(typed)
    else:
        box.check()
    page.wait_for_load_state()


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/officer/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("a long officer password")
    submit(page, "Sign in")


def _another_officer(page: Page, base: str, username: str) -> Page:
    """Another officer of the organisation, in a browser of their own, on the same page."""
    other = page.context.browser.new_context().new_page()  # type: ignore[union-attr]
    _sign_in(other, base, username)
    other.goto(page.url)
    return other


def _officer_flow_to_open_ballot(page: Page, base: str, roll: Path) -> SimulatedTrustees:
    _sign_in(page, base, "ro")
    page.get_by_label("Members of the nominating body").fill("20")
    page.get_by_label("Freeze date").fill("2016-01-12")
    page.get_by_label("Ballot opens at").fill("2016-08-22 09:00")
    page.get_by_label("Ballot closes at").fill("2099-09-21 12:00")
    submit(page, "Load the rulebook and open the contest")
    expect(page.locator("#state")).to_have_text("Nominations open")
    expect(page.locator("main")).to_contain_text(
        "20% of 20 (PLP 0 + EPLP 20) = 4; Ch4 Cl II.2.B.ii"
    )
    for name, incumbent in (("Jeremy Corbyn", True), ("Owen Smith", False)):
        page.get_by_label("Name", exact=True).fill(name)
        page.get_by_label("Incumbent").set_checked(incumbent)
        submit(page, "Add candidate")
    page.get_by_label("Candidate", exact=True).select_option(label="Owen Smith")
    page.get_by_label("Nominated by").fill("MP 1")
    submit(page, "Record nomination")
    expect(page.locator("#nominations")).to_contain_text("1 / 4")
    _confirm(page, "nominations-close")
    submit(page, "Close nominations")
    expect(page.get_by_role("status")).to_contain_text("Owen Smith lacks the support to challenge")
    for n in range(2, 5):
        page.get_by_label("Candidate", exact=True).select_option(label="Owen Smith")
        page.get_by_label("Nominated by").fill(f"MP {n}")
        submit(page, "Record nomination")
    expect(page.locator("#nominations")).to_contain_text("4 / 4")
    screenshot(page, "01-nominations")
    _confirm(page, "nominations-close")
    submit(page, "Close nominations")
    expect(page.locator("#state")).to_have_text("Electorate being compiled")
    page.get_by_label("Section", exact=True).select_option("members")
    page.get_by_label("Roll CSV").set_input_files(str(roll))
    submit(page, "Import roll")
    expect(page.locator("#electorate")).to_contain_text("Joined after the freeze date.")
    ann = page.get_by_role("row").filter(has_text="M001")
    ann.get_by_label("Evidence").fill("Supported another party (evidence on file)")
    submit(page, ann.get_by_role("button", name="Propose exclusion"))
    expect(page.get_by_role("status")).to_contain_text("a second officer must confirm it")
    expect(page.locator("#exclusions-waiting")).to_contain_text("M001")
    # Refused: the officer who proposed cannot confirm.
    submit(page, page.get_by_role("button", name="Confirm", exact=True))
    expect(page.get_by_role("status")).to_contain_text("cannot confirm it")
    expect(page.get_by_role("status")).not_to_contain_text("Excluded:")
    vetting = _another_officer(page, base, "vo")  # the second officer confirms it
    submit(vetting, vetting.get_by_role("button", name="Confirm", exact=True))
    expect(vetting.get_by_role("status")).to_contain_text("Excluded: 1 record of this person")
    vetting.context.close()
    page.reload()
    page.get_by_label("Appeal grounds").first.fill("Never supported another party")
    submit(page, page.get_by_role("button", name="Lodge appeal").first)
    expect(page.get_by_role("status")).to_contain_text("Appeal lodged for M001")
    _confirm(page, "electorate-freeze")
    submit(page, "Freeze the electorate")
    expect(page.get_by_role("status")).to_contain_text("decide the waiting appeals")
    page.get_by_label("Reason").fill("Evidence was about someone else")
    submit(page, "Uphold")  # refused: an officer who acted on the exclusion cannot hear it
    expect(page.get_by_role("status")).to_contain_text("cannot hear its appeal")
    panel = _another_officer(page, base, "ap")
    submit(panel, "Uphold")  # refused: a decision needs written reasons
    expect(panel.get_by_role("status")).to_contain_text("needs written reasons")
    panel.get_by_label("Reason").fill("Evidence was about someone else")
    submit(panel, "Uphold")
    expect(panel.get_by_role("status")).to_contain_text("Appeal upheld: vote restored.")
    panel.context.close()
    page.reload()
    expect(page.locator("#vetting-figures")).to_contain_text("None.")
    screenshot(page, "02-electorate")
    _confirm(page, "electorate-freeze")
    submit(page, "Freeze the electorate")
    submit(page, "Issue voting codes")
    expect(page.get_by_role("status")).to_contain_text("Sending voting codes")
    _confirm(page, "ballot-open")
    submit(page, "Open the ballot")  # refused: the trustees have not made the key yet
    expect(page.get_by_role("status")).to_contain_text("have not made the election key")
    # The trustees make the key (their messages go through the checks an upload runs).
    contest_id = int(re.search(r"/contest/(\d+)/", page.url).group(1))  # type: ignore[union-attr]
    trustees = SimulatedTrustees(Contest.objects.get(pk=contest_id))
    trustees.make_key()
    page.reload()
    expect(page.locator("#trustees")).to_contain_text("the election key is made")
    _confirm(page, "ballot-open")
    submit(page, "Open the ballot")
    expect(page.locator("#state")).to_have_text("Ballot open")
    return trustees


def _voter_casts(page: Page, base: str, contest_id: int, code: str) -> str:
    page.goto(f"{base}/vote/{contest_id}/")
    page.get_by_label("Voting code").fill(code)
    submit(page, "Continue")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your ballot")
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 375, "height": 667})  # a phone: nothing off-screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1280, "height": 800})
    screenshot(page, "03-ballot")
    # Keyboard only: focus the select for Owen Smith and choose "1" with the arrow keys.
    page.get_by_role("combobox", name="Owen Smith").focus()
    page.keyboard.press("ArrowDown")
    page.get_by_role("combobox", name="Jeremy Corbyn").select_option("2")
    page.keyboard.press("Tab")
    # The script (an enhancement) keeps rows in preference order; its buttons move them.
    expect(page.locator(".candidate label")).to_contain_text(["Owen Smith", "Jeremy Corbyn"])
    page.get_by_role("button", name="Move down: Owen Smith").click()
    expect(page.locator(".candidate label")).to_contain_text(["Jeremy Corbyn", "Owen Smith"])
    expect(page.get_by_role("status")).to_have_text("Owen Smith is now preference 2 of 2.")
    page.get_by_role("button", name="Move up: Owen Smith").press("Enter")
    expect(page.get_by_role("combobox", name="Owen Smith")).to_have_value("1")
    page.get_by_role("button", name="Review my ballot").click()  # in the page: nothing sent yet
    expect(page.locator("#sealed-order li")).to_have_text(["Owen Smith", "Jeremy Corbyn"])
    expect(page.get_by_role("heading", name="Check your ballot")).to_be_focused()
    assert axe_violations(page) == []
    screenshot(page, "04-review")
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.post_data or "") if r.method == "POST" else None)
    submit(page, "Cast my vote")
    assert len(sent) == 1
    assert "ciphertext=" in sent[0]
    assert "rank_" not in sent[0]  # the ranking itself never left the browser
    receipt = page.locator("#receipt").inner_text()
    screenshot(page, "05-receipt")
    return receipt


def test_officer_flow_and_one_voters_ballot(
    live_server: object, page: Page, tmp_path: Path
) -> None:
    base = str(live_server)
    officer = get_user_model().objects.create_user(
        "ro", "ro@example.org", "a long officer password"
    )
    labour = organisation_create(name="The Labour Party")
    roles = [Role.RETURNING_OFFICER, Role.VETTING_OFFICER, Role.APPEALS_PANEL]
    membership_grant(user=officer, organisation=labour, roles=roles)
    vetting = get_user_model().objects.create_user(
        "vo", "vo@example.org", "a long officer password"
    )
    membership_grant(user=vetting, organisation=labour, roles=[Role.VETTING_OFFICER])
    panel = get_user_model().objects.create_user("ap", "ap@example.org", "a long officer password")
    membership_grant(user=panel, organisation=labour, roles=[Role.APPEALS_PANEL])
    roll = tmp_path / "roll.csv"
    roll.write_text(ROLL)
    trustees = _officer_flow_to_open_ballot(page, base, roll)
    contest_id = int(re.search(r"/contest/(\d+)/", page.url).group(1))  # type: ignore[union-attr]

    code = _code(next(m.body for m in mail.outbox if m.to == ["bea@example.org"]))
    voter = page.context.browser.new_context().new_page()  # type: ignore[union-attr]
    refused = csp_refusals(voter)
    receipt = _voter_casts(voter, base, contest_id, code)
    assert Ballot.objects.get().receipt == receipt
    assert len(bytes(Ballot.objects.get().ciphertext)) == 128  # only the ciphertext is stored

    page.reload()
    expect(page.locator("#ballot-count")).to_have_text("1")
    # Dan's code is reissued (the old one stops working); two postal papers come back.
    dan = page.get_by_role("row").filter(has_text="M004")
    dan.get_by_role("checkbox").check()
    submit(page, dan.get_by_role("button", name="Reissue code"))
    expect(page.get_by_role("status")).to_contain_text(
        "New voting code for M004 emailed to d***@e***.org"
    )
    old, new = (_code(m.body) for m in mail.outbox if m.to == ["dan@example.org"])
    returns = tmp_path / "postal.csv"
    returns.write_text(
        "credential,preferences\n"
        f"{old},Jeremy Corbyn\n"
        f"{new},Owen Smith>Jeremy Corbyn\n"
        f"{_code(next(m.body for m in mail.outbox if m.to == ['ann@example.org']))},Jeremy Corbyn\n"
        f"{code},Jeremy Corbyn\n"
    )
    page.get_by_label("Postal returns CSV").set_input_files(str(returns))
    submit(page, "Import postal returns")
    expect(page.get_by_role("status")).to_contain_text("2 counted, 2 refused")
    expect(page.get_by_role("status")).to_contain_text("line 2: this code is not valid")
    expect(page.get_by_role("status")).to_contain_text("line 5: this code has already been used")
    expect(page.locator("#ballot-count")).to_have_text("3")
    page.get_by_label("Why close it early?").fill("The test closes it early.")
    _confirm(page, "ballot-close", "close")
    submit(page, "Close the ballot")
    _confirm(page, "result-count")
    submit(page, "Count")  # refused: the ballots are still encrypted
    expect(page.get_by_role("status")).to_contain_text("still encrypted")
    trustees.mix_and_decrypt()  # two trustees mix, two decrypt
    assert sorted(DecryptedPaper.objects.values_list("ranking", flat=True)) == [
        [1],
        [2, 1],
        [2, 1],
    ]
    page.reload()
    _confirm(page, "result-count")
    submit(page, "Count")
    _confirm(page, "result-publish", "publish")
    submit(page, "Publish the results")
    expect(page.locator("#state")).to_have_text("Results published")
    voter.goto(f"{base}/contest/{contest_id}/results/")
    expect(voter.locator("#winner")).to_have_text("Elected: Owen Smith")
    expect(voter.locator("#round-1")).to_contain_text("66.7")
    screenshot(voter, "06-results")
    assert axe_violations(voter) == []
    assert refused == []  # the ballot's and the board's scripts ran under the policy
    # The voter finds their tracker on the board; the check runs in the browser.
    # Loaded, so board.js has taken the form over: a Check before it asks the server instead.
    follow(voter.get_by_role("link", name="The board of trackers"))
    voter.get_by_label("Your tracker").fill(receipt.lower().replace("-", " "))
    voter.get_by_role("button", name="Check").click()
    expect(voter.locator("#tracker-result")).to_contain_text("checked in your browser")
    expect(voter.locator("#tracker-result")).to_contain_text("is on the board")
    assert "tracker=" not in voter.url  # the tracker never went to the server
    assert axe_violations(voter) == []
