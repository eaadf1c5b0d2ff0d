"""Helpers for the officer's views: running a service from a form post. Who may reach a
view is checked in one place, ``omov.web.access.checks``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect

from omov.web.errors import ContestError
from omov.web.steps import Step, confirmed, refusal


def run_action(
    request: HttpRequest,
    action: Callable[[], Any],
    done: str,
    back: HttpResponseRedirect,
    *,
    step: Step | None = None,
) -> HttpResponse:
    """Run one service; show its message either way. Services are atomic, so a refusal
    changes nothing. An irreversible ``step`` runs only with its confirmation."""
    if step is not None and not confirmed(request, step):
        messages.error(request, refusal(step))
        return back
    try:
        action()
    except ContestError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return back


def back_to(contest_pk: int) -> HttpResponseRedirect:
    return redirect("contest-dashboard", pk=contest_pk)
