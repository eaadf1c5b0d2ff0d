"""Public pages of the transparency log (signed heads, the board of trackers) and the
officer's checkpoint and bundle download."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from omov.web.access.checks import officer_view
from omov.web.access.models import Role
from omov.web.contests.models import Contest, ContestState
from omov.web.officer import back_to, run_action
from omov.web.trust import selectors
from omov.web.trust.models import LogName
from omov.web.trust.services import bundle_zip, checkpoint_minimum, checkpoint_sign


def heads_page(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk)
    return render(
        request,
        "trust/heads.html",
        {
            "contest": contest,
            "latest": selectors.latest_heads(contest=contest),
            "key": selectors.key_shown(contest=contest),
            "entries": selectors.log_size(contest=contest),
        },
    )


def heads_download(request: HttpRequest, pk: int) -> JsonResponse:
    contest = get_object_or_404(Contest, pk=pk)
    return JsonResponse(selectors.heads_json(contest=contest), json_dumps_params={"indent": 2})


def head_download(request: HttpRequest, pk: int, log: str, number: int) -> JsonResponse:
    contest = get_object_or_404(Contest, pk=pk)
    head = selectors.head_json(contest=contest, log=log, number=number)
    if log not in LogName.values or head is None:
        raise Http404("no such tree head")
    response = JsonResponse(head, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="contest-{pk}-{log}-{number}.json"'
    return response


def proof_download(request: HttpRequest, pk: int, log: str) -> JsonResponse:
    contest = get_object_or_404(Contest, pk=pk)
    try:
        old, new = int(request.GET["old"]), int(request.GET["new"])
    except (KeyError, ValueError):
        raise Http404("ask for ?old=SIZE&new=SIZE") from None
    if log not in LogName.values:
        raise Http404("no such log")
    proof = selectors.consistency_proof(contest=contest, log=log, old=old, new=new)
    if proof is None:
        raise Http404("no such sizes in this log")
    return JsonResponse(proof, safe=False)


def board_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The board a page at a time. The tracker check runs in the browser against the
    tracker's range (``board_range_download``); without JavaScript the form asks here."""
    contest = get_object_or_404(Contest, pk=pk)
    tracker = request.GET.get("tracker", "").strip()
    return render(
        request,
        "trust/board.html",
        {
            "contest": contest,
            "page": selectors.board_page(contest=contest, number=request.GET.get("page")),
            "tracker": tracker,
            "found": selectors.tracker_listed(contest=contest, tracker=tracker)
            if tracker
            else None,
        },
    )


def board_range_download(request: HttpRequest, pk: int, prefix: str) -> HttpResponse:
    """The trackers beginning with ``prefix``, one a line: what the browser checks a tracker
    against without telling the server which one it is."""
    contest = get_object_or_404(Contest, pk=pk)
    trackers = selectors.board_range(contest=contest, prefix=prefix)
    if trackers is None:
        raise Http404("the board is published when the ballot closes, in two-letter ranges")
    text = "".join(f"{tracker}\n" for tracker in trackers)
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


def bundle_download(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk)
    if contest.state != ContestState.PUBLISHED:
        raise Http404("the bundle is published with the results")
    response = HttpResponse(bundle_zip(contest=contest), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="contest-{pk}-bundle.zip"'
    return response


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def checkpoint_view(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk)
    minimum = checkpoint_minimum(contest)
    return run_action(
        request,
        lambda: checkpoint_sign(contest=contest),
        ngettext(
            "A tree head is signed over the new ballots once at least %(minimum)s has come.",
            "A tree head is signed over the new ballots once at least %(minimum)s have come.",
            minimum,
        )
        % {"minimum": minimum},
        back_to(pk),
    )
