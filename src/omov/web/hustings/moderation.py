"""Moderation of hustings questions, through discussion's house rules and decisions
(``omov.web.discussion``): a member flags a question on a house rule, a moderator hides it
on one, and its author appeals to the panel, as with a post. A hidden question shows the
decision in its place, takes no support and is not put to the candidates; an appeal
upheld reverses the decision, and the question is shown again.

Each step is also an entry of the contest's log, as every hustings step is."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext

from omov.web.contests.models import Contest
from omov.web.discussion.models import Flag, Moderation, ModerationKind, ModerationState
from omov.web.discussion.moderation import item_hide
from omov.web.discussion.services import flag_record
from omov.web.errors import ContestError
from omov.web.hustings.models import Question
from omov.web.members.models import Member

ITEM = "hustings-question"
"""How discussion's flags and decisions name a hustings question (with its id)."""


def hidden(questions: list[int]) -> dict[int, Moderation]:
    """The decisions in force hiding any of ``questions`` (their ids), by question id."""
    found = Moderation.objects.filter(
        item_kind=ITEM,
        item_id__in=questions,
        kind=ModerationKind.HIDE,
        state=ModerationState.IN_FORCE,
    ).order_by("made_at")
    return {int(m.item_id): m for m in found if m.item_id is not None}


def flagged(questions: list[int]) -> dict[int, int]:
    """Open flags on any of ``questions``, counted by question id."""
    counts: dict[int, int] = {}
    for item in Flag.objects.filter(
        item_kind=ITEM, item_id__in=questions, dealt_with=False
    ).values_list("item_id", flat=True):
        counts[int(item)] = counts.get(int(item), 0) + 1
    return counts


def _question(contest: Contest, number: int) -> Question:
    question = (
        Question.objects.filter(hustings__contest=contest, number=number)
        .select_related("asker")
        .first()
    )
    if question is None:
        raise ContestError(gettext("There is no such question."))
    return question


@transaction.atomic
def question_flag(*, contest: Contest, number: int, member: Member, ground: str) -> Flag:
    """``member`` asks a moderator to look at a question, citing a house rule."""
    from omov.web.hustings.services import log_locked, person

    question = _question(contest, number)
    if member.organisation_id != contest.organisation_id:
        raise ContestError(
            gettext("Only members of %(organisation)s take part in its hustings.")
            % {"organisation": contest.organisation}
        )
    if question.asker_id == member.pk:
        raise ContestError(gettext("You cannot flag your own question."))
    if question.pk in hidden([question.pk]):
        raise ContestError(gettext("A moderator has hidden this question already."))
    flag = flag_record(member=member, item_kind=ITEM, item_id=question.pk, ground=ground)
    log_locked(
        contest,
        "hustings.question.flagged",
        {"question": number, "reference": person(member), "ground": flag.ground},
    )
    return flag


@transaction.atomic
def question_hide(
    *, contest: Contest, number: int, ground: str, moderator: User, reasons: str = ""
) -> Moderation:
    """A moderator hides a question on a house rule: its place says so, its author is
    told (discussion lists the decision with theirs) and may appeal."""
    from omov.web.hustings.services import log_locked

    question = _question(contest, number)
    if question.pk in hidden([question.pk]):
        raise ContestError(gettext("This question is hidden already."))
    moderation = item_hide(
        organisation=contest.organisation,
        item_kind=ITEM,
        item_id=question.pk,
        author=question.asker,
        text=question.text,
        ground=ground,
        moderator=moderator,
        reasons=reasons,
        contest=contest,
    )
    log_locked(
        contest,
        "hustings.question.hidden",
        {
            "question": number,
            "moderation": moderation.pk,
            "house_rule": moderation.label,
            "citation": moderation.citation,
            "actor": moderator.get_username(),
        },
    )
    return moderation
