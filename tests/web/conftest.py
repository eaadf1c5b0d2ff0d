"""Fixtures that build contests through the services, stage by stage, as an officer would."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from omov.web.access.models import Role
from omov.web.access.services import membership_grant
from omov.web.balloting.services import ballot_open, credentials_issue
from omov.web.contests.models import Candidate, Contest, Organisation
from omov.web.contests.services import (
    candidate_add,
    contest_open,
    organisation_create,
    rulebook_load,
)
from omov.web.electorate.services import electorate_freeze, roll_import
from omov.web.nominations.services import nomination_record, nominations_close
from omov.web.trustees.simulation import SimulatedTrustees


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    """Each test starts with empty caches: ids are reused from test to test, and a
    contest's zone (omov/web/zones.py), its key and paper (balloting/casting.py) and a
    rulebook's section names (the emails' greetings) are kept by id."""
    from django.core.cache import cache

    from omov.web.balloting.casting import papers_forget
    from omov.web.balloting.emails import section_names
    from omov.web.zones import zones_forget

    cache.clear()
    section_names.cache_clear()  # kept by rulebook id, which tests reuse
    papers_forget()  # a contest's key and paper, kept by contest id
    zones_forget()  # a contest's zone, kept by contest id


@pytest.fixture(autouse=True)
def fresh_house_rules() -> None:
    """Discussion keeps the rulebook in force for half a minute by organisation id, which
    tests reuse (omov/web/discussion/rulings.py)."""
    from omov.web.discussion.rulings import book_forget

    book_forget()


@pytest.fixture(autouse=True)
def demo_trustee_keys(settings: object, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test's demo trustees keep their key files apart from every other test's."""
    settings.OMOV_DEMO_TRUSTEES = tmp_path_factory.mktemp("demo-trustees")  # type: ignore[attr-defined]


def member_roll(count: int = 4, *, late: int = 1, start: int = 1) -> bytes:
    """``count`` members who may vote, then ``late`` who joined after the 2016 freeze date."""
    lines = ["membership_number,email,date_of_birth,join_date,status,arrears"]
    for n in range(start, start + count + late):
        joined = "2015-06-01" if n < start + count else "2016-03-01"
        lines.append(f"M{n:04d},m{n}@example.org,1970-01-01,{joined},active,false")
    return ("\n".join(lines) + "\n").encode()


def supporter_roll(count: int = 4) -> bytes:
    lines = ["application_id,email,date_of_birth,applied_at,payment_status,on_register"]
    for n in range(1, count + 1):
        lines.append(f"S{n:04d},s{n}@example.org,1980-01-01,2016-07-19T12:00:00,paid,true")
    return ("\n".join(lines) + "\n").encode()


def affiliate_roll(count: int = 4) -> bytes:
    lines = ["supporter_id,email,date_of_birth,union,signed_up"]
    for n in range(1, count + 1):
        lines.append(f"A{n:04d},a{n}@example.org,1975-01-01,Unison,2015-05-01")
    return ("\n".join(lines) + "\n").encode()


def import_rolls(contest: Contest, per_section: int, late: int = 1) -> None:
    roll_import(contest=contest, section="members", data=member_roll(per_section, late=late))
    roll_import(contest=contest, section="registered-supporters", data=supporter_roll(per_section))
    roll_import(contest=contest, section="affiliated-supporters", data=affiliate_roll(per_section))


def open_contest(*, body: int = 10, title: str = "Leadership election") -> Contest:
    organisation = organisation_create(name="Test Party")
    rulebook = rulebook_load(organisation=organisation, key="labour/2016")
    now = timezone.now()
    return contest_open(
        rulebook=rulebook,
        title=title,
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
    trustees: SimulatedTrustees
    """The contest's trustees, played by the test (keys in memory, each its own)."""

    def mix_and_decrypt(self) -> None:
        """After the close: two trustees mix every box, k decrypt."""
        self.trustees.mix_and_decrypt()


def nominated_contest() -> Contest:
    """An open contest with two on the ballot: A, the incumbent, and B, nominated by two of
    the ten in the nominating body (the 20% threshold); nominations closed, so the rolls
    come next."""
    contest = open_contest()
    candidate_add(contest=contest, name="A", incumbent=True)
    b = candidate_add(contest=contest, name="B")
    for nominator in ("MP 1", "MP 2"):
        nomination_record(candidate=b, nominator=nominator)
    nominations_close(contest=contest)
    return contest


NAMES = ("Alice Incumbent", "Bob Challenger", "Carol Challenger")


def ballot_ready(
    *, per_section: int = 4, names: tuple[str, str, str] = NAMES, title: str = "Leadership election"
) -> OpenBallot:
    """A contest with three candidates on the ballot, codes issued and the ballot open."""
    contest = open_contest(body=10, title=title)  # threshold: 20% of 10 = 2
    candidates = [
        candidate_add(contest=contest, name=name, incumbent=i == 0) for i, name in enumerate(names)
    ]
    for i, nominator in enumerate(("MP 1", "MP 2", "MP 3", "MP 4")):
        nomination_record(candidate=candidates[1 + i % 2], nominator=nominator)
    nominations_close(contest=contest)
    import_rolls(contest, per_section)
    electorate_freeze(contest=contest)
    codes = credentials_issue(contest=contest, send=False)
    trustees = SimulatedTrustees(contest)
    trustees.make_key()
    ballot_open(contest=contest)
    contest.refresh_from_db()
    return OpenBallot(contest, candidates, codes, trustees)


def with_batches_of(contest: Contest, minimum: int) -> None:
    """The contest's rulebook as if it named ``minimum`` as its smallest checkpoint batch."""
    rulebook = contest.rulebook
    rulebook.facts = {**rulebook.facts, "checkpoint_min_ballots": minimum}
    rulebook.save(update_fields=["facts"])


@pytest.fixture
def open_ballot(db: None) -> OpenBallot:
    return ballot_ready()


def officer_of(organisation: Organisation, *roles: Role, username: str = "ro") -> Client:
    """A signed-in client of a new user holding ``roles`` in ``organisation``."""
    user = get_user_model().objects.create_user(username, password="pw")
    membership_grant(user=user, organisation=organisation, roles=list(roles))
    client = Client()
    assert (
        client.post(reverse("login"), {"username": username, "password": "pw"}).status_code == 302
    )
    return client
