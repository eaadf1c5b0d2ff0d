"""Moderators' decisions, each on one of the rulebook's house rules, each a log entry
naming the moderator and the rule.

- ``item_hide``: hide something a member wrote (a post, or another app's item such as a
  hustings question); ``post_hide`` and ``post_release`` for discussion posts;
- ``member_hold``: hold a member's writing for pre-moderation; ``hold_lift``;
- ``suspension_propose`` then ``suspension_confirm`` by a second moderator (or
  ``suspension_reject``): a suspension follows the person, on every account.

Appeals and the review of registrations that match a suspension: ``appeals.py``.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from omov.rules import RulesError
from omov.rules.decisions import DecisionKind
from omov.rules.house_rules import ground_label, house_rule, suspension_decision
from omov.web.contests.models import Contest, Organisation
from omov.web.discussion.models import (
    Declaration,
    Flag,
    Moderation,
    ModerationKind,
    ModerationState,
    Post,
    PostState,
)
from omov.web.discussion.rulings import (
    book_for,
    entry,
    in_force,
    log,
    moderator_check,
    rules_for,
    text_digest,
)
from omov.web.errors import ContestError
from omov.web.members.models import Member


def _decision(
    *,
    organisation: Organisation,
    kind: ModerationKind,
    ground: str | int,
    moderator: User,
    member: Member | None,
    reasons: str = "",
    item: tuple[str, int] | None = None,
    text: str = "",
    contest: Contest | None = None,
    state: ModerationState = ModerationState.IN_FORCE,
) -> Moderation:
    """A decision row on the rule ``ground`` of the rulebook in force (refused if it has no
    such rule)."""
    book = book_for(organisation)
    try:
        rule = house_rule(book, ground)
    except RulesError as error:  # names the rules the rulebook has
        raise ContestError(str(error)) from None
    supported = None
    if contest is not None and member is not None:
        supported = (
            Declaration.objects.filter(member=member, contest=contest)
            .values_list("candidate_id", flat=True)
            .first()
        )
    now = timezone.now()
    return Moderation.objects.create(
        organisation=organisation,
        kind=kind,
        state=state,
        rule=rule.number,
        ground=rule.code,
        label=ground_label(rule),
        citation=rule.citation,
        reasons=reasons.strip(),
        item_kind=item[0] if item else "",
        item_id=item[1] if item else None,
        member=member,
        identity_key=member.identity_key if member is not None else "",
        text_sha256=text_digest(text) if text else "",
        contest=contest,
        supported_id=supported,
        proposed_by=moderator,
        made_at=now,
        in_force_at=now if state == ModerationState.IN_FORCE else None,
    )


@transaction.atomic
def item_hide(
    *,
    organisation: Organisation,
    item_kind: str,
    item_id: int,
    author: Member | None,
    text: str,
    ground: str | int,
    moderator: User,
    reasons: str = "",
    contest: Contest | None = None,
) -> Moderation:
    """Hide what ``author`` wrote (``item_kind``/``item_id`` name it in the caller's app).
    The caller shows ``moderation.label`` in its place while ``moderation.state`` is in
    force, and shows it again once an appeal reverses it. Open flags on it are closed."""
    moderator_check(moderator, organisation)
    moderation = _decision(
        organisation=organisation,
        kind=ModerationKind.HIDE,
        ground=ground,
        moderator=moderator,
        member=author,
        reasons=reasons,
        item=(item_kind, item_id),
        text=text,
        contest=contest,
    )
    Flag.objects.filter(item_kind=item_kind, item_id=item_id).update(dealt_with=True)
    log(organisation, "moderation.hidden", entry(moderation, moderator))
    return moderation


@transaction.atomic
def post_hide(*, post: Post, ground: str | int, moderator: User, reasons: str = "") -> Moderation:
    """Hide a post (published or held): its place says "Hidden by a moderator: rule 3,
    personal abuse", and its author is told."""
    post = Post.objects.select_for_update(of=("self",)).select_related("thread").get(pk=post.pk)
    if post.state in (PostState.HIDDEN, PostState.ERASED):
        raise ContestError(gettext("this post is not shown, so there is nothing to hide"))
    thread = post.thread
    moderation = item_hide(
        organisation=thread.organisation,
        item_kind="post",
        item_id=post.pk,
        author=post.author,
        text=post.text,
        ground=ground,
        moderator=moderator,
        reasons=reasons,
        contest=thread.contest,
    )
    post.state, post.moderation = PostState.HIDDEN, moderation
    post.save(update_fields=["state", "moderation"])
    return moderation


@transaction.atomic
def post_release(*, post: Post, moderator: User) -> Post:
    """A moderator lets a held post through: published in its place in the thread."""
    post = (
        Post.objects.select_for_update(of=("self",))
        .select_related("thread__organisation")
        .get(pk=post.pk)
    )
    organisation = post.thread.organisation
    moderator_check(moderator, organisation)
    if post.state != PostState.HELD:
        raise ContestError(gettext("this post is not held for a moderator"))
    post.state = PostState.PUBLISHED
    post.save(update_fields=["state"])
    log(
        organisation,
        "moderation.released",
        {
            "item": f"post:{post.pk}",
            "sha256": text_digest(post.text),
            "actor": moderator.get_username(),
        },
    )
    return post


@transaction.atomic
def member_hold(
    *,
    member: Member,
    ground: str | int,
    moderator: User,
    reasons: str = "",
    days: int | None = None,
) -> Moderation:
    """Hold the person's writing for pre-moderation (for ``days``, or until lifted)."""
    organisation = member.organisation
    moderator_check(moderator, organisation)
    moderation = _decision(
        organisation=organisation,
        kind=ModerationKind.HOLD,
        ground=ground,
        moderator=moderator,
        member=member,
        reasons=reasons,
    )
    if days is not None:
        moderation.days, moderation.ends_at = days, moderation.made_at + dt.timedelta(days=days)
        moderation.save(update_fields=["days", "ends_at"])
    log(organisation, "moderation.held", entry(moderation, moderator, days=days))
    return moderation


@transaction.atomic
def hold_lift(*, moderation: Moderation, moderator: User) -> Moderation:
    moderation = Moderation.objects.select_for_update().get(pk=moderation.pk)
    moderator_check(moderator, moderation.organisation)
    if moderation.kind != ModerationKind.HOLD or moderation.state != ModerationState.IN_FORCE:
        raise ContestError(gettext("this is not a hold in force"))
    moderation.state = ModerationState.LIFTED
    moderation.save(update_fields=["state"])
    log(moderation.organisation, "moderation.hold-lifted", entry(moderation, moderator))
    return moderation


@transaction.atomic
def suspension_propose(
    *,
    member: Member,
    ground: str | int,
    days: int,
    moderator: User,
    reasons: str,
    contest: Contest | None = None,
) -> Moderation:
    """Propose suspending the person from discussion for ``days``; it takes effect when a
    second moderator confirms it (at once, if the rulebook asks for no second)."""
    organisation = member.organisation
    moderator_check(moderator, organisation)
    book = book_for(organisation)
    decided = suspension_decision(book, ground, days=days)
    if decided.kind is DecisionKind.REFUSED:
        raise ContestError(decided.summary)
    if not reasons.strip():
        raise ContestError(gettext("a suspension needs the moderator's reasons, for the second"))
    waiting = Moderation.objects.filter(
        organisation=organisation,
        identity_key=member.identity_key,
        kind=ModerationKind.SUSPEND,
        state=ModerationState.PROPOSED,
    )
    if waiting.exists():
        raise ContestError(gettext("a suspension of this member is already awaiting confirmation"))
    moderation = _decision(
        organisation=organisation,
        kind=ModerationKind.SUSPEND,
        ground=ground,
        moderator=moderator,
        member=member,
        reasons=reasons,
        contest=contest,
        state=ModerationState.PROPOSED,
    )
    moderation.days = days
    moderation.save(update_fields=["days"])
    log(organisation, "moderation.suspension-proposed", entry(moderation, moderator, days=days))
    if not rules_for(organisation).second_moderator:
        return _confirm(moderation, moderator)
    return moderation


@transaction.atomic
def suspension_confirm(*, moderation: Moderation, moderator: User) -> Moderation:
    """A second moderator confirms: the suspension is in force on the person."""
    moderation = Moderation.objects.select_for_update().get(pk=moderation.pk)
    moderator_check(moderator, moderation.organisation)
    _awaiting(moderation, moderator)
    return _confirm(moderation, moderator)


def _awaiting(moderation: Moderation, moderator: User) -> None:
    if moderation.kind != ModerationKind.SUSPEND or moderation.state != ModerationState.PROPOSED:
        raise ContestError(gettext("this suspension is not awaiting confirmation"))
    if moderation.proposed_by_id == moderator.pk:
        raise ContestError(
            gettext(
                "the moderator who proposed a suspension cannot confirm it: a second moderator must"
            )
        )


def _confirm(moderation: Moderation, moderator: User) -> Moderation:
    now = timezone.now()
    moderation.state, moderation.confirmed_by = ModerationState.IN_FORCE, moderator
    moderation.in_force_at = now
    moderation.ends_at = now + dt.timedelta(days=moderation.days or 0)
    moderation.save(update_fields=["state", "confirmed_by", "in_force_at", "ends_at"])
    log(
        moderation.organisation,
        "moderation.suspended",
        entry(
            moderation,
            moderator,
            proposed_by=moderation.proposed_by.get_username(),
            days=moderation.days,
        ),
    )
    from omov.web.discussion.appeals import registrations_screen  # reviews build on this

    registrations_screen(organisation=moderation.organisation)
    return moderation


@transaction.atomic
def suspension_reject(*, moderation: Moderation, moderator: User) -> Moderation:
    moderation = Moderation.objects.select_for_update().get(pk=moderation.pk)
    moderator_check(moderator, moderation.organisation)
    _awaiting(moderation, moderator)
    moderation.state, moderation.confirmed_by = ModerationState.NOT_CONFIRMED, moderator
    moderation.save(update_fields=["state", "confirmed_by"])
    log(
        moderation.organisation, "moderation.suspension-not-confirmed", entry(moderation, moderator)
    )
    return moderation


def person_decisions(member: Member) -> list[Moderation]:
    """Decisions in force on ``member``'s person (for the member's own page)."""
    return list(
        Moderation.objects.filter(
            in_force(), organisation_id=member.organisation_id, identity_key=member.identity_key
        ).order_by("-made_at")
    )
