"""Every shipped rulebook's rolls import through the officer's pages: each section's CSV
template is downloaded from the contest page and imported as it is, eligibility runs with
the contest's dates (the page prints each date a check used), and a statutory union
ballot offers only the channel its rules allow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from omov.web.access.models import Role
from omov.web.balloting.services import (
    ballot_cast,
    ballot_open,
    credentials_issue,
    postal_import,
)
from omov.web.contests.models import Contest
from omov.web.contests.rulebooks import shipped_keys
from omov.web.contests.services import (
    candidate_add,
    contest_open,
    organisation_create,
    rulebook_load,
)
from omov.web.electorate.models import Eligibility
from omov.web.electorate.rolls import sections
from omov.web.electorate.services import electorate_freeze, roll_import
from omov.web.errors import ContestError
from omov.web.jobs.services import codes_mailing_start
from omov.web.nominations.services import nomination_record, nominations_close
from omov.web.trustees.simulation import SimulatedTrustees

from .conftest import member_roll, officer_of

pytestmark = pytest.mark.django_db


def _contest(
    key: str, *, freeze: dt.date = dt.date(2016, 1, 12), body: int = 10
) -> tuple[Contest, Client]:
    organisation = organisation_create(name="An Organisation")
    officer = officer_of(organisation, Role.RETURNING_OFFICER)
    now = timezone.now()
    contest = contest_open(
        rulebook=rulebook_load(organisation=organisation, key=key),
        title="Election",
        nominating_body_size=body,
        freeze_date=freeze,
        ballot_opens_at=now - dt.timedelta(hours=1),
        ballot_closes_at=now + dt.timedelta(days=1),
    )
    return contest, officer


@pytest.mark.parametrize("key", shipped_keys())
def test_each_sections_template_downloads_and_imports_through_the_page(key: str) -> None:
    contest, officer = _contest(key)
    names = [name for name, _ in sections(contest)]
    assert names, key
    page = officer.get(reverse("contest-dashboard", args=[contest.pk])).content.decode()
    for name in names:
        url = reverse("roll-template", args=[contest.pk, name])
        assert url in page
        template = officer.get(url)
        assert template.status_code == 200
        assert template["Content-Type"].startswith("text/csv")
        upload = template.content
        response = officer.post(
            reverse("roll-import", args=[contest.pk]),
            {"section": name, "roll": _file(upload, name)},
        )
        assert response.status_code == 302
    imported = contest.electors.values_list("section", flat=True)
    assert sorted(set(imported)) == sorted(names)
    # The template's example person is one human across the sections: one ballot at most.
    assert contest.electors.filter(eligibility=Eligibility.ELIGIBLE).count() == 1


def _file(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{name}.csv", data, content_type="text/csv")


def test_a_section_the_rulebook_lacks_has_no_template() -> None:
    contest, officer = _contest("green/2021")
    response = officer.get(reverse("roll-template", args=[contest.pk, "registered-supporters"]))
    assert response.status_code == 404


def test_the_officers_freeze_date_decides_and_the_page_prints_each_date_used() -> None:
    roll = (
        b"membership_number,email,date_of_birth,join_date,status,arrears\n"
        b"M1,m1@example.org,1970-01-01,2016-02-01,active,false\n"
        b"M2,m2@example.org,1970-01-01,2016-03-01,active,false\n"
    )
    contest, officer = _contest("labour/2016", freeze=dt.date(2016, 2, 15))
    officer.post(
        reverse("roll-import", args=[contest.pk]),
        {"section": "members", "roll": _file(roll, "members")},
    )
    decided = dict(contest.electors.values_list("reference", "reason"))
    # Joined 1 February: after the rulebook's 12 January, before the officer's 15 February.
    assert decided == {"M1": "eligible", "M2": "joined_after_freeze"}
    page = officer.get(reverse("contest-dashboard", args=[contest.pk])).content.decode()
    assert "members: joined on or before 15 February 2016" in page
    assert "supporters: applied from" in page  # the supporter window, one line each


def test_a_statutory_union_ballot_is_postal_only() -> None:
    contest, officer = _contest("union/general-secretary-1992", body=20)
    assert not contest.online_voting
    names = ("Ann Branch", "Ben Branch")
    candidates = [candidate_add(contest=contest, name=name) for name in names]
    for n in range(20):  # ten branches each (the union's own rule)
        nomination_record(candidate=candidates[n % 2], nominator=f"Branch {n}")
    nominations_close(contest=contest)
    roll_import(contest=contest, section="members", data=member_roll(3, late=0))
    electorate_freeze(contest=contest)
    with pytest.raises(ContestError, match="postal only"):
        codes_mailing_start(contest=contest)  # the officer's "send voting codes"
    codes = credentials_issue(contest=contest, send=True)
    assert mail.outbox == []  # the codes go on the ballot papers
    assert not contest.mailings.exists()
    trustees = SimulatedTrustees(contest)
    trustees.make_key()
    ballot_open(contest=contest)
    code = next(iter(codes.values()))
    with pytest.raises(ContestError, match="postal only"):
        ballot_cast(contest=contest.pk, code=code, ranking=[1])
    with pytest.raises(ContestError, match="postal only"), transaction.atomic():
        ballot_cast(contest=contest.pk, code=code, ranking=[1])  # the ORM path
    page = Client().get(reverse("vote-start", args=[contest.pk])).content.decode()
    assert "postal only" in page
    assert 'name="code"' not in page
    dashboard = officer.get(reverse("contest-dashboard", args=[contest.pk])).content.decode()
    assert "s.51" in dashboard
    outcomes = postal_import(contest=contest, text=f"credential,preferences\n{code},Ann Branch\n")
    assert [o.accepted for o in outcomes] == [True]
