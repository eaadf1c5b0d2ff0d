"""Moderators' and the appeals panel's pages, confined to their organisation
(``organisation_view``): the queue (flagged and held posts, registrations to review,
suspensions awaiting a second moderator), each action on a house rule; appeals.

Moderators see what a post shows (display name, section, text) and the flags' rules; never
a member's email, real name or identity key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from omov.web.access.checks import organisation_view
from omov.web.access.models import Role
from omov.web.contests.models import Organisation
from omov.web.discussion.appeals import appeal_decide, review_decide
from omov.web.discussion.closed import discussion_open
from omov.web.discussion.forms import (
    AppealDecisionForm,
    GroundForm,
    HideForm,
    SuspendForm,
    rule_choices,
)
from omov.web.discussion.models import Appeal, Moderation, Post, Review
from omov.web.discussion.moderation import (
    hold_lift,
    member_hold,
    post_hide,
    post_release,
    suspension_confirm,
    suspension_propose,
    suspension_reject,
)
from omov.web.discussion.rulings import rules_for
from omov.web.discussion.selectors import appeals_waiting, moderation_queue
from omov.web.errors import ContestError
from omov.web.officer import run_action

ACTIONS = (
    ("hide", "Hide the post"),
    ("hold", "Hold the author's posts"),
    ("suspend", "Propose suspending the author"),
)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _back(organisation: int) -> HttpResponseRedirect:
    return redirect("moderation-queue", organisation=organisation)


def _run(
    request: HttpRequest, action: Callable[[], Any], done: str, organisation: int
) -> HttpResponse:
    return run_action(request, action, done, _back(organisation))


def _post(organisation: int, pk: int) -> Post:
    return get_object_or_404(
        Post.objects.select_related("thread", "author"), pk=pk, organisation_id=organisation
    )


@organisation_view(None)
@discussion_open
def queue(request: HttpRequest, organisation: int) -> HttpResponse:
    found = get_object_or_404(Organisation, pk=organisation)
    rules = rules_for(found)
    context = {
        "organisation": found,
        "queue": moderation_queue(found),
        "choices": rule_choices(rules),
        "actions": ACTIONS,
        "rules": rules,
    }
    return render(request, "discussion/queue.html", context)


def _form(
    request: HttpRequest, organisation: int, form_class: type[GroundForm]
) -> GroundForm | None:
    form = form_class(
        request.POST, rules=rules_for(get_object_or_404(Organisation, pk=organisation))
    )
    if not form.is_valid():
        messages.error(request, gettext("Choose the rule, and fill in every field."))
        return None
    return form


@organisation_view(Role.MODERATOR)
@require_POST
def hide(request: HttpRequest, organisation: int, post: int) -> HttpResponse:
    found = _post(organisation, post)
    form = _form(request, organisation, HideForm)
    if form is None:
        return _back(organisation)
    return _run(
        request,
        lambda: post_hide(
            post=found,
            ground=form.cleaned_data["ground"],
            moderator=_user(request),
            reasons=form.cleaned_data["reasons"],
        ),
        "The post is hidden, with its rule; its author is told.",
        organisation,
    )


@organisation_view(Role.MODERATOR)
@require_POST
def release(request: HttpRequest, organisation: int, post: int) -> HttpResponse:
    found = _post(organisation, post)
    return _run(
        request,
        lambda: post_release(post=found, moderator=_user(request)),
        "The post is published.",
        organisation,
    )


@organisation_view(Role.MODERATOR)
@require_POST
def hold(request: HttpRequest, organisation: int, post: int) -> HttpResponse:
    """Hold the author of ``post``: their posts wait for a moderator."""
    found = _post(organisation, post)
    form = _form(request, organisation, HideForm)
    if form is None or found.author is None:
        return _back(organisation)
    author = found.author
    return _run(
        request,
        lambda: member_hold(
            member=author,
            ground=form.cleaned_data["ground"],
            moderator=_user(request),
            reasons=form.cleaned_data["reasons"],
        ),
        "The author's posts are held for a moderator.",
        organisation,
    )


@organisation_view(Role.MODERATOR)
@require_POST
def suspend(request: HttpRequest, organisation: int, post: int) -> HttpResponse:
    """Propose suspending the author of ``post``; a second moderator confirms."""
    found = _post(organisation, post)
    form = _form(request, organisation, SuspendForm)
    if form is None or found.author is None:
        return _back(organisation)
    author = found.author
    return _run(
        request,
        lambda: suspension_propose(
            member=author,
            ground=form.cleaned_data["ground"],
            days=form.cleaned_data["days"],
            moderator=_user(request),
            reasons=form.cleaned_data["reasons"],
            contest=found.thread.contest,
        ),
        "The suspension is proposed: a second moderator must confirm it.",
        organisation,
    )


def _moderation(organisation: int, pk: int) -> Moderation:
    return get_object_or_404(Moderation, pk=pk, organisation_id=organisation)


@organisation_view(Role.MODERATOR)
@require_POST
def confirm(request: HttpRequest, organisation: int, moderation: int) -> HttpResponse:
    found = _moderation(organisation, moderation)
    if request.POST.get("decision") == "reject":
        return _run(
            request,
            lambda: suspension_reject(moderation=found, moderator=_user(request)),
            "The suspension is not confirmed.",
            organisation,
        )
    return _run(
        request,
        lambda: suspension_confirm(moderation=found, moderator=_user(request)),
        "The suspension is in force on the person, on every account of theirs.",
        organisation,
    )


@organisation_view(Role.MODERATOR)
@require_POST
def lift(request: HttpRequest, organisation: int, moderation: int) -> HttpResponse:
    found = _moderation(organisation, moderation)
    return _run(
        request,
        lambda: hold_lift(moderation=found, moderator=_user(request)),
        "The hold is lifted.",
        organisation,
    )


@organisation_view(Role.MODERATOR)
@require_POST
def review(request: HttpRequest, organisation: int, review: int) -> HttpResponse:
    found = get_object_or_404(Review, pk=review, organisation_id=organisation)
    same = request.POST.get("decision") == "same"
    return _run(
        request,
        lambda: review_decide(review=found, same_person=same, moderator=_user(request)),
        "The registration is reviewed.",
        organisation,
    )


@organisation_view(None)
@discussion_open
def appeals(request: HttpRequest, organisation: int) -> HttpResponse:
    found = get_object_or_404(Organisation, pk=organisation)
    context = {
        "organisation": found,
        "appeals": appeals_waiting(found),
        "form": AppealDecisionForm(),
    }
    return render(request, "discussion/appeals.html", context)


@organisation_view(Role.APPEALS_PANEL)
@require_POST
def appeal_decide_view(
    request: HttpRequest, organisation: int, moderation_appeal: int
) -> HttpResponse:
    found = get_object_or_404(
        Appeal, pk=moderation_appeal, moderation__organisation_id=organisation
    )
    form = AppealDecisionForm(request.POST)
    back = redirect("moderation-appeals", organisation=organisation)
    if not form.is_valid():
        messages.error(request, gettext("Choose a decision and give written reasons."))
        return back
    try:
        appeal_decide(
            appeal=found,
            uphold=form.cleaned_data["decision"] == "uphold",
            reasons=form.cleaned_data["reasons"],
            panel_member=_user(request),
        )
    except ContestError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, gettext("The appeal is decided, with its reasons on the record."))
    return back
