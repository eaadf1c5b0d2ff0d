"""The officer's contest dashboard makes as many queries for a larger electorate, more
appeals and exclusions waiting, or a larger mailing under way as for a small one: every
figure it shows is read in a fixed number of queries (tallies, grouped rows, limits), never
one a row. Query counts, not times: bench/pages.py measures the time."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from omov.web.access.models import Role
from omov.web.contests.models import Contest, Organisation
from omov.web.electorate.models import Eligibility
from omov.web.electorate.services import appeal_lodge, elector_exclude
from omov.web.electorate.vetting import exclusion_propose
from omov.web.jobs.services import batch_claim, batch_prepare, codes_mailing_start, mailing_plan

from .conftest import import_rolls, nominated_contest, officer_of
from .jobs_helpers import frozen_contest

pytestmark = pytest.mark.django_db

BUDGET = 24
"""The dashboard's queries while the electorate is vetted (29 before the engine's replays
shared their events, the appeals were counted with their rows and the ballot boxes were
grouped only once the ballot closed): a change that adds one says so here."""


def _queries(client: Client, contest: Contest) -> int:
    """The queries of one dashboard request (after one that fills the process's caches)."""
    url = reverse("contest-dashboard", args=[contest.pk])
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as run:
        assert client.get(url).status_code == 200
    return len(run.captured_queries)


def _vetted(contest: Contest, per_section: int, decisions: int) -> None:
    """Rolls of ``per_section`` a section, and ``decisions`` exclusions each appealed and
    as many proposals awaiting a second officer."""
    import_rolls(contest, per_section)
    officer = get_user_model().objects.get_or_create(username="vetter")[0]
    eligible = contest.electors.filter(eligibility=Eligibility.ELIGIBLE).order_by("pk")
    for elector in eligible[:decisions]:
        appeal_lodge(elector=elector_exclude(elector=elector, grounds="Duplicate."), grounds="No.")
    for elector in eligible[:decisions]:
        exclusion_propose(elector=elector, ground="aims-and-values", note="Seen.", actor=officer)


def test_the_dashboard_makes_as_many_queries_for_a_larger_electorate() -> None:
    contest = nominated_contest()
    desk = officer_of(
        contest.organisation, Role.RETURNING_OFFICER, Role.VETTING_OFFICER, Role.APPEALS_PANEL
    )
    _vetted(contest, 3, 1)
    small = _queries(desk, contest)
    _vetted(contest, 80, 60)  # more electors than a page shows, more appeals than listed
    assert contest.electors.count() > 240
    assert _queries(desk, contest) == small
    assert small <= BUDGET


def _mailing_under_way(members: int) -> tuple[Contest, Client]:
    """A frozen contest of ``members`` whose codes mailing is planned and its first batch's
    codes made, and its returning officer's client."""
    contest = frozen_contest(members)
    mailing = mailing_plan(mailing_id=codes_mailing_start(contest=contest).pk)
    batch = batch_claim(mailing=mailing, worker="w")
    assert batch is not None
    batch_prepare(batch=batch)
    desk = officer_of(contest.organisation, Role.RETURNING_OFFICER, username=f"ro{members}")
    return contest, desk


def test_the_dashboard_makes_as_many_queries_for_a_larger_mailing(settings: Any) -> None:
    settings.OMOV_MAIL_BATCH = 4
    contest, desk = _mailing_under_way(5)
    small = _queries(desk, contest)
    # open_contest names its organisation: the first one steps aside for the second.
    Organisation.objects.filter(name="Test Party").update(name="Test Party (small)")
    contest, desk = _mailing_under_way(60)  # 15 batches
    assert _queries(desk, contest) == small
