"""Site-wide views: the home page and the pages for refused requests."""

from __future__ import annotations

from functools import partial

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static

from omov.web.access.roles import officer_start
from omov.web.contests.selectors import public_contests


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "omov/home.html", {"contests": public_contests()})


def site_nav(request: HttpRequest) -> dict[str, object]:
    """Context processor: the officer's links for a signed-in officer, and never on a
    voter's pages (a voter signs in with a code, not as a user; an officer voting on a
    shared screen shows no officer links to whoever looks on). ``officer_start`` is where
    their "Officer" link goes, found only when a page shows it (the template calls it)."""
    voting = request.path_info.startswith("/vote/")
    user = getattr(request, "user", None)
    return {
        "officer_nav": bool(user and user.is_authenticated) and not voting,
        "officer_start": partial(officer_start, user),
    }


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico whatever the page links: send them to the SVG."""
    return HttpResponsePermanentRedirect(static("omov/favicon.svg"))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A forged or stale form: say so plainly; nothing was changed."""
    return render(
        request,
        "omov/refused.html",
        {
            "message": "This form has expired or did not come from this site (CSRF check "
            "failed). Nothing was changed: go back, reload the page and try again."
        },
        status=403,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Malformed or oversized requests (Django refuses bodies over DATA_UPLOAD_MAX_MEMORY_SIZE)."""
    return render(
        request,
        "omov/refused.html",
        {"message": "The request was malformed or too large. Nothing was changed."},
        status=400,
    )
