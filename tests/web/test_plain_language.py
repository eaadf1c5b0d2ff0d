"""No internal code reaches a person: every public, voter and officer page of the demo, with
the ballot open and once the results are published, is read as a person reads it (text and
the labels a screen reader speaks; not scripts, nor the raw data a page shows as code) and
searched for snake_case reason codes and a method's bare key ("Counted by irv.")."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from omov.web.contests.models import Contest
from omov.web.demo import Demo, demo_seed
from omov.web.wording import METHODS, REASONS, member_reason, method_name, officer_reason

pytestmark = pytest.mark.django_db

SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
BARE_METHOD = re.compile(r"(?:Counted by|Method:)\s+(?:irv|fptp|stv|meek|ers97|wigm)\b", re.I)
SPOKEN = ("aria-label", "title", "alt", "placeholder")


class _Read(HTMLParser):
    """The text of a page as a person meets it."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "code"):
            self._hidden += 1
        self.words += [value for name, value in attrs if name in SPOKEN and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.words.append(data)


def _read(html: str) -> str:
    reader = _Read()
    reader.feed(html)
    return " ".join(reader.words)


def _codes(client: Client, url: str, **post: str) -> list[str]:
    response = client.post(url, post) if post else client.get(url)
    assert response.status_code in (200, 400, 404), (url, response.status_code)  # 404: results
    text = _read(response.content.decode())
    return [f"{url}: {m}" for m in SNAKE.findall(text) + BARE_METHOD.findall(text)]


def _pages(demo: Demo, officer: Client) -> list[str]:
    pk = demo.contest_id
    public = Client()
    found: list[str] = []
    for name in (
        "statements",
        "receipt-check",
        "results",
        "results-declaration",
        "ledger-heads",
        "ballot-board",
    ):
        found += _codes(public, reverse(name, args=[pk]))
    found += _codes(public, reverse("home"))
    found += _codes(officer, reverse("officer-home"))
    found += _codes(officer, reverse("contest-dashboard", args=[pk]))
    found += _codes(officer, reverse("hustings-officer", args=[pk]))
    return found


def test_no_page_of_the_demo_shows_an_internal_code() -> None:
    demo = demo_seed(cast_fraction=0.3, scale=0.001)
    pk = demo.contest_id
    officer = Client()
    officer.post(reverse("login"), {"username": demo.officer, "password": demo.password})
    voter = Client()
    found = _codes(voter, reverse("vote-start", args=[pk]))
    signed_in = voter.post(reverse("vote-start", args=[pk]), {"code": demo.voting_code})
    assert signed_in.status_code == 302
    found += _codes(voter, reverse("vote-ballot", args=[pk]))
    found += _codes(voter, reverse("vote-ballot", args=[pk]), rank_1="1", rank_2="1")  # mistake
    found += _codes(voter, reverse("vote-ballot", args=[pk]), rank_1="2", rank_2="1")  # review
    found += _pages(demo, officer)
    member = Client()  # the member's own status page, before and after the code
    found += _codes(member, reverse("elector-status", args=[pk]))
    found += _codes(member, reverse("elector-status", args=[pk]), code="WRONG-CODE-0000")
    member.post(reverse("elector-status", args=[pk]), {"code": demo.voting_code})
    found += _codes(member, reverse("elector-status", args=[pk]))
    # Closed, decrypted by the demo's trustees, counted and published, as the officer does.
    closing = {"confirm": "close", "reason": "The test closes it early."}
    assert officer.post(reverse("ballot-close", args=[pk]), closing).status_code == 302
    assert officer.post(reverse("trustees-demo", args=[pk])).status_code == 302
    assert officer.post(reverse("result-count", args=[pk]), {"confirm": "yes"}).status_code == 302
    published = {"confirm": "publish"}
    assert officer.post(reverse("result-publish", args=[pk]), published).status_code == 302
    assert Contest.objects.get(pk=pk).state == "published"
    found += _pages(demo, officer)
    found += _codes(Client(), reverse("vote-start", args=[pk]))
    assert found == [], "\n".join(found)


def test_every_reason_and_method_has_its_sentences() -> None:
    from omov.count.catalogue import CATALOGUE
    from omov.electorate.eligibility import Reason

    assert {r.value for r in Reason} <= set(REASONS)
    assert set(CATALOGUE) <= set(METHODS)
    for code in REASONS:
        assert not SNAKE.search(officer_reason(code) + member_reason(code)), code
    assert method_name("irv") != "irv"
    assert officer_reason("no_such_code") == "No such code."  # never the bare code
