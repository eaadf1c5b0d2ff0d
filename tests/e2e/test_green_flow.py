"""Acceptance in Chromium on a rulebook that is not Labour's: the Green Party's 2021 rules
(one section of members, 20 members' nominations per candidate, the alternative vote with
re-open nominations on the paper). The officer opens the contest, nominates two candidates,
imports the members' roll made from the rulebook's own CSV template (downloaded from the
contest page), freezes, issues codes and opens the ballot; a member votes; the officer
closes, counts and publishes, and the results page names the winner."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import Page, expect

from omov.web.access.models import Role
from omov.web.access.services import membership_grant
from omov.web.balloting.models import Ballot
from omov.web.contests.models import Candidate, Contest
from omov.web.contests.services import organisation_create
from omov.web.nominations.services import nominations_record
from omov.web.trustees.simulation import SimulatedTrustees

from .conftest import screenshot, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long officer password"
CANDIDATES = ("Ada Green", "Bea Green")


def _roll_from(template: str, count: int) -> str:
    """``count`` members made from the template's example row, each their own number and
    email."""
    rows = list(csv.reader(io.StringIO(template)))
    header, example = rows[0], rows[1]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for n in range(count):
        row = dict(zip(header, example, strict=True))
        row[header[0]] = f"G{n:04d}"
        row["email"] = f"member-{n}@example.org"
        writer.writerow(row.values())
    return out.getvalue()


def _open_contest(page: Page, base: str) -> int:
    page.goto(f"{base}/officer/")
    page.get_by_label("Username").fill("ro")
    page.get_by_label("Password").fill(PASSWORD)
    submit(page, "Sign in")
    page.get_by_label("Rulebook").select_option("green/2021")
    page.get_by_label("Title").fill("Leadership election 2021")
    page.get_by_label("Members of the nominating body").fill("1000")
    page.get_by_label("Freeze date").fill("2021-08-27")
    page.get_by_label("Ballot opens at").fill("2021-09-02 09:00")
    page.get_by_label("Ballot closes at").fill("2099-09-23 12:00")
    submit(page, "Load the rulebook and open the contest")
    expect(page.locator("#state")).to_have_text("Nominations open")
    expect(page.locator("#nominations")).to_contain_text("Threshold: 20 nominations")
    return int(re.search(r"/contest/(\d+)/", page.url).group(1))  # type: ignore[union-attr]


def _nominate(page: Page, contest_id: int) -> None:
    """Each candidate's first 19 nominations arrive as a list (recorded by the service the
    page's form calls, to keep the test short); the 20th is typed in the page, which then
    shows the candidate on the ballot."""
    for name in CANDIDATES:
        page.get_by_label("Name", exact=True).fill(name)
        submit(page, "Add candidate")
    for name in CANDIDATES:
        candidate = Candidate.objects.get(contest_id=contest_id, name=name)
        nominations_record(
            candidate=candidate, nominators=[f"{name} member {n}" for n in range(19)]
        )
        page.reload()
        row = page.locator("#nominations tr").filter(has_text=name)
        expect(row).to_contain_text("19 / 20")
        expect(row).to_contain_text("Not on the ballot")
        page.get_by_label("Candidate", exact=True).select_option(label=name)
        page.get_by_label("Nominated by").fill(f"{name} member 19")
        submit(page, "Record nomination")
        expect(row).to_contain_text("20 / 20")
    page.locator("#nominations-close-confirm").check()
    submit(page, "Close nominations")
    expect(page.locator("#state")).to_have_text("Electorate being compiled")
    expect(page.locator("#decisions")).to_contain_text(
        "On the ballot: Ada Green, Bea Green, Re-open nominations (RON)"
    )


def _import_roll(page: Page, folder: Path) -> None:
    with page.expect_download() as download:
        page.get_by_role("link", name="download the members template (CSV)").click()
    template = Path(download.value.path()).read_text()
    assert template.startswith("membership_number,email,")
    roll = folder / "green-members.csv"
    roll.write_text(_roll_from(template, 12))
    page.get_by_label("Section", exact=True).select_option("members")
    page.get_by_label("Roll CSV").set_input_files(str(roll))
    submit(page, "Import roll")
    expect(page.get_by_role("status")).to_contain_text("Roll imported.")
    expect(page.locator("#electorate")).to_contain_text("Passed every check.")


def _open_ballot(page: Page, contest_id: int) -> SimulatedTrustees:
    page.locator("#electorate-freeze-confirm").check()
    submit(page, "Freeze the electorate")
    expect(page.locator("#state")).to_have_text("Electorate frozen")
    submit(page, "Issue voting codes")
    expect(page.get_by_role("status")).to_contain_text("Sending voting codes")
    trustees = SimulatedTrustees(Contest.objects.get(pk=contest_id))
    trustees.make_key()  # the trustees' messages go through the checks an upload runs
    page.reload()
    page.locator("#ballot-open-confirm").check()
    submit(page, "Open the ballot")
    expect(page.locator("#state")).to_have_text("Ballot open")
    return trustees


def _vote(page: Page, base: str, contest_id: int) -> str:
    message = next(m for m in mail.outbox if m.to == ["member-3@example.org"])
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", message.body)
    assert code is not None
    page.goto(f"{base}/vote/{contest_id}/")
    page.get_by_label("Voting code").fill(code.group(0))
    submit(page, "Continue")
    # The page's deferred scripts have run once ballot.js's row tools are there (seal.js runs
    # before it): a click before them would take the no-JavaScript way, a server review.
    expect(page.locator("#ballot .moves").first).to_be_attached()
    page.get_by_role("combobox", name="Bea Green").select_option("1")
    page.get_by_role("combobox", name="Ada Green").select_option("2")
    page.get_by_role("button", name="Review my ballot").click()  # in the page: nothing sent
    expect(page.locator("#sealed-order li")).to_have_text(["Bea Green", "Ada Green"])
    submit(page, "Cast my vote")
    return page.locator("#receipt").inner_text()


def test_a_green_party_contest_in_the_browser(
    live_server: object, page: Page, tmp_path: Path
) -> None:
    base = str(live_server)
    officer = get_user_model().objects.create_user("ro", "ro@example.org", PASSWORD)
    party = organisation_create(name="Green Party of England and Wales")
    membership_grant(user=officer, organisation=party, roles=[Role.RETURNING_OFFICER])

    contest_id = _open_contest(page, base)
    _nominate(page, contest_id)
    _import_roll(page, tmp_path)
    trustees = _open_ballot(page, contest_id)
    screenshot(page, "green-01-open")

    voter = page.context.browser.new_context().new_page()  # type: ignore[union-attr]
    receipt = _vote(voter, base, contest_id)
    assert Ballot.objects.get().receipt == receipt

    page.reload()
    expect(page.locator("#ballot-count")).to_have_text("1")
    page.get_by_label("Why close it early?").fill("The test closes it early.")
    page.locator("#ballot-close-confirm").fill("close")
    submit(page, "Close the ballot")
    expect(page.locator("#state")).to_have_text("Ballot closed")
    trustees.mix_and_decrypt()
    page.reload()
    page.locator("#result-count-confirm").check()
    submit(page, "Count")
    page.locator("#result-publish-confirm").fill("publish")
    submit(page, "Publish the results")
    expect(page.locator("#state")).to_have_text("Results published")
    voter.goto(f"{base}/contest/{contest_id}/results/")
    expect(voter.locator("#winner")).to_have_text("Elected: Bea Green")
    expect(voter.locator("main")).to_contain_text("alternative vote")
    screenshot(voter, "green-02-results")
