"""Members' petitions through the services: one person signs once, an expelled member is
refused with the rule, non-members confirm by email and are counted apart, screening holds
signatures for an officer's review and never drops one, and the signed count published at
close verifies offline."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import timezone

from omov.ledger.petition_verify import verify_petition
from omov.web.audit.models import AuditEvent
from omov.web.members.models import Member, Unit
from omov.web.petitions.errors import AlreadySignedError, PetitionError, SigningRefusedError
from omov.web.petitions.log import bundle_write
from omov.web.petitions.models import (
    Petition,
    PetitionLogEntry,
    PetitionState,
    Signature,
    SignatureStatus,
    Tally,
)
from omov.web.petitions.selectors import (
    count_by_unit,
    held_for_review,
    live_count,
    petition_book,
    status_counts,
)
from omov.web.petitions.services import (
    petition_close,
    petition_moderate,
    petition_open,
    petition_start,
    signatures_review,
)
from omov.web.petitions.signing import Asked, signature_add, signature_confirm, signature_request

from .members_helpers import make_member, make_organisation_with_units

pytestmark = pytest.mark.django_db

NOW = timezone.now()
CLOSES = NOW + dt.timedelta(days=30)
AFTER = CLOSES + dt.timedelta(minutes=1)


UNITS = (
    ("clp", "CLP1", "Islington North CLP", ""),
    ("branch", "B1", "Highbury West branch", "CLP1"),
    ("clp", "CLP2", "Hornsey and Wood Green CLP", ""),
)


def open_petition() -> tuple[Petition, list[Unit]]:
    organisation = make_organisation_with_units(rulebook="labour/2018", units=UNITS)
    clps = list(Unit.objects.filter(organisation=organisation, kind="clp").order_by("code"))
    sponsor = make_member(organisation, units=clps[:1])
    petition = petition_start(
        sponsor=sponsor, title="Bring back the trains", text="We ask for trains.", closes_at=CLOSES
    )
    return petition_open(petition=petition, officer="secretary"), clps


def addresses(n: int) -> str:
    """A different /24 each time, so screening holds nothing back."""
    return f"10.{n // 256 % 256}.{n % 256}.7"


def test_a_member_signs_once_and_the_second_is_refused_by_the_index():
    petition, clps = open_petition()
    member = make_member(petition.organisation, units=clps[:1])
    signature = signature_add(petition=petition, member=member, address="192.0.2.1")
    assert signature.status == SignatureStatus.COUNTED
    with pytest.raises(AlreadySignedError, match="already signed"):
        signature_add(petition=petition, member=member, address="198.51.100.9")
    assert Signature.objects.filter(petition=petition).count() == 1
    assert live_count(petition.pk).members == 1
    assert live_count(petition.pk).non_members == 0


def test_an_expelled_member_is_refused_with_the_rule():
    petition, clps = open_petition()
    expelled = make_member(petition.organisation, units=clps[:1], standing="expelled")
    with pytest.raises(SigningRefusedError) as refused:
        signature_add(petition=petition, member=expelled, address="192.0.2.1")
    assert "expelled cannot sign" in str(refused.value)
    assert "Ch2 Cl I" in str(refused.value)  # the clause
    assert not Signature.objects.exists()
    assert live_count(petition.pk).total == 0


def test_a_member_of_another_organisation_and_a_closed_petition_are_refused():
    petition, _ = open_petition()
    other = make_organisation_with_units("Another Party", rulebook="labour/2018", units=UNITS)
    with pytest.raises(PetitionError, match="another organisation"):
        signature_add(petition=petition, member=make_member(other), address="192.0.2.1")
    member = make_member(petition.organisation)
    with pytest.raises(PetitionError, match="has closed"):
        signature_add(petition=petition, member=member, address="192.0.2.1", at=AFTER)


def test_a_non_member_confirms_by_email_once_and_variants_of_the_email_are_one_person():
    petition, _ = open_petition()
    asked = signature_request(
        petition=petition, email="Dora.Newcomer@Example.org", address="192.0.2.1"
    )
    assert asked.asked == Asked.CONFIRM
    assert status_counts(petition.pk)["unconfirmed"] == 1
    assert live_count(petition.pk).total == 0  # not counted before the link is opened
    again = signature_request(
        petition=petition, email=" dora.newcomer @example.ORG ", address="192.0.2.2"
    )
    assert again.asked == Asked.CONFIRM
    assert Signature.objects.filter(petition=petition).count() == 1
    signature = signature_confirm(token=asked.token)
    assert signature.status == SignatureStatus.COUNTED
    assert signature.email == ""  # the address is erased once confirmed
    with pytest.raises(PetitionError, match="already confirmed"):
        signature_confirm(token=again.token)
    third = signature_request(
        petition=petition, email="DORA.newcomer@example.org", address="192.0.2.3"
    )
    assert third.asked == Asked.SIGNED
    assert live_count(petition.pk) == type(live_count(petition.pk))(members=0, non_members=1)


def test_an_unconfirmed_link_expires_after_the_rules_hours():
    petition, _ = open_petition()
    asked = signature_request(petition=petition, email="late@example.org", address="192.0.2.1")
    hours = 72  # labour/2018's confirm_within_hours
    with pytest.raises(PetitionError, match="expired"):
        signature_confirm(
            token=asked.token, at=timezone.now() + dt.timedelta(hours=hours, minutes=5)
        )
    assert live_count(petition.pk).total == 0


def test_a_members_email_is_not_signed_as_a_non_member():
    petition, _ = open_petition()
    make_member(petition.organisation, email="member@example.org")
    asked = signature_request(petition=petition, email="Member@Example.org", address="192.0.2.1")
    assert asked.asked == Asked.MEMBER
    assert not Signature.objects.exists()


def test_screening_holds_signatures_for_review_and_the_officer_decides_with_a_reason():
    petition, clps = open_petition()
    rules = petition_book(petition).local.petitions  # type: ignore[union-attr]
    members = [
        make_member(petition.organisation, units=clps[:1])
        for _ in range(rules.per_range_per_hour + 2)
    ]
    for member in members:
        signature_add(petition=petition, member=member, address="203.0.113.5")
    throwaway = signature_request(petition=petition, email="x@mailinator.com", address="192.0.2.1")
    signature_confirm(token=throwaway.token)
    held = {h.flag: h for h in held_for_review(petition)}
    assert held["busy-address-range"].signatures == 2
    assert held["busy-address-range"].ranges == [("203.0.113.0/24", 2)]
    assert held["disposable-email"].signatures == 1
    assert live_count(petition.pk).total == rules.per_range_per_hour
    with pytest.raises(PetitionError, match="reason"):
        signatures_review(
            petition=petition, flag="disposable-email", accept=False, reason=" ", officer="ro"
        )
    rejected = signatures_review(
        petition=petition,
        flag="disposable-email",
        accept=False,
        reason="Throwaway inbox",
        officer="ro",
    )
    accepted = signatures_review(
        petition=petition, flag="busy-address-range", accept=True, reason="A branch meeting's wifi",
        officer="ro", address_range="203.0.113.0/24",
    )  # fmt: skip
    assert (rejected, accepted) == (1, 2)
    assert status_counts(petition.pk)["rejected"] == 1
    assert Signature.objects.filter(status=SignatureStatus.REJECTED).count() == 1  # kept
    assert live_count(petition.pk).total == rules.per_range_per_hour + 2
    reviews = PetitionLogEntry.objects.filter(petition=petition, kind="signature-reviewed")
    assert reviews.count() == 3
    assert "Throwaway inbox" in "".join(reviews.values_list("data", flat=True))


def test_moderation_needs_a_reason_and_is_logged():
    petition, _ = open_petition()
    with pytest.raises(PetitionError, match="which published rule"):
        petition_moderate(petition=petition, reason="", officer="ro")
    petition_moderate(
        petition=petition, reason="Names a member: rule 3 (no personal attacks)", officer="ro"
    )
    petition.refresh_from_db()
    assert petition.state == PetitionState.MODERATED
    entry = PetitionLogEntry.objects.get(petition=petition, kind="petition-moderated")
    assert json.loads(entry.data)["reason"].startswith("Names a member")
    assert AuditEvent.objects.filter(stream=petition.stream, kind="petition.moderated").exists()
    member = make_member(petition.organisation)
    with pytest.raises(PetitionError, match="not open"):
        signature_add(petition=petition, member=member, address="192.0.2.1")


def test_a_threshold_reached_is_recorded_once_with_its_clause(django_capture_on_commit_callbacks):
    petition, _clps = open_petition()
    Tally.objects.create(
        petition=petition, klass="member", status="counted", unit_key=0, slot=99, signatures=9_999
    )
    with django_capture_on_commit_callbacks(execute=True):
        signature_add(
            petition=petition, member=make_member(petition.organisation), address="192.0.2.1"
        )
    with django_capture_on_commit_callbacks(execute=True):
        signature_add(
            petition=petition, member=make_member(petition.organisation), address="192.0.2.2"
        )
    reached = AuditEvent.objects.filter(stream=petition.stream, kind="petition.threshold-reached")
    assert reached.count() == 1
    payload = json.loads(reached.get().payload)
    assert payload["summary"] == "10,000 signatures: the NEC responds in writing"
    assert "10,000" in payload["citation"]


def test_the_count_at_close_verifies_offline_with_small_units_merged(tmp_path: Path):
    petition, clps = open_petition()
    for n in range(12):
        signature_add(
            petition=petition,
            member=make_member(petition.organisation, units=clps[:1]),
            address=addresses(n),
        )
    for n in range(3):
        signature_add(
            petition=petition,
            member=make_member(petition.organisation, units=clps[1:2]),
            address=addresses(50 + n),
        )
    for n in range(4):
        asked = signature_request(
            petition=petition, email=f"friend{n}@example.org", address=addresses(100 + n)
        )
        signature_confirm(token=asked.token)
    signature_request(petition=petition, email="never@example.org", address=addresses(200))
    assert [
        (row.name, row.signatures) for row in count_by_unit(petition, petition_book(petition))
    ] == [
        ("Islington North CLP", 12),
        ("Other units", 3),
    ]
    with pytest.raises(PetitionError, match="until its closing date"):
        petition_close(petition=petition, officer="ro")
    petition_close(petition=petition, officer="ro", at=AFTER)
    bundle = bundle_write(Petition.objects.get(pk=petition.pk), tmp_path / "count")
    count = json.loads((bundle / "count.json").read_text())
    assert (count["total"], count["members"], count["non_members"]) == (19, 15, 4)
    assert count["by_unit"] == {"Islington North CLP": 12, "other units": 3}
    checks = verify_petition(bundle)
    assert all(c.ok for c in checks), [c.line() for c in checks if not c.ok]
    assert not Signature.objects.filter(status=SignatureStatus.UNCONFIRMED).exists()
    assert Member.objects.count() == 16
