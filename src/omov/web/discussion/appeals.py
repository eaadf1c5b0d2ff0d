"""Appeals against moderation, and registrations that match a suspended person.

An appeal goes to the organisation's appeals panel within the rulebook's days; nobody who
acted on the decision hears it, and it is decided with written reasons. Upheld, the decision
is reversed: a hidden post is shown again, held posts are published, a suspension ends.

A suspension follows the person. A registration (a new registered supporter, say) whose
identity key, or whose name and date of birth, match a suspended person's is never
refused: ``registrations_screen`` flags it for review and holds what the account writes;
a moderator decides whether it is the same person (``review_decide``), and the person may
appeal a wrong match.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from omov.rules.house_rules import appeal_refusal
from omov.web.contests.models import Organisation
from omov.web.discussion.models import (
    Appeal,
    AppealState,
    Moderation,
    ModerationKind,
    ModerationState,
    Post,
    PostState,
    Review,
    ReviewState,
)
from omov.web.discussion.rulings import book_for, entry, in_force, log, moderator_check, panel_check
from omov.web.errors import ContestError
from omov.web.members.models import Member

SAME_NAME_AND_BIRTH = "the same name and date of birth"
SAME_EMAIL = "the same email address"


def _name(text: str) -> str:
    return " ".join(text.casefold().split())


def _match(subject: Member, other: Member) -> str | None:
    if other.email_normalised == subject.email_normalised:
        return SAME_EMAIL
    if other.date_of_birth == subject.date_of_birth and _name(other.full_name) == _name(
        subject.full_name
    ):
        return SAME_NAME_AND_BIRTH
    return None


@transaction.atomic
def registrations_screen(
    *, organisation: Organisation, members: Iterable[Member] | None = None
) -> list[Review]:
    """Flag for review every account (``members``, else all the organisation's) that
    matches a person under a suspension in force; the new reviews. Idempotent: an account
    already reviewed for a suspension is not flagged again for it."""
    suspensions = Moderation.objects.filter(
        in_force(), organisation=organisation, kind=ModerationKind.SUSPEND, member__isnull=False
    ).select_related("member")
    made = []
    wanted = None if members is None else {m.pk for m in members}
    for suspension in suspensions:
        subject = suspension.member
        assert subject is not None
        candidates = Member.objects.filter(organisation=organisation).exclude(
            identity_key=suspension.identity_key
        )
        candidates = candidates.filter(date_of_birth=subject.date_of_birth) | candidates.filter(
            email_normalised=subject.email_normalised
        )
        reviewed = set(suspension.reviews.values_list("member_id", flat=True))
        for other in candidates:
            if other.pk in reviewed or (wanted is not None and other.pk not in wanted):
                continue
            matched = _match(subject, other)
            if matched is None:
                continue
            review = Review.objects.create(
                organisation_id=suspension.organisation_id,
                member=other,
                suspension=suspension,
                matched_on=matched,
                state=ReviewState.OPEN,
            )
            log(
                suspension.organisation,
                "moderation.registration-flagged",
                {
                    "review": review.pk,
                    "moderation": suspension.pk,
                    "member": other.pk,
                    "matched_on": matched,
                    "rule": suspension.rule,
                },
            )
            made.append(review)
    return made


@transaction.atomic
def review_decide(*, review: Review, same_person: bool, moderator: User) -> Review:
    """Same person: the suspension applies to the account too, and its held posts are
    hidden under the suspension's rule. Not the same: the account is free, and its held
    posts are published."""
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("suspension")
        .get(pk=review.pk)
    )
    moderator_check(moderator, review.suspension.organisation)
    if review.state != ReviewState.OPEN:
        raise ContestError(gettext("this registration has already been reviewed"))
    review.state = ReviewState.SAME_PERSON if same_person else ReviewState.NOT_THE_SAME
    review.decided_by, review.decided_at = moderator, timezone.now()
    review.save(update_fields=["state", "decided_by", "decided_at"])
    held = Post.objects.filter(
        author=review.member, moderation=review.suspension, state=PostState.HELD
    )
    held.update(state=PostState.HIDDEN if same_person else PostState.PUBLISHED)
    log(
        review.suspension.organisation,
        "moderation.registration-reviewed",
        {
            "review": review.pk,
            "moderation": review.suspension_id,
            "member": review.member_id,
            "same_person": same_person,
            "actor": moderator.get_username(),
        },
    )
    return review


@transaction.atomic
def appeal_lodge(
    *, moderation: Moderation, member: Member, grounds: str, review: Review | None = None
) -> Appeal:
    """``member`` appeals a decision on them (or a review that found them to be a suspended
    person), within the rulebook's days."""
    moderation = Moderation.objects.select_for_update().get(pk=moderation.pk)
    if review is not None:
        review = Review.objects.get(pk=review.pk)
        if review.member_id != member.pk or review.state != ReviewState.SAME_PERSON:
            raise ContestError(gettext("only a review that found you to be a suspended person"))
        decided_at = review.decided_at
    else:
        if moderation.identity_key != member.identity_key:
            raise ContestError(gettext("you can appeal only a decision about you"))
        if moderation.state != ModerationState.IN_FORCE:
            raise ContestError(gettext("only a decision in force can be appealed"))
        decided_at = moderation.in_force_at
    assert decided_at is not None
    late = appeal_refusal(
        book_for(moderation.organisation), decided_at=decided_at, now=timezone.now()
    )
    if late is not None:
        raise ContestError(late.summary)
    if not grounds.strip():
        raise ContestError(gettext("an appeal needs its grounds"))
    if moderation.appeals.filter(state=AppealState.LODGED, member=member).exists():
        raise ContestError(gettext("you already have an appeal waiting on this decision"))
    appeal = Appeal.objects.create(
        moderation=moderation,
        review=review,
        member=member,
        grounds=grounds.strip(),
        state=AppealState.LODGED,
    )
    log(
        moderation.organisation,
        "moderation.appeal-lodged",
        {"appeal": appeal.pk, "moderation": moderation.pk, "review": review and review.pk},
    )
    return appeal


def acted_on(appeal: Appeal) -> set[int]:
    """The officers who acted on what is appealed: none of them may hear it."""
    moderation = appeal.moderation
    acted = {moderation.proposed_by_id, moderation.confirmed_by_id}
    if appeal.review is not None:
        acted.add(appeal.review.decided_by_id)
    return {pk for pk in acted if pk is not None}


@transaction.atomic
def appeal_decide(*, appeal: Appeal, uphold: bool, reasons: str, panel_member: User) -> Appeal:
    """The appeals panel decides, with written reasons; upheld, the decision is reversed
    and what it hid or held is shown again."""
    appeal = (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("moderation__organisation", "review")
        .get(pk=appeal.pk)
    )
    moderation = appeal.moderation
    panel_check(panel_member, moderation.organisation)
    if appeal.state != AppealState.LODGED:
        raise ContestError(gettext("this appeal has already been decided"))
    if not reasons.strip():
        raise ContestError(gettext("an appeal decision needs written reasons"))
    if panel_member.pk in acted_on(appeal):
        raise ContestError(gettext("a moderator who acted on the decision cannot hear its appeal"))
    appeal.state = AppealState.UPHELD if uphold else AppealState.DISMISSED
    appeal.reasons, appeal.decided_by, appeal.decided_at = (
        reasons.strip(),
        panel_member,
        timezone.now(),
    )
    appeal.save(update_fields=["state", "reasons", "decided_by", "decided_at"])
    if uphold:
        _reverse(appeal)
    log(
        moderation.organisation,
        "moderation.appeal-upheld" if uphold else "moderation.appeal-dismissed",
        entry(moderation, panel_member, appeal=appeal.pk, reasons=appeal.reasons),
    )
    return appeal


def _reverse(appeal: Appeal) -> None:
    moderation = appeal.moderation
    shown = (PostState.HELD, PostState.HIDDEN)
    if appeal.review is not None:  # a wrong match: the account is not the suspended person
        appeal.review.state = ReviewState.NOT_THE_SAME
        appeal.review.save(update_fields=["state"])
        Post.objects.filter(
            author_id=appeal.review.member_id, moderation=moderation, state__in=shown
        ).update(state=PostState.PUBLISHED)
        return
    moderation.state = ModerationState.REVERSED
    moderation.save(update_fields=["state"])
    Post.objects.filter(moderation=moderation, state__in=shown).update(state=PostState.PUBLISHED)
