"""Welsh (cy), a partial translation of the voter's pages: offered to a browser that asks for
it, shown on the voting pages with the engine's refusals, and compiled from its messages as
committed (the .mo ships, so a server needs no gettext tools)."""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.test import Client
from django.utils import translation

import omov.web

from .conftest import OpenBallot

MESSAGES = Path(omov.web.__file__).parent / "locale" / "cy" / "LC_MESSAGES"


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    """The test client runs the app in this thread, and LocaleMiddleware leaves the last
    request's language active: later tests that call services directly get English."""
    yield
    translation.deactivate()


def test_welsh_is_offered_because_its_messages_are_compiled() -> None:
    assert ("cy", "cy") in settings.LANGUAGES


def test_the_compiled_messages_are_the_committed_translations() -> None:
    """django.mo is what ``pybabel compile`` (locale/README.md) makes of django.po, and
    holds its translations: a .po edited without compiling again fails here."""
    with (MESSAGES / "django.po").open("rb") as source:
        catalog = read_po(source, locale="cy")
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    assert (MESSAGES / "django.mo").read_bytes() == compiled.getvalue()
    with (MESSAGES / "django.mo").open("rb") as shipped:
        welsh = gettext.GNUTranslations(shipped)
    translated = [m for m in catalog if m.id and isinstance(m.id, str) and m.string]
    assert len(translated) >= 60
    assert all(welsh.gettext(m.id) == m.string for m in translated)


@pytest.mark.django_db
def test_the_voting_pages_speak_welsh_to_a_browser_that_asks(open_ballot: OpenBallot) -> None:
    contest = open_ballot.contest
    start = f"/vote/{contest.pk}/"
    english = Client().get(start).content.decode()
    assert '<html lang="en-gb">' in english
    assert "Voting code" in english
    welsh = Client(headers={"accept-language": "cy"})
    page = welsh.get(start).content.decode()
    assert '<html lang="cy">' in page
    assert "Cod pleidleisio" in page
    assert "Voting code" not in page
    refused = welsh.post(start, {"code": "AAAA-AAAA-AAAA"}).content.decode()
    assert "nid yw&#x27;r cod hwn yn ddilys ar gyfer y bleidlais hon" in refused
    code = next(iter(open_ballot.codes.values()))
    assert welsh.post(start, {"code": code}).status_code == 302
    ballot = welsh.get(f"/vote/{contest.pk}/ballot/").content.decode()
    assert "Heb ei rifo" in ballot
    assert "Adolygu fy mhapur pleidleisio" in ballot


@pytest.mark.django_db
def test_a_chosen_language_is_kept_by_its_cookie(open_ballot: OpenBallot) -> None:
    """A voter who chose Welsh (the language cookie) gets it whatever the browser says."""
    client = Client(headers={"accept-language": "en-GB"})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    page = client.get(f"/vote/{open_ballot.contest.pk}/").content.decode()
    assert "Rhowch y cod pleidleisio" in page


@pytest.mark.django_db
def test_the_language_is_named_and_caches_told_it_varies(open_ballot: OpenBallot) -> None:
    """As Django's LocaleMiddleware answers (omov/web/languages.py only skips the path)."""
    start = f"/vote/{open_ballot.contest.pk}/"
    for asked, named in (("cy", "cy"), ("en-GB", "en-gb"), ("fr", "en-gb")):
        response = Client(headers={"accept-language": asked}).get(start)
        assert response["Content-Language"] == named
        assert "Accept-Language" in response["Vary"]
