"""Pages of an organisation whose discussion is closed (no rulebook in force with house
rules) say so, with the reason, instead of failing with a server error."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from omov.web.discussion.rulings import DiscussionClosedError

View = Callable[..., HttpResponse]


def discussion_open(view: View) -> View:
    """``view``, answering 409 with the reason when the organisation's discussion is closed."""

    @wraps(view)
    def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DiscussionClosedError as error:
            return render(request, "omov/refused.html", {"message": str(error)}, status=409)

    return answer
