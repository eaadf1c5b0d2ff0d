"""Written hustings in the web app: opened in the campaign, members ask and support
questions (one member, one vote), the rules choose the questions put, every candidate
answers within the same limit and deadline, and the answers are published side by side
with equal time checked. Every step is an entry of the contest's log."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from omov.web.access.models import Role
from omov.web.audit.models import AuditEvent
from omov.web.contests.models import Contest, Organisation
from omov.web.errors import ContestError
from omov.web.hustings.models import Answer, Chosen, Support
from omov.web.hustings.services import (
    ALREADY,
    answer_give,
    hustings_open,
    question_ask,
    question_support,
    questions_choose,
)
from omov.web.jobs.schedule import schedule_tick
from omov.web.members.models import Unit

from .conftest import officer_of, open_contest
from .hustings_helpers import DAY, Campaign, campaign
from .members_helpers import make_member, sign_in_member
from .test_plain_language import _codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready() -> Campaign:
    return campaign()


def logged(contest: Contest, kind: str) -> list[dict[str, object]]:
    rows = AuditEvent.objects.filter(stream=contest.stream, kind=kind).order_by("sequence")
    return [json.loads(row.payload) for row in rows]


def after_questions(ready: Campaign) -> dt.datetime:
    return ready.hustings.questions_close_at + dt.timedelta(minutes=1)


def test_the_hustings_open_in_the_campaign_with_the_rules_schedule(ready: Campaign) -> None:
    hustings = ready.hustings
    assert hustings.questions_close_at - hustings.opens_at == 7 * DAY
    assert hustings.answers_due_at - hustings.questions_close_at == 7 * DAY
    assert (hustings.question_words, hustings.answer_words) == (75, 250)
    (opened,) = logged(ready.contest, "hustings.opened")
    decision = opened["schedule"]
    assert isinstance(decision, dict)
    assert decision["kind"] == "hustings-scheduled"
    assert decision["citation"].startswith("NEC procedural guidelines 2016")
    with pytest.raises(ContestError, match="already open"):
        hustings_open(contest=ready.contest)


def test_the_hustings_do_not_open_while_nominations_are_open() -> None:
    contest = open_contest()
    with pytest.raises(ContestError, match="nominations open"):
        hustings_open(contest=contest)


def test_asking_counts_as_support_and_each_member_supports_once(ready: Campaign) -> None:
    ann, bea, _ = ready.members
    question = question_ask(contest=ready.contest, member=ann, text="Will you keep OMOV?")
    assert question.number == 1
    assert question.group == "members"
    question_support(contest=ready.contest, number=1, member=bea)
    for member in (ann, bea):
        with pytest.raises(ContestError) as refused:
            question_support(contest=ready.contest, number=1, member=member)
        assert str(refused.value) == ALREADY
    assert Support.objects.filter(question=question).count() == 2
    (asked,) = logged(ready.contest, "hustings.question.asked")
    assert asked["reference"] == f"member:{ann.pk}"
    assert "Will you" not in json.dumps(asked)  # the log keeps a digest, not the text
    assert len(logged(ready.contest, "hustings.question.supported")) == 1


def test_who_may_not_ask_is_told_why(ready: Campaign) -> None:
    organisation = ready.contest.organisation
    lapsed = make_member(organisation, standing="lapsed")
    with pytest.raises(ContestError, match="membership is lapsed cannot take part"):
        question_ask(contest=ready.contest, member=lapsed, text="Why?")
    elsewhere = make_member(Organisation.objects.create(name="Elsewhere"))
    with pytest.raises(ContestError, match="Only members of Test Party"):
        question_ask(contest=ready.contest, member=elsewhere, text="Why?")
    with pytest.raises(ContestError, match="The question has 76 words; at most 75"):
        question_ask(contest=ready.contest, member=ready.members[0], text="why " * 76)
    with (
        time_machine.travel(after_questions(ready), tick=False),
        pytest.raises(ContestError, match="Questions are closed"),
    ):
        question_ask(contest=ready.contest, member=ready.members[0], text="Why?")


def _ask_and_choose(ready: Campaign) -> None:
    ann, bea, cal = ready.members
    question_ask(contest=ready.contest, member=ann, text="Will you keep one member, one vote?")
    question_ask(contest=ready.contest, member=bea, text="What will you do for the unions?")
    for member in (bea, cal):
        question_support(contest=ready.contest, number=1, member=member)
    with pytest.raises(ContestError, match="until questions close"):
        questions_choose(contest=ready.contest)
    with time_machine.travel(after_questions(ready), tick=False):
        questions_choose(contest=ready.contest)


def test_the_rules_choose_the_questions_put_and_the_log_says_why(ready: Campaign) -> None:
    _ask_and_choose(ready)
    chosen = list(Chosen.objects.order_by("position").values_list("question__number", "support"))
    assert chosen == [(1, 3), (2, 1)]
    (entry,) = logged(ready.contest, "hustings.questions.chosen")
    decisions = entry["decisions"]
    assert isinstance(decisions, list)
    assert decisions[0]["arithmetic"] == "3 members support it: the most supported of 2"
    with (
        time_machine.travel(after_questions(ready), tick=False),
        pytest.raises(ContestError, match="already been chosen"),
    ):
        questions_choose(contest=ready.contest)


def test_an_answer_over_the_limit_or_late_is_refused_and_equal_time_is_shown(
    ready: Campaign,
) -> None:
    _ask_and_choose(ready)
    corbyn, smith = ready.candidate_members
    contest = ready.contest
    with time_machine.travel(after_questions(ready), tick=False):
        with pytest.raises(ContestError, match="The answer has 251 words; at most 250"):
            answer_give(contest=contest, number=1, member=corbyn, text="yes " * 251)
        with pytest.raises(ContestError, match="Only the candidates answer"):
            answer_give(contest=contest, number=1, member=ready.members[0], text="Yes.")
        answer_give(contest=contest, number=1, member=corbyn, text="Yes, " + "always " * 249)
        with pytest.raises(ContestError, match="answered this question already"):
            answer_give(contest=contest, number=1, member=corbyn, text="Yes.")
    late = ready.hustings.answers_due_at + dt.timedelta(minutes=1)
    with (
        time_machine.travel(late, tick=False),
        pytest.raises(ContestError, match="The deadline for answers has passed"),
    ):
        answer_give(contest=contest, number=1, member=smith, text="Yes.")
    answer = Answer.objects.get()
    assert (answer.words, answer.word_limit, answer.due_at) == (
        250,
        250,
        ready.hustings.answers_due_at,
    )
    (given,) = logged(contest, "hustings.answer.given")
    assert given["candidate"] == "Jeremy Corbyn"
    assert given["words"] == 250


def _member_client(member: object) -> Client:
    client = Client()
    sign_in_member(client, member)  # type: ignore[arg-type]
    return client


def test_members_ask_support_and_read_the_answers_side_by_side(ready: Campaign) -> None:
    contest = ready.contest
    page = reverse("hustings", args=[contest.pk])
    ann = _member_client(ready.members[0])
    asked = ann.post(reverse("hustings-ask", args=[contest.pk]), {"text": "Will you keep OMOV?"})
    assert asked.status_code == 302
    bea = _member_client(ready.members[1])
    support = reverse("hustings-support", args=[contest.pk, 1])
    assert bea.post(support).status_code == 302
    assert "You support question 1." in bea.get(page).content.decode()
    bea.post(support)
    assert ALREADY in bea.get(page).content.decode()
    body = ann.get(page).content.decode()
    assert "2 supporting" in body
    with time_machine.travel(after_questions(ready), tick=False):
        questions_choose(contest=contest)
        # signed in again: a week on, the sessions signed in before have expired
        ann = _member_client(ready.members[0])
        corbyn, smith = (_member_client(m) for m in ready.candidate_members)
        answer = reverse("hustings-answer", args=[contest.pk, 1])
        refused = corbyn.post(answer, {"text": "no " * 251}, follow=True)
        assert "The answer has 251 words; at most 250" in refused.content.decode()
        corbyn.post(answer, {"text": "Yes: one member, one vote."})
        waiting = ann.get(page).content.decode()
        assert "Yes: one member, one vote." not in waiting  # not until both have answered
        assert "1 of 2 candidates have answered" in waiting
        smith.post(answer, {"text": "Yes, and more."})
        body = ann.get(page).content.decode()
    assert "Yes: one member, one vote." in body
    assert "Yes, and more." in body
    assert "Equal time: every candidate answered within the same limit (250 words, by" in body
    assert _codes(ann, page) == []


def test_the_page_is_for_members_of_the_contests_organisation(ready: Campaign) -> None:
    page = reverse("hustings", args=[ready.contest.pk])
    anonymous = Client().get(page)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("member-sign-in"))
    other = campaign(name="Another Party")
    outsider = _member_client(other.members[0])
    assert outsider.get(page).status_code == 403
    assert (
        outsider.post(reverse("hustings-ask", args=[ready.contest.pk]), {"text": "Hi"}).status_code
        == 403
    )
    assert not ready.hustings.questions.exists()
    home = _member_client(ready.members[0]).get(reverse("member-home")).content.decode()
    assert f'<a href="{page}">Hustings: Leadership election</a>' in home
    assert page not in outsider.get(reverse("member-home")).content.decode()


def test_officers_link_candidates_and_choose_on_their_page(ready: Campaign) -> None:
    contest = ready.contest
    officer = officer_of(contest.organisation, Role.RETURNING_OFFICER)
    page = reverse("hustings-officer", args=[contest.pk])
    body = officer.get(page).content.decode()
    assert "Jeremy Corbyn" in body
    assert ready.candidate_members[0].display_name in body
    link = reverse("hustings-candidate", args=[contest.pk])
    wrong = officer.post(
        link, {"candidate": ready.candidates[0].pk, "number": "nobody"}, follow=True
    )
    assert "No member of this organisation has that membership number." in wrong.content.decode()
    question_ask(contest=contest, member=ready.members[0], text="Will you keep OMOV?")
    with time_machine.travel(after_questions(ready), tick=False):
        officer = officer_of(contest.organisation, Role.RETURNING_OFFICER, username="ro2")
        chosen = officer.post(reverse("hustings-choose", args=[contest.pk]), follow=True)
    assert "The questions are chosen" in chosen.content.decode()
    assert Chosen.objects.count() == 1
    assert _codes(officer, page) == []
    scrutineer = officer_of(contest.organisation, Role.SCRUTINEER, username="scrutineer")
    assert scrutineer.post(reverse("hustings-open", args=[contest.pk])).status_code == 403


def test_a_late_opening_is_refused_with_the_rules_reason() -> None:
    ready = campaign()
    contest = ready.contest
    Contest.objects.filter(pk=contest.pk).update(ballot_closes_at=timezone.now() + 3 * DAY)
    ready.hustings.delete()
    with pytest.raises(ContestError, match="too little of the campaign is left"):
        hustings_open(contest=contest)


REGIONS = """[hustings.choice]
questions = 2
minimum_share = "50%"
grouped_by = "unit"
unit_kind = "clp"
citation = "Regional scheme"
"""


def test_a_region_outvoted_still_has_its_best_question_put() -> None:
    """Under rules that owe each CLP one of two questions, the second most supported
    question from Islington North gives way to Islington South's only one."""
    ready = campaign(members=0, choice=REGIONS)
    organisation = ready.contest.organisation
    north = Unit.objects.create(organisation=organisation, kind="clp", code="N", name="North CLP")
    south = Unit.objects.create(organisation=organisation, kind="clp", code="S", name="South CLP")
    askers = [make_member(organisation, units=[u]) for u in (north, north, south)]
    supporters = [make_member(organisation, units=[north]) for _ in range(3)]
    for asker, text in zip(askers, ("First?", "Second?", "Third?"), strict=True):
        question_ask(contest=ready.contest, member=asker, text=text)
    for number, backers in ((1, 3), (2, 2)):
        for supporter in supporters[:backers]:
            question_support(contest=ready.contest, number=number, member=supporter)
    with time_machine.travel(after_questions(ready), tick=False):
        questions_choose(contest=ready.contest)
    chosen = Chosen.objects.order_by("position")
    assert [c.question.number for c in chosen] == [1, 3]
    assert [c.question.group for c in chosen] == ["N", "S"]
    assert chosen[1].explanation.startswith("Among the most supported questions from South CLP")


def test_the_timetable_puts_the_questions_when_they_close(ready: Campaign) -> None:
    question_ask(contest=ready.contest, member=ready.members[0], text="Will you keep OMOV?")
    close = ready.hustings.questions_close_at
    assert not any("hustings" in q for q in schedule_tick(close - dt.timedelta(seconds=1)))
    with time_machine.travel(close, tick=False):
        assert f"hustings-choose  of contest {ready.contest.pk}" in schedule_tick()
        assert schedule_tick() == []  # once
    assert Chosen.objects.get().question.number == 1
    (chosen,) = logged(ready.contest, "hustings.questions.chosen")
    assert chosen["actor"] is None
