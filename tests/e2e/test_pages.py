"""Every public, voter and officer page of the demo, in Chromium at a phone's width (375×667)
and a laptop's (1,280×800): nothing wider than the window, and no serious or critical
axe-core violation. Each page is saved as a screenshot in ``OMOV_SCREENSHOTS`` (a temporary
directory unless set: CI keeps it as an artefact).

The pages are enumerated from the URL conf: a named URL that the sweep neither visits nor
lists in ``SKIPPED`` with its reason fails the test, so a new page cannot be missed.

One contest state reaches every page: a contest with nominations open, one compiling its
electorate with an exclusion and an appeal waiting, and the demo contest with its ballot
open, then closed, counted and published.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from omov.web.contests.models import Contest
from omov.web.contests.services import candidate_add, contest_open, rulebook_load
from omov.web.demo import Demo, demo_seed
from omov.web.electorate.models import Elector, Exclusion
from omov.web.electorate.services import appeal_lodge, elector_exclude, roll_import
from omov.web.nominations.services import nomination_record, nominations_close
from tests.web.members_helpers import make_member

from .conftest import ACTION_TIMEOUT_MS, axe_violations, csp_refusals, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = ((375, 667), (1280, 800))

# Named URLs the sweep does not open as a page, each with why. Everything else must be visited.
ACTION = "an officer's action: takes only a POST and returns to the dashboard, swept there"
SKIPPED: dict[str, str] = {
    "candidate-photo": "a JPEG image, shown on the statements page",
    "results-download": "a file download (CSV, JSON, SVG), not a page",
    "ledger-heads-json": "a JSON download",
    "ledger-head": "a JSON download",
    "ledger-proof": "a JSON download",
    "ballot-board-range": "plain text the board's script reads",
    "bundle-download": "a zip download",
    "roll-template": "a CSV download",
    "mailings-progress": "JSON the dashboard's script polls",
    "audit-trail": "a JSON Lines download",
    "trustee-messages": "a zip download",
    "ballot-box": "a JSON download",
    "logout": "takes only a POST and redirects home",
    "member-sign-out": "takes only a POST and redirects home",
    "favicon": "the site's icon",
    "hustings-ask": "a member's action: takes only a POST and returns to the hustings",
    "hustings-support": "a member's action: takes only a POST and returns to the hustings",
    "hustings-answer": "a candidate's action: takes only a POST and returns to the hustings",
    "members-units-template": "a CSV download",
    "members-roll-template": "a CSV download",
    "discussion-export": "a JSON download of the member's own posts",
    **dict.fromkeys(
        (
            "local-home",
            "local-results",
            "meeting",
            "meeting-open",
            "meeting-close",
            "attendance",
            "motion-table",
            "motion-votes",
            "motion-vote",
            "voting-open",
            "voting-close",
            "trigger-ballot",
            "trigger-ballot-open",
            "trigger-ballot-decide",
        ),
        "a local party's meetings, motions and trigger ballots (pages and actions), which"
        " need units, a meeting and its motions: at 375 px with axe in test_meeting_flow.py",
    ),
    **dict.fromkeys(
        (
            "petitions",
            "petition-start",
            "petition-confirm",
            "petitions-officer",
            "petition-officer",
        ),
        "needs members and a petition: at 375 and 1,280 px with axe in test_petition_flow.py",
    ),
    "petition": "needs members and a petition: at 375 px with axe in test_petition_flow.py",
    "petition-count": "JSON the petition page's live count reads",
    "petition-download": "a zip download (the signed count)",
    **dict.fromkeys(
        ("petition-sign", "petition-sign-email"),
        "a signer's action: takes only a POST and returns to the petition",
    ),
    **dict.fromkeys(
        ("petition-open", "petition-moderate", "petition-review", "petition-close"),
        "an officer's action on a petition: takes only a POST and returns to its page",
    ),
    "discussion-thread": "needs a thread: at 375 px with axe in test_discussion_moderation.py",
    "discussion-flag": "needs a post: at 375 px with axe in test_discussion_moderation.py",
    **dict.fromkeys(
        ("hustings-flag", "discussion-appeal", "discussion-erase", "discussion-declare"),
        "a member's action: takes only a POST and returns to the page it came from",
    ),
    **dict.fromkeys(
        (
            "hustings-hide",
            "moderation-hide",
            "moderation-release",
            "moderation-hold",
            "moderation-suspend",
            "moderation-confirm",
            "moderation-lift",
            "moderation-review",
            "moderation-appeal-decide",
        ),
        "a moderator's action: takes only a POST and returns to the queue",
    ),
    **dict.fromkeys(
        (
            "candidate-add",
            "nomination-add",
            "nominations-close",
            "supporting-nomination-add",
            "candidate-withdraw",
            "roll-import",
            "elector-exclude",
            "exclusion-decide",
            "exclusions-import",
            "exclusions-confirm",
            "appeal-lodge",
            "appeal-decide",
            "electorate-freeze",
            "credentials-issue",
            "credential-reissue",
            "ballot-open",
            "ballot-close",
            "postal-import",
            "result-count",
            "result-publish",
            "ledger-checkpoint",
            "trustee-message",
            "trustees-demo",
            "contest-archive",
            "date-set",
            "motion-record",
            "resignation-record",
            "reminder-send",
            "hustings-open",
            "hustings-choose",
            "hustings-candidate",
            "members-units-import",
            "members-roll-import",
            "members-rulebook",
        ),
        ACTION,
    ),
}
SKIPPED_NAMESPACES = {"admin": "Django's own admin, for the site's administrator"}


def named_urls() -> set[str]:
    """Every named URL of the URL conf outside the skipped namespaces."""

    def walk(patterns: list[Any]) -> Iterator[str]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace not in SKIPPED_NAMESPACES:
                    yield from walk(entry.url_patterns)
            elif isinstance(entry, URLPattern) and entry.name:
                yield entry.name

    return set(walk(get_resolver().url_patterns))


def shots_dir() -> Path:
    chosen = os.environ.get("OMOV_SCREENSHOTS")
    path = Path(chosen) if chosen else Path(tempfile.gettempdir()) / "omov-screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Sweep:
    """What the sweep saw: the URL names visited and every page that failed a check."""

    shots: Path
    visited: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    def check(self, page: Page, label: str) -> None:
        """The page as it is now, at each width: its width, axe-core, a screenshot."""
        page.wait_for_load_state()
        self.visited.add(resolve(urlsplit(page.url).path).url_name or "")
        for width, height in WIDTHS:
            page.set_viewport_size({"width": width, "height": height})
            wide = page.evaluate("document.documentElement.scrollWidth")
            if wide > width:
                self.problems.append(f"{label} at {width} px: {wide} px wide ({_widest(page)})")
            found = axe_violations(page)
            if found:
                self.problems.append(f"{label} at {width} px: axe {found}")
            # The page's top few screens: a whole dashboard costs seconds to encode.
            tall = min(page.evaluate("document.documentElement.scrollHeight"), 4 * height)
            shot = {"x": 0, "y": 0, "width": width, "height": tall}
            page.screenshot(
                path=str(self.shots / f"{label}-{width}.png"), clip=shot, full_page=True
            )

    def visit(self, page: Page, url: str, label: str) -> None:
        response = page.goto(url)
        assert response is not None, (label, url)
        assert response.status < 500, (label, url)
        self.check(page, label)


def _widest(page: Page) -> str:
    """The elements that stick out past the window's right edge, to say what to fix."""
    found: list[str] = page.evaluate(
        """() => { const w = document.documentElement.clientWidth, out = [];
        for (const e of document.querySelectorAll('body *')) {
          const r = e.getBoundingClientRect();
          if (r.right > w + 1 && !e.closest('[hidden], .scroll')) {
            out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
              (e.className && typeof e.className === 'string' ? '.' + e.className : '') +
              ' ' + Math.round(r.right));
          }
        } return out.slice(0, 6); }"""
    )
    return ", ".join(found)


def _open_contest(demo: Demo, title: str) -> Contest:
    organisation = Contest.objects.get(pk=demo.contest_id).organisation
    now = timezone.now()
    return contest_open(
        rulebook=rulebook_load(organisation=organisation, key="labour/2016"),
        title=title,
        nominating_body_size=20,
        freeze_date=dt.date(2016, 1, 12),
        ballot_opens_at=now + dt.timedelta(days=7),
        ballot_closes_at=now + dt.timedelta(days=21),
    )


def _nominating(demo: Demo) -> Contest:
    """Nominations open: the incumbent, and a challenger with one nomination of four."""
    contest = _open_contest(demo, "Deputy leadership election (nominations)")
    candidate_add(contest=contest, name="Angela Rayner-Longname", incumbent=True)
    challenger = candidate_add(contest=contest, name="Owen Smith")
    nomination_record(candidate=challenger, nominator="MP 1")
    return contest


def _vetting(demo: Demo) -> Contest:
    """Compiling the electorate: a roll with late joiners, an exclusion waiting for its
    second officer, and an excluded member's appeal waiting for the panel."""
    contest = _open_contest(demo, "Treasurer election (vetting)")
    candidate_add(contest=contest, name="Diana Holland", incumbent=True)
    challenger = candidate_add(contest=contest, name="Jack Dromey")
    for n in range(1, 5):
        nomination_record(candidate=challenger, nominator=f"MP {n}")
    nominations_close(contest=contest)
    lines = ["membership_number,email,date_of_birth,join_date,status,arrears"]
    lines += [
        f"M{n:04d},m{n}@example.org,1970-01-01,{'2015-06-01' if n < 9 else '2016-03-01'},"
        "active,false"
        for n in range(1, 12)
    ]
    roll_import(contest=contest, section="members", data=("\n".join(lines) + "\n").encode())
    electors = list(contest.electors.filter(eligibility="eligible").order_by("reference"))
    officer = get_user_model().objects.get(username=demo.officer)
    Exclusion.objects.create(
        elector=electors[0],
        ground="aims-and-values",
        note="Supported another party's candidate (evidence on file, a long note) " * 3,
        proposed_by=officer,
    )
    excluded = elector_exclude(elector=electors[1], grounds="Suspected duplicate record.")
    appeal_lodge(elector=Elector.objects.get(pk=excluded.pk), grounds="Not a duplicate.")
    return contest


def _publish(demo: Demo) -> None:
    """Closed early, decrypted by the demo's trustees, counted and published, as the officer
    does it."""
    officer = Client()
    officer.post(reverse("login"), {"username": demo.officer, "password": demo.password})
    pk = demo.contest_id
    steps: list[tuple[str, dict[str, str]]] = [
        ("ballot-close", {"confirm": "close", "reason": "The sweep closes it early."}),
        ("trustees-demo", {}),
        ("result-count", {"confirm": "yes"}),
        ("result-publish", {"confirm": "publish"}),
    ]
    for name, form in steps:
        assert officer.post(reverse(name, args=[pk]), form).status_code == 302, name
    assert Contest.objects.get(pk=pk).state == "published"


def _voter_pages(sweep: Sweep, browser: Browser, base: str, demo: Demo) -> None:
    """A voter: the code, the ballot (with a mistake, without JavaScript), the review and
    the receipt; then a cast with no code signed in, which is refused."""
    pk = demo.contest_id
    for scripted in (False, True):
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(ACTION_TIMEOUT_MS)
        if not scripted:  # the site's scripts refused, as with JavaScript off (axe still runs)
            page.route("**/*.js", lambda route: route.abort())
        refused = csp_refusals(page)
        suffix = "" if scripted else "-nojs"
        sweep.visit(page, f"{base}/vote/{pk}/", f"vote-start{suffix}")
        page.get_by_label("Voting code").fill(demo.voting_code if scripted else "WRONG-CODE")
        submit(page, "Continue")
        if not scripted:  # the code refused: the page says so, and no ballot is shown
            sweep.check(page, "vote-start-refused")
            page.goto(f"{base}/vote/{pk}/")
            page.get_by_label("Voting code").fill(demo.voting_code)
            submit(page, "Continue")
        sweep.check(page, f"ballot{suffix}")
        if not scripted:
            page.get_by_role("combobox").first.select_option("1")
            page.get_by_role("combobox").last.select_option("1")
            submit(page, "Review my ballot")
            sweep.check(page, "ballot-mistake-nojs")
            page.get_by_role("combobox").last.select_option("2")
            submit(page, "Review my ballot")
            sweep.check(page, "review-nojs")
            context.close()
            continue
        # The deferred scripts have run once ballot.js's row tools are there (seal.js runs
        # before it); then the review is in the page, with no request to the server.
        expect(page.locator("#ballot .moves").first).to_be_attached()
        page.get_by_role("combobox").first.select_option("1")
        page.get_by_role("button", name="Review my ballot").click()
        expect(page.locator("#sealed-review")).to_be_visible()
        sweep.check(page, "review")
        submit(page, "Cast my vote")
        page.wait_for_url("**/receipt/")
        sweep.check(page, "receipt")
        page.goto(f"{base}/contest/{pk}/receipts/")
        with page.expect_navigation():
            page.evaluate(
                """() => { const f = document.createElement('form'); f.method = 'post';
            f.action = location.pathname.replace(/contest\\/(\\d+)\\/receipts\\//, 'vote/$1/cast/');
            const t = document.createElement('input'); t.name = 'csrfmiddlewaretoken';
            t.value = (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || '';
            f.append(t); document.body.append(f); f.submit(); }"""
            )
        sweep.check(page, "cast-refused")
        context.close()
        assert refused == []


def _public_pages(sweep: Sweep, page: Page, base: str, pk: int, when: str) -> None:
    sweep.visit(page, f"{base}/", f"home-{when}")
    names = ["statements", "receipt-check", "elector-status", "results", "ledger-heads"]
    names.append("ballot-board")
    if when == "published":
        names.append("results-declaration")
    for name in names:
        sweep.visit(page, base + reverse(name, args=[pk]), f"{name}-{when}")


def _officer_pages(sweep: Sweep, page: Page, base: str, contests: dict[str, int]) -> None:
    sweep.visit(page, f"{base}/officer/", "officer-home")
    for when, pk in contests.items():
        sweep.visit(page, base + reverse("contest-dashboard", args=[pk]), f"dashboard-{when}")
    open_ballot = contests["open"]
    sweep.visit(page, base + reverse("hustings-officer", args=[open_ballot]), "hustings-officer")
    organisation = Contest.objects.get(pk=open_ballot).organisation_id
    sweep.visit(page, base + reverse("members-officer", args=[organisation]), "members-officer")
    for name in ("moderation-queue", "moderation-appeals"):
        sweep.visit(page, base + reverse(name, args=[organisation]), name)


def _member_pages(sweep: Sweep, browser: Browser, base: str, demo: Demo) -> None:
    """A member of the organisation signs in by the emailed link, and reads their page; a
    voter follows a link from the voting-code email (spent or not, the page asks first)."""
    member = make_member(Contest.objects.get(pk=demo.contest_id).organisation)
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    sweep.visit(
        page, base + reverse("vote-link", args=[demo.contest_id, "not-a-token"]), "vote-link"
    )
    sweep.visit(page, base + reverse("member-sign-in-link", args=["stale"]), "member-link-stale")
    sweep.visit(page, base + reverse("member-sign-in"), "member-sign-in")
    page.get_by_label("Your email address").fill(member.email)
    submit(page, "Email me a sign-in link")
    found = re.search(r"https?://\S+/members/sign-in/\S+/", mail.outbox[-1].body)
    assert found is not None, mail.outbox[-1].body
    page.goto(found.group(0))
    submit(page, "Sign in")
    page.wait_for_url("**/members/")
    sweep.check(page, "member-home")
    sweep.visit(page, base + reverse("hustings", args=[demo.contest_id]), "hustings")
    for name in ("discussion-search", "discussion-mine"):
        sweep.visit(page, base + reverse(name), name)
    organisation = Contest.objects.get(pk=demo.contest_id).organisation_id
    sweep.visit(page, base + reverse("discussion-figures", args=[organisation]), "figures")
    threads = reverse("discussion-target", args=["contest", demo.contest_id])
    sweep.visit(page, base + threads, "discussion-target")
    context.close()


@pytest.fixture
def demo(settings: Any, tmp_path: Path) -> Demo:
    settings.OMOV_DEMO_TRUSTEES = tmp_path / "trustees"
    return demo_seed(cast_fraction=0.3, scale=0.001)


def test_every_page_fits_a_phone_and_passes_axe(
    live_server: Any, browser: Browser, demo: Demo
) -> None:
    base = str(live_server)
    sweep = Sweep(shots_dir())
    nominating, vetting = _nominating(demo), _vetting(demo)
    public = browser.new_context()
    page = public.new_page()
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    refused = csp_refusals(page)
    sweep.visit(page, f"{base}/officer/", "sign-in")  # redirected to the sign-in page
    _public_pages(sweep, page, base, demo.contest_id, "open")
    _voter_pages(sweep, browser, base, demo)
    _member_pages(sweep, browser, base, demo)

    officer = browser.new_context()
    desk = officer.new_page()
    desk.set_default_timeout(ACTION_TIMEOUT_MS)
    officer_refused = csp_refusals(desk)
    desk.goto(f"{base}/accounts/login/")
    desk.get_by_label("Username").fill(demo.officer)
    desk.get_by_label("Password").fill(demo.password)
    submit(desk, "Sign in")
    contests = {"nominations": nominating.pk, "vetting": vetting.pk, "open": demo.contest_id}
    _officer_pages(sweep, desk, base, contests)

    _publish(demo)
    _public_pages(sweep, page, base, demo.contest_id, "published")
    sweep.visit(page, f"{base}/vote/{demo.contest_id}/", "vote-start-closed")
    sweep.visit(
        desk, base + reverse("contest-dashboard", args=[demo.contest_id]), "dashboard-published"
    )
    sweep.visit(desk, f"{base}/accounts/second-factor/", "second-factor")
    submit(desk, "Enrol an authenticator app")
    sweep.check(desk, "second-factor-enrol")
    public.close()
    officer.close()

    assert refused == []
    assert officer_refused == []
    unvisited = named_urls() - sweep.visited - set(SKIPPED)
    wrong = [f"not visited, nor in SKIPPED with why: {name}" for name in sorted(unvisited)]
    wrong += [f"visited, so not skipped: {name}" for name in sorted(sweep.visited & set(SKIPPED))]
    assert wrong + sweep.problems == [], "\n".join(wrong + sweep.problems)
