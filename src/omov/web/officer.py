"""Helpers for the officer's views: access and running a service from a form post."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import user_passes_test
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect

from omov.web.errors import ContestError

officer_required = user_passes_test(lambda user: user.is_active and user.is_staff)


def run_action(
    request: HttpRequest, action: Callable[[], Any], done: str, back: HttpResponseRedirect
) -> HttpResponse:
    """Run one service; show its message either way. Services are atomic, so a refusal
    changes nothing."""
    try:
        action()
    except ContestError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return back


def back_to(contest_pk: int) -> HttpResponseRedirect:
    return redirect("contest-dashboard", pk=contest_pk)
