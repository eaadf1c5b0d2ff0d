"""Fixtures that build contests through the services, stage by stage, as an officer would."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from omov.web.balloting.services import ballot_open, credentials_issue
from omov.web.contests.models import Candidate, Contest
from omov.web.contests.services import (
    candidate_add,
    contest_open,
    organisation_create,
    rulebook_load,
)
from omov.web.electorate.services import electorate_freeze, roll_import
from omov.web.nominations.services import nomination_record, nominations_close

SECTIONS = ("members", "registered supporters", "affiliated supporters")


def roll_csv(per_section: int = 4, late: int = 1) -> str:
    """``per_section`` eligible electors in each section, and ``late`` members who joined
    after the freeze date."""
    lines = ["reference,name,email,section,joined_on"]
    n = 0
    for section in SECTIONS:
        for _ in range(per_section):
            n += 1
            lines.append(f"R{n:04d},Elector {n},e{n}@example.org,{section},2015-06-01")
    for _ in range(late):
        n += 1
        lines.append(f"R{n:04d},Late {n},e{n}@example.org,members,2016-03-01")
    return "\n".join(lines) + "\n"


def open_contest(*, body: int = 10) -> Contest:
    organisation = organisation_create(name="Test Party")
    rulebook = rulebook_load(organisation=organisation, key="labour/2016")
    now = timezone.now()
    return contest_open(
        rulebook=rulebook,
        title="Leadership election",
        nominating_body_size=body,
        freeze_date=dt.date(2016, 1, 12),
        ballot_opens_at=now - dt.timedelta(hours=1),
        ballot_closes_at=now + dt.timedelta(days=1),
    )


@dataclass
class OpenBallot:
    contest: Contest
    candidates: list[Candidate]
    codes: dict[int, str]
    """elector id -> voting code"""


def ballot_ready(*, per_section: int = 4) -> OpenBallot:
    """A contest with three candidates on the ballot, codes issued and the ballot open."""
    contest = open_contest(body=10)  # threshold: 20% of 10 = 2
    names = ("Alice Incumbent", "Bob Challenger", "Carol Challenger")
    candidates = [
        candidate_add(contest=contest, name=name, incumbent=i == 0) for i, name in enumerate(names)
    ]
    for i, nominator in enumerate(("MP 1", "MP 2", "MP 3", "MP 4")):
        nomination_record(candidate=candidates[1 + i % 2], nominator=nominator)
    nominations_close(contest=contest)
    roll_import(contest=contest, text=roll_csv(per_section))
    electorate_freeze(contest=contest)
    codes = credentials_issue(contest=contest, send=False)
    ballot_open(contest=contest)
    contest.refresh_from_db()
    return OpenBallot(contest, candidates, codes)


@pytest.fixture
def open_ballot(db: None) -> OpenBallot:
    return ballot_ready()
