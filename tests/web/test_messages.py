"""omov/web/messages.py: messages still carry to the next page; a request that uses none
makes no storage and leaves the session untouched."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib import messages
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils.functional import empty

from omov.web.messages import MessageMiddleware

pytestmark = pytest.mark.django_db


def served(view: Callable[[HttpRequest], HttpResponse], cookie: str = "") -> HttpResponse:
    """``view`` behind the session and message middleware, as settings order them."""
    request = RequestFactory().get("/", HTTP_COOKIE=cookie)
    handler = SessionMiddleware(MessageMiddleware(view))
    response = handler(request)
    response.wsgi_request = request  # type: ignore[attr-defined]
    return response


def test_a_message_added_is_shown_on_the_next_page() -> None:
    def adds(request: HttpRequest) -> HttpResponse:
        messages.success(request, "Opened the ballot")
        return HttpResponse()

    first = served(adds)
    cookie = f"sessionid={first.cookies['sessionid'].value}"
    shown: list[str] = []

    def shows(request: HttpRequest) -> HttpResponse:
        shown.extend(str(m) for m in messages.get_messages(request))
        return HttpResponse()

    served(shows, cookie)
    assert shown == ["Opened the ballot"]
    shown.clear()
    served(shows, cookie)
    assert shown == []  # shown once


def test_a_request_that_uses_no_messages_makes_no_storage_and_saves_no_session() -> None:
    def quiet(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    response = served(quiet)
    request = response.wsgi_request  # type: ignore[attr-defined]
    assert request._messages._wrapped is empty
    assert not request.session.modified
    assert "sessionid" not in response.cookies
