"""The acceptance scenario at a test's size, with the generator bench/petition.py runs at
230,000 signatures from a 500,000-member roll: planted duplicates (members twice, emails in
other case and spacing) are refused by the unique index, expelled members by the rules, and
the count is exact, members and non-members apart, and verifies offline with ``omov verify``."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from omov.cli import main
from omov.web.contests.models import Organisation
from omov.web.members.models import Member
from omov.web.petitions.errors import AlreadySignedError
from omov.web.petitions.log import bundle_write
from omov.web.petitions.models import Petition, Signature
from omov.web.petitions.selectors import has_signed, live_count
from omov.web.petitions.services import petition_close, petition_open, petition_start
from omov.web.petitions.signing import signature_add
from omov.web.petitions.simulation import crowd, roll_rows, roll_seed, signatures_bulk_add

from .members_helpers import make_member, make_organisation_with_units

pytestmark = pytest.mark.django_db

ROLL, MEMBERS, NON_MEMBERS = 5_000, 2_000, 300


def test_a_petition_from_a_roll_with_planted_duplicates_counts_exactly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    organisation = make_organisation_with_units(rulebook="labour/2018", units=())
    roll_seed(organisation.pk, ROLL, units=40)
    sponsor = make_member(organisation)
    closes = timezone.now() + dt.timedelta(days=5)
    petition = petition_start(sponsor=sponsor, title="Trains", text="Trains.", closes_at=closes)
    petition = petition_open(petition=petition, officer="secretary")
    people = crowd(roll=ROLL, members=MEMBERS, non_members=NON_MEMBERS)
    planted = len(people.signers) - MEMBERS - NON_MEMBERS
    assert planted >= 2
    result = signatures_bulk_add(
        petition=petition, signers=people.signers, member_rows=roll_rows(organisation.pk)
    )
    assert result.added == people.members + people.non_members
    assert result.refused >= people.refused > 0  # expelled members, each time they tried
    assert result.duplicates + result.refused - people.refused == planted
    # One of them signs again by the page's own path: the index refuses it at once.
    signed = Signature.objects.filter(petition=petition, klass="member").count()
    again = Member.objects.filter(number__startswith="S", standing="active")
    first = next(m for m in again.order_by("pk")[:200] if _signed(petition, m))
    with pytest.raises(AlreadySignedError):
        signature_add(petition=petition, member=first, address="192.0.2.1")
    assert Signature.objects.filter(petition=petition, klass="member").count() == signed
    count = live_count(petition.pk)
    assert (count.members, count.non_members) == (people.members, people.non_members)
    assert Signature.objects.filter(petition=petition).count() == count.total
    petition_close(petition=petition, officer="ro", at=closes + dt.timedelta(seconds=1))
    bundle = bundle_write(Petition.objects.get(pk=petition.pk), tmp_path / "count")
    monkeypatch.setattr(sys, "argv", ["omov", "verify", str(bundle)])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code in (0, None)
    assert isinstance(organisation, Organisation)


def _signed(petition: Petition, member: Member) -> bool:
    return has_signed(petition, member.identity_key)
