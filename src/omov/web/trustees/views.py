"""The officer's side of the trustees' work: upload a trustee's message, download what the
trustees need (the ballot boxes at close, the messages so far), and, in the demo only, run
the simulated trustees."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from omov.web.access.checks import officer_view
from omov.web.access.models import Role
from omov.web.contests.models import Contest, ContestState
from omov.web.errors import ContestError
from omov.web.officer import back_to, run_action
from omov.web.trustees.models import TrusteeMessage
from omov.web.trustees.selectors import ballot_boxes
from omov.web.trustees.services import trustee_message_record
from omov.web.trustees.simulation import SimulatedTrustees

MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # a mix of 10^5 ballots is some 30 MB


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def message_upload(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk)

    def record() -> None:
        upload = request.FILES.get("message")
        if upload is None:
            raise ContestError(gettext("choose a trustee's message file (JSON) to upload"))
        if upload.size is None or upload.size > MAX_MESSAGE_BYTES:
            raise ContestError(gettext("a trustee's message is at most 64 MB"))
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise ContestError(gettext("a trustee's message is UTF-8 JSON")) from None
        trustee_message_record(contest=contest, text=text)

    return run_action(
        request, record, gettext("The trustee's message is checked and recorded."), back_to(pk)
    )


@officer_view(None)
def messages_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Every trustee message so far, as the directory ``omov trustee`` reads (zipped)."""
    contest = get_object_or_404(Contest, pk=pk)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, (kind, trustee, text) in enumerate(
            TrusteeMessage.objects.filter(contest=contest).values_list("kind", "trustee", "text"),
            start=1,
        ):
            archive.writestr(f"messages/{n:04d}-{kind}-{trustee}.json", text + "\n")
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="contest-{pk}-trustee-messages.zip"'
    return response


@officer_view(None)
def box_download(request: HttpRequest, pk: int) -> HttpResponse:
    """One section group's ballot box once the ballot is closed, for the first mixer
    (``omov trustee mix --ballots``); without ``?section=``, the list of the boxes."""
    contest = get_object_or_404(Contest, pk=pk)
    closed = contest.state == ContestState.BALLOT_CLOSED
    boxes = ballot_boxes(contest) if closed else {}
    label = request.GET.get("section")
    if label is None:
        return JsonResponse({"closed": closed, "boxes": sorted(boxes)})
    if label not in boxes:
        raise Http404("no such ballot box (boxes are given out once the ballot is closed)")
    response = HttpResponse(json.dumps(boxes[label].as_record()), content_type="application/json")
    name = "".join(ch if ch.isalnum() else "-" for ch in label)
    response["Content-Disposition"] = f'attachment; filename="contest-{pk}-box-{name}.json"'
    return response


def demo_keys_exist(contest: Contest) -> bool:
    """The demo's simulated trustees hold keys for this contest (only ``omov demo`` makes them)."""
    folder = Path(settings.OMOV_DEMO_TRUSTEES)
    return (folder / f"contest-{contest.pk}-trustee-1.key").is_file()


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def demo_run(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk)

    def run() -> None:
        if not demo_keys_exist(contest):
            raise ContestError(
                gettext("this contest's trustees are not the demo's: they run omov trustee")
            )
        SimulatedTrustees(contest, directory=Path(settings.OMOV_DEMO_TRUSTEES)).mix_and_decrypt()

    done = "The demo's trustees mixed every ballot box twice and decrypted them."
    return run_action(request, run, done, back_to(pk))
