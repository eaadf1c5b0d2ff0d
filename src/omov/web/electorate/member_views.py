"""The member's own page: with their voting code, or signed in with the link emailed to
them (``omov.web.members``), an elector reads their status in the contest and appeals an
exclusion online (``electorate/status.py``).

The session keeps the code's digest under a key of its own, apart from the voting pages'
(``balloting.views.SESSION_KEY``): reading one's status does not sign one in to vote.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from omov.web.balloting.throttle import SignInHeldError
from omov.web.balloting.views import SESSION_KEY as VOTING_KEY
from omov.web.clients import client_address, client_key
from omov.web.contests.models import Contest
from omov.web.electorate.models import Elector
from omov.web.electorate.status import (
    elector_of_member,
    elector_signed_in,
    member_appeal,
    member_status,
    status_sign_in,
)
from omov.web.errors import ContestError
from omov.web.members.auth import current_member, sign_in_url

STATUS_KEY = "omov-status"


def _signed_in(request: HttpRequest, contest: Contest) -> Elector | None:
    """The elector whose code this session gave here, else the one signed in on the voting
    pages (by code or by the one-time link in their email), else the signed-in member's
    record."""
    for key in (STATUS_KEY, VOTING_KEY):
        held = request.session.get(key)
        if held and held[0] == contest.pk:
            return elector_signed_in(contest=contest.pk, digest=held[1])
    member = current_member(request)
    return elector_of_member(contest=contest, member=member) if member is not None else None


@require_http_methods(["GET", "HEAD", "POST"])
def elector_status(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the code form, or the signed-in member's status. POST ``code``: sign in (under
    the throttle; 429 with ``Retry-After`` while held back). POST ``grounds``: appeal.
    POST ``leave``: forget the code."""
    contest = get_object_or_404(Contest.objects.select_related("rulebook"), pk=pk)
    if request.method == "POST" and "leave" in request.POST:
        request.session.pop(STATUS_KEY, None)
        return redirect("elector-status", pk=pk)
    if request.method == "POST" and "code" in request.POST:
        return _sign_in(request, contest)
    elector = _signed_in(request, contest)
    if request.method == "POST" and elector is None:
        return _page(request, contest, error=gettext("Enter your voting code first."), status=400)
    if request.method == "POST" and elector is not None:
        try:
            member_appeal(elector=elector, grounds=request.POST.get("grounds", ""))
        except ContestError as refused:
            return _page(request, contest, elector, error=_sentence(str(refused)), status=400)
        messages.success(request, gettext("Your appeal has been lodged with the appeals panel."))
        return redirect("elector-status", pk=pk)
    return _page(request, contest, elector)


def _sign_in(request: HttpRequest, contest: Contest) -> HttpResponse:
    throttled = getattr(settings, "OMOV_THROTTLE_CODES", True)
    client = client_key(client_address(request)) if throttled else None
    try:
        digest = status_sign_in(contest=contest.pk, code=request.POST["code"], client=client)
    except SignInHeldError as held:
        response = _page(request, contest, error=_sentence(str(held)), status=429)
        response["Retry-After"] = str(held.seconds)
        return response
    except ContestError as refused:
        return _page(request, contest, error=_sentence(str(refused)), status=400)
    request.session[STATUS_KEY] = [contest.pk, digest]
    return redirect("elector-status", pk=contest.pk)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _page(
    request: HttpRequest,
    contest: Contest,
    elector: Elector | None = None,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    member = current_member(request)
    held = request.session.get(STATUS_KEY)
    context = {
        "contest": contest,
        "status": member_status(elector=elector) if elector is not None else None,
        "error": error,
        "grounds": request.POST.get("grounds", "") if elector is not None else "",
        "member": member,
        "by_code": held is not None and held[0] == contest.pk,
        "member_sign_in": sign_in_url(request.path),
    }
    return render(request, "electorate/status.html", context, status=status)
