"""The officer's forms for the events the rules weigh (a motion, a resignation, a date the
committee sets): each needs its confirmation, is parsed by its form, and the page then
says what the rules engine decided on it, with the clause."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from omov.rules.schema import DateKind
from omov.web.access.models import Role
from omov.web.contests.models import Contest, ContestEvent
from omov.web.wording import DATE_KINDS

from .conftest import officer_of, open_contest

pytestmark = pytest.mark.django_db


def _post(client: Client, name: str, contest: Contest, form: dict[str, str]) -> str:
    response = client.post(reverse(name, args=[contest.pk]), form, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_the_plp_motion_is_recorded_and_has_no_standing() -> None:
    contest = open_contest(body=251)
    officer = officer_of(contest.organisation, Role.RETURNING_OFFICER)
    motion = {
        "motion-body": "plp",
        "motion-motion": "no-confidence",
        "motion-votes_for": "172",
        "motion-votes_against": "40",
    }
    page = _post(officer, "motion-record", contest, motion)
    assert "Nothing was done: tick the box" in page
    assert not ContestEvent.objects.filter(contest=contest, kind="motion").exists()
    page = _post(officer, "motion-record", contest, motion | {"confirm": "yes"})
    assert "Motion recorded. The rules decide:" in page
    assert "The PLP no-confidence motion has no standing (carried 172–40)" in page
    assert "A challenge needs 51 nominations." in page
    assert "(Ch4 Cl II" in page  # the clause
    assert ContestEvent.objects.filter(contest=contest, kind="motion").count() == 1
    bad = _post(
        officer, "motion-record", contest, motion | {"motion-votes_for": "-1", "confirm": "yes"}
    )
    assert "Nothing was recorded: Votes for:" in bad
    assert ContestEvent.objects.filter(contest=contest, kind="motion").count() == 1


def test_a_resignation_from_another_office_triggers_nothing() -> None:
    contest = open_contest(body=251)
    officer = officer_of(contest.organisation, Role.RETURNING_OFFICER)
    page = officer.get(reverse("contest-dashboard", args=[contest.pk])).content.decode()
    assert "Record a resignation" in page
    form = {
        "resignation-holder": "Heidi Alexander",
        "resignation-office": "another",
        "resignation-other_office": "shadow-health",
        "confirm": "yes",
    }
    page = _post(officer, "resignation-record", contest, form)
    assert "Resignation recorded. The rules decide:" in page
    assert "Heidi Alexander resigns as shadow-health: no contest" in page
    unnamed = _post(officer, "resignation-record", contest, form | {"resignation-other_office": ""})
    assert "Nothing was recorded" in unnamed
    assert "name the other office" in unnamed
    event = ContestEvent.objects.get(contest=contest, kind="resignation")
    assert event.event["office"] == "shadow-health"


def test_the_nec_sets_the_supporter_window_and_eligibility_uses_it() -> None:
    contest = open_contest(body=251)
    officer = officer_of(contest.organisation, Role.RETURNING_OFFICER)
    form = {
        "date-what": "supporter-window-opens",
        "date-value": "2016-07-18 17:00",
        "date-section": "",
        "date-by": "the NEC",
        "confirm": "yes",
    }
    page = _post(officer, "date-set", contest, form)
    assert "Date set. The rules decide:" in page
    assert "the NEC sets the supporter window opens: 18 July 2016" in page
    assert "Ch4 Cl II.2.C.vii" in page
    assert "registered-supporters: applied from 18 July 2016 17:00 (set by the NEC" in page


def test_a_date_the_rulebook_fixes_cannot_be_set() -> None:
    """The Green Party's 2021 rules fix their own dates: the engine says so, with its clause."""
    from omov.web.contests.services import contest_open, organisation_create, rulebook_load

    base = open_contest()
    party = organisation_create(name="Green Party")
    rulebook = rulebook_load(organisation=party, key="green/2021")
    contest = contest_open(
        rulebook=rulebook,
        title="Leadership election 2021",
        nominating_body_size=rulebook.typed.body_size or 1,
        freeze_date=base.freeze_date,
        ballot_opens_at=base.ballot_opens_at,
        ballot_closes_at=base.ballot_closes_at,
    )
    officer = officer_of(party, Role.RETURNING_OFFICER, username="green-ro")
    form = {"date-what": "freeze-date", "date-value": "2021-06-01 00:00", "confirm": "yes"}
    page = _post(officer, "date-set", contest, form)
    assert "The freeze date cannot be set for this contest" in page
    assert "no committee may set it" in page


def test_every_date_kind_has_its_name() -> None:
    assert {kind.value for kind in DateKind} == set(DATE_KINDS)
