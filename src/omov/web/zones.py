"""Times in the organisation's time zone: each request about a contest runs in its
organisation's zone (``Organisation.time_zone``), so every time a page, form or email shows
is local to the people voting, and ``wording.when`` names the zone.

The zone of a contest is read once a minute per process at most: the voter's pages are
the busiest, and a zone is set once when an organisation is set up."""

from __future__ import annotations

import time
import zoneinfo
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from omov.web.contests.models import Contest, known_zones

CONTEST_PAGES = ("/vote/", "/contest/", "/officer/contest/")
SECONDS = 60
KEEP = 1000
"""Contests whose zone a process keeps (more than are open at once)."""

_kept: dict[int, tuple[float, zoneinfo.ZoneInfo | None]] = {}
"""Each contest's zone (None: the site's) and until when (``time.monotonic``) it is kept: a
plain dict, where Django's local-memory cache locked, checked the key and unpickled the
name on every voter's request."""


def contest_zone(contest_id: int) -> zoneinfo.ZoneInfo | None:
    kept = _kept.get(contest_id)
    now = time.monotonic()
    if kept is not None and kept[0] > now:
        return kept[1]
    found = Contest.objects.filter(pk=contest_id).values_list("organisation__time_zone", flat=True)
    name = found.first() or ""
    zone = zoneinfo.ZoneInfo(name) if name in known_zones() else None
    if len(_kept) >= KEEP:
        _kept.clear()
    _kept[contest_id] = (now + SECONDS, zone)
    return zone


def zones_forget() -> None:
    """Forget every kept zone (tests reuse contest ids and change zones)."""
    _kept.clear()


class OrganisationTimeZoneMiddleware:
    """Activates the contest's organisation's zone for a contest's pages; the site's
    ``TIME_ZONE`` elsewhere."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        pk = kwargs.get("pk")
        if isinstance(pk, int) and request.path_info.startswith(CONTEST_PAGES):
            zone = contest_zone(pk)
            if zone is not None:
                timezone.activate(zone)
