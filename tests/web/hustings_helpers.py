"""A contest in its campaign, with members to ask and candidates to answer, for the tests of
``omov.web.hustings``: made through the services, as an officer would."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from omov.web.contests.models import Candidate, Contest
from omov.web.contests.services import (
    candidate_add,
    contest_open,
    organisation_create,
    rulebook_load,
)
from omov.web.hustings.models import Hustings
from omov.web.hustings.services import candidate_member_link, hustings_open
from omov.web.members.models import Member
from omov.web.nominations.services import nomination_record, nominations_close

from .members_helpers import make_member

NAMES = ("Jeremy Corbyn", "Owen Smith")
DAY = dt.timedelta(days=1)


@dataclass
class Campaign:
    contest: Contest
    hustings: Hustings
    candidates: list[Candidate]
    members: list[Member]
    """Active members of the members' section, none of them a candidate."""
    candidate_members: list[Member]
    """The member each candidate is, in ballot order."""


def campaign(*, members: int = 3, name: str = "Test Party", choice: str | None = None) -> Campaign:
    """A labour/2016 contest whose nominations have closed with two candidates on the
    ballot (the incumbent automatically, a challenger with 4 of 20 MPs), the ballot closing
    in 30 days; its hustings opened now; each candidate linked to a member. ``choice``:
    another ``[hustings.choice]`` table for the stored rulebook."""
    organisation = organisation_create(name=name)
    rulebook = rulebook_load(organisation=organisation, key="labour/2016")
    if choice is not None:
        text = rulebook.facts["text"]
        rulebook.facts = {
            **rulebook.facts,
            "text": text[: text.index("[hustings.choice]")] + choice,
        }
        rulebook.save(update_fields=["facts"])
    now = timezone.now()
    contest = contest_open(
        rulebook=rulebook,
        title="Leadership election",
        nominating_body_size=20,
        freeze_date=dt.date(2016, 1, 12),
        ballot_opens_at=now + 2 * DAY,
        ballot_closes_at=now + 30 * DAY,
    )
    incumbent = candidate_add(contest=contest, name=NAMES[0], incumbent=True)
    challenger = candidate_add(contest=contest, name=NAMES[1])
    for n in range(1, 5):
        nomination_record(candidate=challenger, nominator=f"MP {n}")
    nominations_close(contest=contest)
    hustings = hustings_open(contest=contest)
    candidates = [incumbent, challenger]
    for candidate in candidates:
        candidate.refresh_from_db()
    candidate_members = [make_member(organisation, full_name=c.name) for c in candidates]
    for candidate, member in zip(candidates, candidate_members, strict=True):
        candidate_member_link(contest=contest, candidate=candidate, number=member.number)
    contest.refresh_from_db()
    return Campaign(
        contest,
        hustings,
        candidates,
        [make_member(organisation) for _ in range(members)],
        candidate_members,
    )
