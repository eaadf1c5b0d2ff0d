"""Moderation of hustings questions through discussion's house rules: a member flags a
question, a moderator hides it on a rule (its place says so; it takes no support and is not
put), its author appeals, and the panel upholding the appeal shows it again. A person
suspended from discussion asks no question. Each step is in the contest's log."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from omov.web.access.models import Role
from omov.web.access.services import membership_grant
from omov.web.audit.models import AuditEvent
from omov.web.discussion.appeals import appeal_decide, appeal_lodge
from omov.web.discussion.models import Flag
from omov.web.discussion.moderation import suspension_confirm, suspension_propose
from omov.web.errors import ContestError
from omov.web.hustings.models import Chosen
from omov.web.hustings.moderation import question_flag, question_hide
from omov.web.hustings.services import question_ask, question_support, questions_choose

from .conftest import officer_of
from .hustings_helpers import Campaign, campaign
from .members_helpers import sign_in_member

pytestmark = pytest.mark.django_db


def _user(ready: Campaign, name: str, *roles: Role):
    user = get_user_model().objects.create_user(name)  # no password: never signs in
    membership_grant(user=user, organisation=ready.contest.organisation, roles=list(roles))
    return user


def _kinds(ready: Campaign) -> list[str]:
    rows = AuditEvent.objects.filter(stream=ready.contest.stream, kind__startswith="hustings.q")
    return list(rows.order_by("sequence").values_list("kind", flat=True))


def test_flagged_hidden_appealed_and_shown_again() -> None:
    ready = campaign()
    contest = ready.contest
    ann, bea, cal = ready.members
    question_ask(contest=contest, member=ann, text="Why is X such a liar?")
    question_ask(contest=contest, member=bea, text="Will you keep OMOV?")
    with pytest.raises(ContestError, match="cannot flag your own question"):
        question_flag(contest=contest, number=1, member=ann, ground="abuse")
    question_flag(contest=contest, number=1, member=bea, ground="abuse")
    with pytest.raises(ContestError, match="already flagged"):
        question_flag(contest=contest, number=1, member=bea, ground="abuse")
    assert Flag.objects.get().dealt_with is False
    moderator = _user(ready, "mod", Role.MODERATOR)
    with pytest.raises(ContestError, match="only a moderator"):
        question_hide(
            contest=contest, number=1, ground="abuse", moderator=_user(ready, "ro", Role.SCRUTINEER)
        )
    decision = question_hide(
        contest=contest, number=1, ground="abuse", moderator=moderator, reasons="Name-calling"
    )
    assert decision.label == "rule 3, personal abuse"
    assert Flag.objects.get().dealt_with is True
    with pytest.raises(ContestError, match="takes no support"):
        question_support(contest=contest, number=1, member=cal)
    page = reverse("hustings", args=[contest.pk])
    reader = Client()
    sign_in_member(reader, cal)
    body = reader.get(page).content.decode()
    assert "Question 1: Hidden by a moderator: rule 3, personal abuse." in body
    assert "such a liar" not in body
    author = Client()
    sign_in_member(author, ann)
    mine = author.get(page).content.decode()
    assert "such a liar" in mine  # its author still reads it, and may appeal
    assert reverse("discussion-appeal", args=[decision.pk]) in mine
    appeal = appeal_lodge(moderation=decision, member=ann, grounds="It asks about a record")
    with time_machine.travel(ready.hustings.questions_close_at, tick=False):
        questions_choose(contest=contest)
    assert [c.question.number for c in Chosen.objects.all()] == [2]  # the hidden one is not put
    panel = _user(ready, "panel", Role.APPEALS_PANEL)
    appeal_decide(
        appeal=appeal, uphold=True, reasons="A fair question, sharply put", panel_member=panel
    )
    assert "such a liar" in reader.get(page).content.decode()
    assert _kinds(ready) == [
        "hustings.question.asked",
        "hustings.question.asked",
        "hustings.question.flagged",
        "hustings.question.hidden",
        "hustings.questions.chosen",
    ]
    hidden = AuditEvent.objects.get(stream=contest.stream, kind="hustings.question.hidden")
    assert json.loads(hidden.payload)["actor"] == "mod"


def test_a_person_suspended_from_discussion_asks_no_question() -> None:
    ready = campaign()
    ann = ready.members[0]
    first = _user(ready, "mod1", Role.MODERATOR)
    second = _user(ready, "mod2", Role.MODERATOR)
    proposed = suspension_propose(
        member=ann, ground="abuse", days=30, moderator=first, reasons="Repeated abuse"
    )
    suspension_confirm(moderation=proposed, moderator=second)
    with pytest.raises(ContestError, match="suspended from discussion"):
        question_ask(contest=ready.contest, member=ann, text="Will you keep OMOV?")


def test_members_flag_and_moderators_hide_on_the_pages() -> None:
    ready = campaign()
    contest = ready.contest
    question_ask(contest=contest, member=ready.members[0], text="Why is X such a liar?")
    bea = Client()
    sign_in_member(bea, ready.members[1])
    flagged = bea.post(
        reverse("hustings-flag", args=[contest.pk, 1]), {"ground": "abuse"}, follow=True
    )
    assert "a moderator will look at question 1" in flagged.content.decode()
    moderator = officer_of(contest.organisation, Role.MODERATOR, username="mod")
    officer_page = reverse("hustings-officer", args=[contest.pk])
    assert "flagged by 1" in moderator.get(officer_page).content.decode()
    hide = reverse("hustings-hide", args=[contest.pk, 1])
    returning = officer_of(contest.organisation, Role.RETURNING_OFFICER, username="ro")
    assert returning.post(hide, {"ground": "abuse"}).status_code == 403
    done = moderator.post(hide, {"ground": "abuse", "reasons": "Name-calling"}, follow=True)
    assert "Question 1 is hidden" in done.content.decode()
    assert "Question 1: Hidden by a moderator: rule 3, personal abuse." in done.content.decode()
