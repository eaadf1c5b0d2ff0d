"""The officer imports rolls, vets electors, decides appeals and freezes the electorate."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from omov.web.access.checks import officer_view
from omov.web.access.models import Role
from omov.web.contests.models import Contest
from omov.web.electorate.models import Appeal, Elector, Exclusion, ExclusionState
from omov.web.electorate.rolls import section_template
from omov.web.electorate.services import (
    appeal_decide,
    appeal_lodge,
    electorate_freeze,
    roll_import,
)
from omov.web.electorate.vetting import (
    exclusion_appeal,
    exclusion_appeal_decide,
    exclusion_confirm,
    exclusion_propose,
    exclusion_reject,
    exclusions_confirm,
    exclusions_import,
)
from omov.web.errors import ContestError
from omov.web.officer import back_to, run_action
from omov.web.steps import Step


def _upload_bytes(request: HttpRequest, field: str) -> bytes:
    upload = request.FILES.get(field)
    if upload is None:
        raise ContestError(gettext("choose a CSV file to upload"))
    return bytes(upload.read())


def _upload_text(request: HttpRequest, field: str) -> str:
    try:
        return _upload_bytes(request, field).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ContestError(gettext("the file is not UTF-8 text")) from None


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def roll_upload(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk)
    return run_action(
        request,
        lambda: roll_import(
            contest=contest,
            section=request.POST.get("section", ""),
            data=_upload_bytes(request, "roll"),
        ),
        gettext("Roll imported."),
        back_to(pk),
    )


@officer_view(None)
def roll_template(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    """The CSV template of one section's roll, to fill in and import."""
    contest = get_object_or_404(Contest.objects.select_related("rulebook"), pk=pk)
    try:
        text = section_template(contest, section)
    except ContestError:
        raise Http404("no such section") from None
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{section}-roll-template.csv"'
    return response


def _officer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # officer_view let only a signed-in officer through
    return user


@officer_view(Role.VETTING_OFFICER)
@require_POST
def elector_exclude_view(request: HttpRequest, pk: int, elector: int) -> HttpResponse:
    """Propose an exclusion on one of the rulebook's grounds; a second officer confirms."""
    chosen = get_object_or_404(Elector, pk=elector, contest_id=pk)
    return run_action(
        request,
        lambda: exclusion_propose(
            elector=chosen,
            ground=request.POST.get("ground", ""),
            note=request.POST.get("note", "") or request.POST.get("grounds", ""),
            actor=_officer(request),
        ),
        gettext("Exclusion of %(reference)s proposed: a second officer must confirm it.")
        % {"reference": chosen.reference},
        back_to(pk),
    )


@officer_view(Role.VETTING_OFFICER)
@require_POST
def exclusion_decide_view(request: HttpRequest, pk: int, exclusion: int) -> HttpResponse:
    chosen = get_object_or_404(Exclusion, pk=exclusion, elector__contest_id=pk)
    if request.POST.get("decision") != "confirm":
        return run_action(
            request,
            lambda: exclusion_reject(exclusion=chosen, actor=_officer(request)),
            gettext("Exclusion rejected."),
            back_to(pk),
        )
    try:
        confirmed = exclusion_confirm(exclusion=chosen, actor=_officer(request))
    except ContestError as error:
        messages.error(request, str(error))
        return back_to(pk)
    said = [
        ngettext(
            "Excluded: %(n)s record of this person",
            "Excluded: %(n)s records of this person",
            confirmed.excluded,
        )
        % {"n": confirmed.excluded}
    ]
    if confirmed.revoked:
        said.append(
            ngettext(
                "%(n)s unused voting code revoked",
                "%(n)s unused voting codes revoked",
                confirmed.revoked,
            )
            % {"n": confirmed.revoked}
        )
    if confirmed.already_voted:
        said.append(gettext("they had already voted, and that ballot stays in the box"))
    messages.success(request, gettext("%(clauses)s.") % {"clauses": "; ".join(said)})
    return back_to(pk)


@officer_view(Role.VETTING_OFFICER)
@require_POST
def exclusions_import_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Bulk proposals from a CSV; every row checked before any is applied."""
    contest = get_object_or_404(Contest, pk=pk)
    return run_action(
        request,
        lambda: exclusions_import(
            contest=contest, text=_upload_text(request, "decisions"), actor=_officer(request)
        ),
        gettext("Vetting decisions proposed: a second officer must confirm them."),
        back_to(pk),
    )


@officer_view(Role.VETTING_OFFICER)
@require_POST
def exclusions_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A second officer confirms every exclusion one officer proposed."""
    contest = get_object_or_404(Contest, pk=pk)
    proposer = User.objects.filter(username=request.POST.get("proposer", "")).first()
    if proposer is None:
        messages.error(request, gettext("choose whose proposals to confirm"))
        return back_to(pk)
    return run_action(
        request,
        lambda: exclusions_confirm(contest=contest, proposed_by=proposer, actor=_officer(request)),
        gettext("Confirmed the exclusions %(proposer)s proposed.")
        % {"proposer": proposer.get_username()},
        back_to(pk),
    )


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def appeal_lodge_view(request: HttpRequest, pk: int, elector: int) -> HttpResponse:
    chosen = get_object_or_404(Elector, pk=elector, contest_id=pk)
    grounds = request.POST.get("grounds", "")
    exclusion = chosen.exclusions.filter(state=ExclusionState.CONFIRMED).first()
    return run_action(
        request,
        lambda: (
            exclusion_appeal(exclusion=exclusion, grounds=grounds)
            if exclusion is not None
            else appeal_lodge(elector=chosen, grounds=grounds)
        ),
        gettext("Appeal lodged for %(reference)s.") % {"reference": chosen.reference},
        back_to(pk),
    )


@officer_view(Role.APPEALS_PANEL)
@require_POST
def appeal_decide_view(request: HttpRequest, pk: int, appeal: int) -> HttpResponse:
    chosen = get_object_or_404(Appeal, pk=appeal, elector__contest_id=pk)
    uphold = request.POST.get("decision") == "uphold"
    reason = request.POST.get("reason", "")
    excluded = chosen.elector.exclusions.filter(state=ExclusionState.CONFIRMED).exists()
    return run_action(
        request,
        lambda: (
            exclusion_appeal_decide(
                appeal=chosen, uphold=uphold, reason=reason, actor=_officer(request)
            )
            if excluded
            else appeal_decide(appeal=chosen, uphold=uphold, reason=reason)
        ),
        "Appeal upheld: vote restored." if uphold else "Appeal dismissed.",
        back_to(pk),
    )


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def electorate_freeze_view(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk)
    return run_action(
        request,
        lambda: electorate_freeze(contest=contest),
        gettext("Electorate frozen."),
        back_to(pk),
        step=Step.ELECTORATE_FREEZE,
    )
