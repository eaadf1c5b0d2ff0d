"""Site-wide views: the home page and the pages for refused requests."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from omov.web.contests.selectors import contest_list


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "omov/home.html", {"contests": contest_list()})


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
