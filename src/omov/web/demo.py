"""Seed a demo contest shaped like Labour's 2016 leadership election.

The electorate package's seeded 2016-shaped synthetic rolls (scaled down) in the three
sections, with their ineligible records; the incumbent on the ballot automatically; a
challenger nominated by 172 of the 251 MPs and MEPs; a vetted exclusion and an upheld
appeal; and about a third of the ballots already cast, split per section much as 2016 was
(59%, 70%, 60% for the incumbent).
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from omov.electorate.synthetic import generate
from omov.web.access.models import Role
from omov.web.access.services import membership_grant
from omov.web.balloting.services import ballot_cast, ballot_open, credentials_issue
from omov.web.contests.models import Contest
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
from omov.web.nominations.services import nominations_close, nominations_record
from omov.web.trustees.simulation import SimulatedTrustees

DEMO_ROLES = [Role.RETURNING_OFFICER, Role.VETTING_OFFICER, Role.APPEALS_PANEL]
SHARE = {  # the incumbent's share of first preferences in each section in 2016
    "members": 0.59,
    "registered-supporters": 0.70,
    "affiliated-supporters": 0.60,
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


def _rolls(scale: float, seed: int) -> dict[str, bytes]:
    """The electorate package's seeded 2016-shaped synthetic rolls, as CSV uploads."""
    synthetic = generate(seed=seed, scale=scale)
    return {
        section: roll.drop("row").write_csv().encode() for section, roll in synthetic.rolls.items()
    }


def demo_trustees(contest: Contest) -> SimulatedTrustees:
    """The demo contest's trustees, played by the server: each key in its own file under
    ``OMOV_DEMO_TRUSTEES`` (the demo's passphrase is public: these keys protect nothing)."""
    return SimulatedTrustees(contest, directory=Path(settings.OMOV_DEMO_TRUSTEES))


def demo_seed(*, cast_fraction: float = 0.35, scale: float = 0.005, seed: int = 2016) -> Demo:
    """Build the demo contest through the same services the officer's pages use."""
    rng = random.Random(seed)
    password = secrets.token_urlsafe(9)
    user_model = get_user_model()
    user_model.objects.filter(username="officer").delete()
    officer = user_model.objects.create_user("officer", "officer@example.org", password)

    labour = organisation_create(name="The Labour Party (demo)")
    # One person runs the whole demo; a real contest gives vetting and appeals to others.
    membership_grant(user=officer, organisation=labour, roles=DEMO_ROLES)
    rulebook = rulebook_load(organisation=labour, key="labour/2016")
    now = timezone.now()
    contest = contest_open(
        rulebook=rulebook,
        title="Leadership election 2016 (demo)",
        nominating_body_size=rulebook.typed.body_size,
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
    nominators = [f"PLP/EPLP member {n}" for n in range(1, 173)]
    nominations_record(candidate=challenger, nominators=nominators)
    nominations_close(contest=contest)

    for section, data in _rolls(scale, seed).items():
        roll_import(contest=contest, section=section, data=data)
    electors = list(contest.electors.filter(eligibility="eligible").order_by("reference"))
    elector_exclude(elector=electors[3], grounds="Stood against the party (demo evidence).")
    refused = Elector.objects.get(pk=electors[7].pk)
    elector_exclude(elector=refused, grounds="Suspected duplicate (demo).")
    appeal = appeal_lodge(elector=Elector.objects.get(pk=refused.pk), grounds="Not a duplicate.")
    appeal_decide(appeal=appeal, uphold=True, reason="Records show two different people.")
    electorate_freeze(contest=contest)

    codes = credentials_issue(contest=contest, send=False)
    demo_trustees(contest).make_key()
    ballot_open(contest=contest)
    cast = 0
    voters = Elector.objects.in_bulk(list(codes))
    voter_pk = next(pk for pk in codes if voters[pk].section == "members")
    for pk, code in codes.items():
        if pk == voter_pk or rng.random() >= cast_fraction:
            continue
        share = SHARE[voters[pk].section]
        first, second = (incumbent, challenger) if rng.random() < share else (challenger, incumbent)
        ranking = [first.position] if rng.random() < 0.5 else [first.position, second.position]
        ballot_cast(contest=contest, code=code, ranking=ranking)
        cast += 1
    return Demo(contest.pk, "officer", password, codes[voter_pk], voters[voter_pk].reference, cast)
