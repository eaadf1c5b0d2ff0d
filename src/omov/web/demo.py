"""Seed a demo contest shaped like Labour's 2016 leadership election.

Synthetic electors in the three 2016 sections (roughly in the 2016 proportions: members,
registered supporters, affiliated supporters), the incumbent on the ballot automatically, a
challenger nominated by 172 of 254 MPs and MEPs, some ineligible joiners, a vetted exclusion,
an upheld appeal, and about a third of the ballots already cast, split per section much as
2016 was (59%, 70%, 60% for the incumbent).
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone

from omov.web.balloting.services import ballot_cast, ballot_open, credentials_issue
from omov.web.contests.services import (
    candidate_add,
    contest_open,
    organisation_create,
    rulebook_load,
)
from omov.web.electorate.models import Elector
from omov.web.electorate.services import (
    appeal_decide,
    appeal_lodge,
    elector_exclude,
    electorate_freeze,
    roll_import,
)
from omov.web.nominations.services import nomination_record, nominations_close

SECTIONS = {  # section: (electors, incumbent's share of first preferences in 2016)
    "members": (1800, 0.59),
    "registered supporters": (600, 0.70),
    "affiliated supporters": (600, 0.60),
}
STATEMENT = (
    "This is a synthetic statement for the demo, standing in for the 250 words and photo "
    "each candidate has in the ballot booklet. {name} would set out their record, their "
    "plans for the party, and why members should give them their first preference."
)


@dataclass(frozen=True)
class Demo:
    contest_id: int
    officer: str
    password: str
    voting_code: str
    voter: str
    ballots_cast: int


def _roll_csv(rng: random.Random) -> str:
    lines = ["reference,name,email,section,joined_on"]
    number = 0
    for section, (size, _) in SECTIONS.items():
        for _ in range(size):
            number += 1
            joined = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(376))
            if section == "members" and rng.random() < 0.08:
                joined = dt.date(2016, 2, 1) + dt.timedelta(days=rng.randrange(150))
            lines.append(
                f"L{number:06d},Elector {number},elector{number}@example.org,"
                f"{section},{joined.isoformat()}"
            )
    return "\n".join(lines) + "\n"


def demo_seed(*, cast_fraction: float = 0.35, seed: int = 2016) -> Demo:
    """Build the demo contest through the same services the officer's pages use."""
    rng = random.Random(seed)
    password = secrets.token_urlsafe(9)
    user_model = get_user_model()
    user_model.objects.filter(username="officer").delete()
    user_model.objects.create_superuser("officer", "officer@example.org", password)

    labour = organisation_create(name="The Labour Party (demo)")
    rulebook = rulebook_load(organisation=labour, key="labour/2016")
    now = timezone.now()
    contest = contest_open(
        rulebook=rulebook,
        title="Leadership election 2016 (demo)",
        nominating_body_size=254,
        freeze_date=dt.date(2016, 1, 12),
        ballot_opens_at=now - dt.timedelta(hours=1),
        ballot_closes_at=now + dt.timedelta(days=14),
    )
    incumbent = candidate_add(
        contest=contest,
        name="Jeremy Corbyn",
        incumbent=True,
        statement=STATEMENT.format(name="Jeremy Corbyn"),
    )
    challenger = candidate_add(
        contest=contest, name="Owen Smith", statement=STATEMENT.format(name="Owen Smith")
    )
    for n in range(1, 173):
        nomination_record(candidate=challenger, nominator=f"PLP/EPLP member {n}")
    nominations_close(contest=contest)

    roll_import(contest=contest, text=_roll_csv(rng))
    electors = list(contest.electors.filter(eligibility="eligible").order_by("reference"))
    elector_exclude(elector=electors[3], grounds="Stood against the party (demo evidence).")
    refused = Elector.objects.get(pk=electors[7].pk)
    elector_exclude(elector=refused, grounds="Suspected duplicate (demo).")
    appeal = appeal_lodge(elector=Elector.objects.get(pk=refused.pk), grounds="Not a duplicate.")
    appeal_decide(appeal=appeal, uphold=True, reason="Records show two different people.")
    electorate_freeze(contest=contest)

    codes = credentials_issue(contest=contest, send=False)
    ballot_open(contest=contest)
    cast = 0
    voters = Elector.objects.in_bulk(list(codes))
    for pk, code in list(codes.items())[1:]:
        if rng.random() >= cast_fraction:
            continue
        share = SECTIONS[voters[pk].section][1]
        first, second = (incumbent, challenger) if rng.random() < share else (challenger, incumbent)
        ranking = [first.position] if rng.random() < 0.5 else [first.position, second.position]
        ballot_cast(contest=contest, code=code, ranking=ranking)
        cast += 1
    voter_pk, voter_code = next(iter(codes.items()))
    return Demo(contest.pk, "officer", password, voter_code, voters[voter_pk].reference, cast)
