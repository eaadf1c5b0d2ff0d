"""The results page (public once published) and its downloads."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from omov.web.access.checks import officer_view
from omov.web.access.models import Role
from omov.web.access.roles import may
from omov.web.contests.models import Contest, ContestState
from omov.web.officer import back_to, run_action
from omov.web.results.selectors import results_page
from omov.web.results.services import result_count, result_publish
from omov.web.steps import Step
from omov.web.wording import method_explained


def _visible(request: HttpRequest, pk: int) -> Contest:
    contest = get_object_or_404(Contest, pk=pk)
    officer = may(request.user, None, contest)
    shown = ContestState.PUBLISHED if not officer else ContestState.COUNTED
    if contest.state not in (ContestState.PUBLISHED, shown):
        raise Http404("no published result yet")
    return contest


def results(request: HttpRequest, pk: int) -> HttpResponse:
    contest = _visible(request, pk)
    return render(
        request, "results/results.html", {"contest": contest, **results_page(contest=contest)}
    )


def declaration(request: HttpRequest, pk: int) -> HttpResponse:
    """The returning officer's declaration, laid out to be printed and posted up."""
    contest = _visible(request, pk)
    page = results_page(contest=contest)
    page["method_plain"] = method_explained(page["summary"]["method"])
    return render(request, "results/declaration.html", {"contest": contest, **page})


def download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    contest = _visible(request, pk)
    formats = {
        "rctab.json": ("rctab_json", "application/json"),
        "results.csv": ("csv", "text/csv"),
        "board.parquet": ("board", "application/vnd.apache.parquet"),
    }
    if kind not in formats or not getattr(contest.result, formats[kind][0]):
        raise Http404("no such download")
    field, content_type = formats[kind]
    body = getattr(contest.result, field)
    response = HttpResponse(bytes(body) if field == "board" else body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="contest-{pk}-{kind}"'
    return response


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def count_view(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk)
    return run_action(
        request,
        lambda: result_count(contest=contest),
        gettext("Counted."),
        back_to(pk),
        step=Step.RESULT_COUNT,
    )


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk)
    return run_action(
        request,
        lambda: result_publish(contest=contest),
        gettext("Results published."),
        back_to(pk),
        step=Step.RESULT_PUBLISH,
    )
