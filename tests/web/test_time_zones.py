"""Times in the organisation's time zone, the zone named, and Django's i18n wired so that a
translation needs no code."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.middleware.locale import LocaleMiddleware
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from omov.web.contests.models import Contest, Organisation
from omov.web.wording import when
from omov.web.zones import zones_forget

from .conftest import OpenBallot, open_contest

pytestmark = pytest.mark.django_db

CLOSES = dt.datetime(2026, 9, 21, 11, 0, tzinfo=dt.UTC)


def test_when_names_the_zone_it_shows() -> None:
    assert when(CLOSES, "Europe/London") == "12:00 on 21 September 2026 (BST)"
    assert when(CLOSES, "America/New_York") == "07:00 on 21 September 2026 (EDT)"
    assert when(CLOSES.replace(month=12), "Europe/London") == "11:00 on 21 December 2026 (GMT)"


def test_an_organisation_keeps_a_real_zone(db: None) -> None:
    contest = open_contest()
    organisation = contest.organisation
    assert organisation.time_zone == "Europe/London"  # the default, as the demo's Labour
    organisation.time_zone = "Europe/Londres"
    with pytest.raises(ValidationError):
        organisation.full_clean()


def test_a_contests_pages_run_in_its_organisations_zone(open_ballot: OpenBallot) -> None:
    contest = open_ballot.contest
    Contest.objects.filter(pk=contest.pk).update(ballot_closes_at=CLOSES)
    Organisation.objects.filter(pk=contest.organisation_id).update(time_zone="Asia/Tokyo")
    zones_forget()  # the zone is kept a minute per process
    home = Client().get(reverse("home")).content.decode()
    assert "20:00 on 21 September 2026 (JST)" in home
    Contest.objects.filter(pk=contest.pk).update(state="ballot_closed")  # says when it closed
    start = Client().get(reverse("vote-start", args=[contest.pk])).content.decode()
    assert "(JST)" in start
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE  # deactivated after


def test_i18n_is_wired_so_a_translation_needs_no_code() -> None:
    assert settings.USE_I18N
    # Django's, or omov's subclass of it (omov/web/languages.py: no path lookups)
    middleware = [import_string(path) for path in settings.MIDDLEWARE]
    assert any(issubclass(m, LocaleMiddleware) for m in middleware)
    assert settings.LOCALE_PATHS
    with translation.override("en-gb"):
        html = Client().get(reverse("home"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="en-gb">' in html  # no French translation: English, whole
    # (a language with a translation, Welsh, is checked in test_welsh.py)
