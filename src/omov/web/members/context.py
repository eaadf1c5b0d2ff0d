"""The signed-in member for every page's header (``signed_in_member``), read only if the
page shows it, and never on a voter's pages (as the officer's links: ``omov.web.views``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from omov.web.members.auth import current_member


def signed_in_member(request: HttpRequest) -> dict[str, Any]:
    if request.path_info.startswith("/vote/"):
        return {"signed_in_member": None}
    return {"signed_in_member": SimpleLazyObject(lambda: current_member(request))}
