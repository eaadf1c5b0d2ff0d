"""The hustings pages: members ask and support questions and read the answers side by side;
candidates answer; officers open the hustings, link candidates to their member records and
record the questions chosen. Views parse and render; services decide nothing themselves
but through the engine, and every refusal is a message on the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from omov.web.access.checks import officer_view
from omov.web.access.models import Role
from omov.web.contests.models import Candidate, Contest
from omov.web.discussion.forms import rule_choices
from omov.web.discussion.rulings import rules_for
from omov.web.errors import ContestError
from omov.web.hustings import services
from omov.web.hustings.moderation import question_flag, question_hide
from omov.web.hustings.selectors import book_of, hustings_page
from omov.web.members.auth import current_member, member_required
from omov.web.members.models import Member
from omov.web.officer import run_action
from omov.web.wording import when


def _contest_of(request: HttpRequest, pk: int) -> tuple[Contest, Member]:
    """The contest, for a member of its organisation (a member of another sees nothing)."""
    contest = get_object_or_404(Contest.objects.select_related("organisation"), pk=pk)
    member = current_member(request)
    if member is None or member.organisation_id != contest.organisation_id:
        raise PermissionDenied("not a member of this contest's organisation")
    return contest, member


def _rules(contest: Contest) -> Any:
    try:
        return book_of(contest).hustings
    except ContestError:
        return None


@member_required
def hustings_view(request: HttpRequest, pk: int) -> HttpResponse:
    contest, member = _contest_of(request, pk)
    page = hustings_page(contest, member)
    return render(
        request,
        "hustings/hustings.html",
        {
            "page": page,
            "rules": _rules(contest),
            "member": member,
            "dates": _dates(page),
            "grounds": _grounds(contest),
        },
    )


def _grounds(contest: Contest) -> list[tuple[str, str]]:
    """The house rules a question is flagged or hidden on (none: no moderation here)."""
    try:
        return rule_choices(rules_for(contest.organisation))
    except ContestError:
        return []


def _dates(page: Any) -> dict[str, str]:
    hustings = page.hustings
    if hustings is None:
        return {}
    return {
        "opens": when(hustings.opens_at),
        "questions_close": when(hustings.questions_close_at),
        "answers_due": when(hustings.answers_due_at),
    }


def _member_action(
    request: HttpRequest, pk: int, act: Callable[[Contest, Member], Any], done: str, anchor: str
) -> HttpResponseRedirect:
    contest, member = _contest_of(request, pk)
    try:
        act(contest, member)
    except ContestError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(reverse("hustings", args=[pk]) + anchor)


@member_required
@require_POST
def question_ask_view(request: HttpRequest, pk: int) -> HttpResponse:
    text = request.POST.get("text", "")
    return _member_action(
        request,
        pk,
        lambda contest, member: services.question_ask(contest=contest, member=member, text=text),
        "Your question is asked. Your support counts for it.",
        "#questions",
    )


@member_required
@require_POST
def question_support_view(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _member_action(
        request,
        pk,
        lambda contest, member: services.question_support(
            contest=contest, number=number, member=member
        ),
        f"You support question {number}.",
        f"#question-{number}",
    )


@member_required
@require_POST
def answer_view(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    text = request.POST.get("text", "")
    return _member_action(
        request,
        pk,
        lambda contest, member: services.answer_give(
            contest=contest, number=number, member=member, text=text
        ),
        f"Your answer to question {number} is recorded. It is published with the others'.",
        f"#put-{number}",
    )


@member_required
@require_POST
def question_flag_view(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    ground = request.POST.get("ground", "")
    return _member_action(
        request,
        pk,
        lambda contest, member: question_flag(
            contest=contest, number=number, member=member, ground=ground
        ),
        f"Thank you: a moderator will look at question {number}.",
        f"#question-{number}",
    )


def _back(pk: int) -> HttpResponseRedirect:
    return redirect("hustings-officer", pk=pk)


@officer_view(None)
def hustings_officer(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk)
    page = hustings_page(contest, None)
    links = {
        c.pk: link.member
        for c in page.candidates
        if (link := getattr(c, "hustings_member", None)) is not None
    }
    return render(
        request,
        "hustings/officer.html",
        {
            "page": page,
            "rules": _rules(contest),
            "dates": _dates(page),
            "links": [(c, links.get(c.pk)) for c in page.candidates],
            "grounds": _grounds(contest),
        },
    )


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def hustings_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk)
    return run_action(
        request,
        lambda: services.hustings_open(contest=contest, actor=request.user),
        gettext("The hustings are open: members may ask questions."),
        _back(pk),
    )


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def questions_choose_view(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk)
    return run_action(
        request,
        lambda: services.questions_choose(contest=contest, actor=request.user),
        gettext("The questions are chosen and put to every candidate."),
        _back(pk),
    )


@officer_view(Role.RETURNING_OFFICER)
@require_POST
def candidate_link_view(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate, pk=request.POST.get("candidate", 0), contest_id=pk)
    number = request.POST.get("number", "")
    return run_action(
        request,
        lambda: services.candidate_member_link(
            contest=candidate.contest, candidate=candidate, number=number, actor=request.user
        ),
        gettext("%(candidate)s answers as the member with that membership number.")
        % {"candidate": candidate.name},
        _back(pk),
    )


@officer_view(Role.MODERATOR)
@require_POST
def question_hide_view(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    contest = get_object_or_404(Contest.objects.select_related("organisation"), pk=pk)
    user = request.user
    return run_action(
        request,
        lambda: question_hide(
            contest=contest,
            number=number,
            ground=request.POST.get("ground", ""),
            moderator=user,  # type: ignore[arg-type]
            reasons=request.POST.get("reasons", ""),
        ),
        gettext("Question %(number)s is hidden; its author is told and may appeal.")
        % {"number": number},
        _back(pk),
    )
