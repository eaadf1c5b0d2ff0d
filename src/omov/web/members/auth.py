"""Who the member is: their session, kept apart from officers' Django sign-in.

A member signs in by opening a one-time link emailed to them (``services.sign_in_link_use``);
the session then holds their member id under ``SESSION_KEY``. Other apps ask
``current_member(request)`` or wrap a view in ``member_required``. An expelled member is
nobody: the session is dropped at their next request.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from omov.web.members.models import Member, Standing

SESSION_KEY = "omov-member"
NEXT_KEY = "omov-member-next"
_CACHE = "_omov_member"

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def member_sign_in(request: HttpRequest, member: Member) -> None:
    """Sign ``member`` in on this session (under a new session key: one fixed by someone
    else before the sign-in is worth nothing after it)."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = member.pk
    setattr(request, _CACHE, member)


def member_sign_out(request: HttpRequest) -> None:
    """The member signs out; an officer or voter signed in on the same browser stays."""
    request.session.pop(SESSION_KEY, None)
    request.session.pop(NEXT_KEY, None)
    request.session.cycle_key()
    setattr(request, _CACHE, None)


def current_member(request: HttpRequest) -> Member | None:
    """The member signed in on this request's session, or None (never an expelled member).
    Read once per request."""
    if hasattr(request, _CACHE):
        cached: Member | None = getattr(request, _CACHE)
        return cached
    member = None
    pk = request.session.get(SESSION_KEY)
    if isinstance(pk, int):
        member = (
            Member.objects.select_related("organisation")
            .exclude(standing=Standing.EXPELLED)
            .filter(pk=pk)
            .first()
        )
        if member is None:
            request.session.pop(SESSION_KEY, None)
    setattr(request, _CACHE, member)
    return member


def sign_in_url(next_url: str = "") -> str:
    """The sign-in page, with the page to return to after signing in."""
    url = reverse("member-sign-in")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def safe_next(request: HttpRequest, next_url: str) -> str:
    """``next_url`` if it is a page of this site, else the member's home."""
    allowed = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return next_url if next_url and allowed else reverse("member-home")


def member_required(view: View) -> View:
    """Let only a signed-in member through; anyone else goes to the sign-in page, which
    brings them back here once they have signed in."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if current_member(request) is None:
            return HttpResponseRedirect(sign_in_url(request.get_full_path()))
        return view(request, *args, **kwargs)

    return checked  # type: ignore[return-value]
