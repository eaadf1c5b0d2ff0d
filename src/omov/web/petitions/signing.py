"""Signing a petition: a member signed in, or a non-member confirming their email.

Each signing is one transaction: the petition is read under a shared lock (signers do not
wait for each other; closing waits for them, so no signature lands after the count), the
address range's hourly counter is raised and screening asks the rules what to hold for
review, the signature is inserted (the unique index on petition and signer refuses a
second one at once), and the tallies the live count reads gain one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from django.core import signing
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from omov.rules import Rulebook as Book
from omov.web.contests.models import Rulebook
from omov.web.members.models import Member
from omov.web.petitions import engine
from omov.web.petitions.errors import AlreadySignedError, PetitionError, SigningRefusedError
from omov.web.petitions.models import (
    Petition,
    PetitionState,
    Signature,
    SignatureStatus,
    SignerClass,
)
from omov.web.petitions.selectors import petition_book
from omov.web.petitions.signers import signer_of
from omov.web.petitions.tallies import range_hour_add, tally_add
from omov.web.petitions.thresholds import thresholds_check

SALT = "omov.petitions.confirm"


_READ = ("state", "closes_at", "organisation_id", "rulebook_id", "key", "thresholds_noted")


def open_for_signing(petition_id: int, at: datetime) -> Petition:
    """The petition (the fields signing reads), under a shared lock on PostgreSQL, if it
    takes signatures at ``at``. One query: the rules it runs under are kept in memory."""
    table, books = Petition._meta.db_table, Rulebook._meta.db_table
    lock = " FOR SHARE OF p" if connection.vendor == "postgresql" else ""
    columns = ", ".join(f"p.{name}" for name in _READ)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, r.key FROM {table} p JOIN {books} r ON r.id = p.rulebook_id "
            f"WHERE p.id = %s{lock}",
            [petition_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise PetitionError(gettext("There is no such petition."))
    values = dict(zip(_READ, row[:-1], strict=True))
    values["closes_at"] = _aware(values["closes_at"])
    petition = Petition(pk=petition_id, **values)
    petition.rulebook_key = row[-1]  # type: ignore[attr-defined]
    if petition.state != PetitionState.OPEN:
        raise PetitionError(gettext("This petition is not open for signatures."))
    if at >= petition.closes_at:
        raise PetitionError(gettext("This petition has closed: no more signatures are taken."))
    return petition


def _aware(value: object) -> datetime:
    """A raw row's timestamp as the ORM would give it (SQLite's comes back as text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)


def _inserted(signature: Signature) -> bool:
    """Insert ``signature`` unless its signer has signed: the unique index decides, in
    one statement (no savepoint, no scan)."""
    fields = [f for f in Signature._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(f.column for f in fields)
    params = [f.get_db_prep_save(getattr(signature, f.attname), connection) for f in fields]
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Signature._meta.db_table} ({columns}) VALUES ({marks}) "
            "ON CONFLICT (petition_id, signer) DO NOTHING RETURNING id",
            params,
        )
        row = cursor.fetchone()
    if row is None:
        return False
    signature.pk = row[0]
    return True


def _screened(
    petition: Petition, book: Book, address: str, email: str | None, at: datetime
) -> tuple[str, str]:
    """The signer's address range, and why the signature waits for review (if it does)."""
    rules = engine.petition_rules(book)
    where = engine.address_range(address, rules)
    this_hour = range_hour_add(petition.pk, where, at)
    flags = engine.screening_flags(book, email=email, from_range_this_hour=this_hour)
    return where, ",".join(flags)


def counted_unit_id(member: Member, book: Book) -> int | None:
    """The unit the member's signature is counted in: theirs of the kind the rules count
    by (their CLP), else the one their branch is within."""
    kinds = engine.counted_unit_kinds(book)
    units = list(
        member.units.order_by("code").values_list("pk", "kind", "parent_id", "parent__kind")
    )
    own = [pk for pk, kind, _, _ in units if kind in kinds]
    above = [parent for _, _, parent, parent_kind in units if parent_kind in kinds]
    found = own or above
    return found[0] if found else None


@transaction.atomic
def signature_add(
    *, petition: Petition, member: Member, address: str, at: datetime | None = None
) -> Signature:
    """``member`` signs, signed in as a member; refused with the rules' reason if their
    standing does not let them, or if they have signed already."""
    at = at or timezone.now()
    petition = open_for_signing(petition.pk, at)
    if member.organisation_id != petition.organisation_id:
        raise PetitionError(
            gettext("This petition is another organisation's: sign in as its member.")
        )
    book = petition_book(petition)
    refusal = engine.signing_refusal(book, standing=member.standing)
    if refusal is not None:
        raise SigningRefusedError(refusal)
    where, flags = _screened(petition, book, address, None, at)
    signature = Signature(
        petition=petition,
        signer=signer_of(petition, SignerClass.MEMBER, member.identity_key),
        klass=SignerClass.MEMBER,
        unit_id=counted_unit_id(member, book),
        status=SignatureStatus.AWAITING if flags else SignatureStatus.COUNTED,
        flags=flags,
        address_range=where,
        signed_at=at,
    )
    if not _inserted(signature):
        raise AlreadySignedError
    tally_add(petition.pk, signature.klass, signature.status, signature.unit_id or 0)
    if signature.status == SignatureStatus.COUNTED:
        thresholds_check(petition, book, at)
    return signature


class Asked(StrEnum):
    """What a non-member's request comes to (the email they get says which)."""

    CONFIRM = "confirm"
    """A link to confirm their signature."""
    SIGNED = "signed"
    """They have signed already: nothing to confirm."""
    MEMBER = "member"
    """The address is a member's: they sign signed in as a member."""


@dataclass(frozen=True)
class Request:
    asked: Asked
    email: str
    token: str = ""


@transaction.atomic
def signature_request(
    *, petition: Petition, email: str, address: str, at: datetime | None = None
) -> Request:
    """A non-member asks to sign with ``email``: a signature waits, unconfirmed, for the
    link emailed to them. The page says the same whatever the address, so that it tells
    nobody who is a member or who has signed; the email says which."""
    at = at or timezone.now()
    petition = open_for_signing(petition.pk, at)
    book = petition_book(petition)
    refusal = engine.non_member_refusal(book)
    if refusal is not None:
        raise SigningRefusedError(refusal)
    normalised = engine.normalise_email(email)
    if engine.email_problem(normalised) is not None:
        raise PetitionError(gettext("Enter your email address, like name@example.org."))
    email = email.strip()
    members = Member.objects.filter(organisation=petition.organisation_id)
    if members.filter(email_normalised=normalised).exists():
        return Request(Asked.MEMBER, email)
    signer = signer_of(petition, SignerClass.NON_MEMBER, normalised)
    found = Signature.objects.select_for_update().filter(petition=petition, signer=signer).first()
    if found is None:
        found = _unconfirmed(petition, book, signer, email, address, at)
    elif found.status != SignatureStatus.UNCONFIRMED:
        return Request(Asked.SIGNED, email)
    elif _expired(found, book, at):
        found.signed_at, found.email = at, email  # asked again: a new link, a new wait
        found.save(update_fields=["signed_at", "email"])
    token = signing.dumps([found.pk, found.signer[:16]], salt=SALT)
    return Request(Asked.CONFIRM, email, token)


def _unconfirmed(
    petition: Petition, book: Book, signer: str, email: str, address: str, at: datetime
) -> Signature:
    where, flags = _screened(petition, book, address, engine.normalise_email(email), at)
    signature = Signature(
        petition=petition,
        signer=signer,
        klass=SignerClass.NON_MEMBER,
        status=SignatureStatus.UNCONFIRMED,
        flags=flags,
        address_range=where,
        email=email,
        signed_at=at,
    )
    if not _inserted(signature):  # the same address asked twice at once: the other stands
        return Signature.objects.get(petition=petition, signer=signer)
    tally_add(petition.pk, signature.klass, SignatureStatus.UNCONFIRMED, 0)
    return signature


def _expired(signature: Signature, book: Book, at: datetime) -> bool:
    hours = engine.petition_rules(book).confirm_within_hours
    return at - signature.signed_at > timedelta(hours=hours)


@transaction.atomic
def signature_confirm(*, token: str, at: datetime | None = None) -> Signature:
    """The non-member opens their link: the signature counts (or waits for review, if
    screening held it). The link works once, within the rules' hours."""
    at = at or timezone.now()
    invalid = PetitionError(
        gettext("This link is not valid. Ask for a new one on the petition's page.")
    )
    try:
        pk, prefix = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise invalid from None
    found = Signature.objects.filter(pk=pk).values_list("petition_id", flat=True).first()
    if found is None:
        raise invalid
    petition = open_for_signing(found, at)
    signature = Signature.objects.select_for_update().get(pk=pk)
    if signature.signer[:16] != prefix:
        raise invalid
    if signature.status != SignatureStatus.UNCONFIRMED:
        raise PetitionError(gettext("You have already confirmed your signature. Thank you."))
    book = petition_book(petition)
    if _expired(signature, book, at):
        raise PetitionError(
            gettext("This link has expired. Ask for a new one on the petition's page.")
        )
    signature.status = SignatureStatus.AWAITING if signature.flags else SignatureStatus.COUNTED
    signature.email = ""  # kept only to send the link
    signature.save(update_fields=["status", "email"])
    tally_add(petition.pk, signature.klass, SignatureStatus.UNCONFIRMED, 0, -1)
    tally_add(petition.pk, signature.klass, signature.status, 0)
    if signature.status == SignatureStatus.COUNTED:
        thresholds_check(petition, book, at)
    return signature
