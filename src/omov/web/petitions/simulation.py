"""Simulated signing at scale, for the bench and the scale test: a roll of members and a
crowd of non-members with planted duplicates, and a bulk path that signs them in batches.

The bulk path applies the rules signing does (the standing the rules let sign, a
non-member's email normalised and checked) and the same uniqueness: rows go in with
``INSERT ... ON CONFLICT (petition, signer) DO NOTHING`` on the same unique index, so a
duplicate is refused by the index, never found by a scan, and only the rows the database
took are added to the tallies. It skips what a person's request brings (the address
screened, the emailed link: a simulated non-member is taken as confirmed); the bench
measures those on the one-by-one path (``signing.signature_add``).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from omov.web.members.identity import identity_key
from omov.web.members.local import normalise_email
from omov.web.members.models import Member, Unit
from omov.web.petitions import engine
from omov.web.petitions.models import Petition, Signature, SignatureStatus, SignerClass
from omov.web.petitions.selectors import petition_book
from omov.web.petitions.signers import signer_of
from omov.web.petitions.tallies import tally_add

BATCH = 2_000
_SIGNATURES = Signature._meta.db_table


@dataclass(frozen=True)
class Signer:
    """One simulated signing: a member of the roll (``member``: their index), or a
    non-member by the email as they typed it."""

    member: int | None = None
    email: str = ""


@dataclass(frozen=True)
class Crowd:
    signers: list[Signer]
    members: int
    """Distinct members allowed to sign among the signers (the exact count expected)."""
    non_members: int
    """Distinct non-member emails, once normalised."""
    refused: int
    """Signings by members the rules do not let sign (expelled ones)."""


def roll_seed(organisation_id: int, n: int, units: int, *, expelled_every: int = 500) -> None:
    """``n`` members of the organisation in ``units`` CLPs, straight into the database (an
    import would leave the same rows); one in ``expelled_every`` expelled."""
    made = Unit.objects.bulk_create(
        Unit(organisation_id=organisation_id, kind="clp", code=f"U{u:04d}", name=f"Unit {u:04d}")
        for u in range(units)
    )
    through = Member.units.through
    born = dt.date(1980, 1, 1)
    for start in range(0, n, 10_000):
        rows = []
        for i in range(start, min(n, start + 10_000)):
            email = member_email(i)
            expelled = expelled_every and i % expelled_every == expelled_every - 1
            rows.append(
                Member(
                    organisation_id=organisation_id,
                    identity_key=identity_key(email, born),
                    number=f"S{i:07d}",
                    full_name=f"Member {i}",
                    display_name=f"Member {i}",
                    email=email,
                    email_normalised=normalise_email(email),
                    date_of_birth=born,
                    joined=dt.date(2015, 1, 1),
                    standing="expelled" if expelled else "active",
                )
            )
        members = Member.objects.bulk_create(rows)
        links = [through(member_id=m.pk, unit_id=made[m.pk % units].pk) for m in members]
        through.objects.bulk_create(links)


def member_email(i: int) -> str:
    return f"roll.{i}@example.org"


def crowd(
    *, roll: int, members: int, non_members: int, seed: int = 2026, expelled_every: int = 500
) -> Crowd:
    """``members`` distinct members of a roll of ``roll`` and ``non_members`` distinct
    non-members, shuffled, with planted duplicates: members signing twice, and non-members'
    emails again in other case and spacing (``Dora@X.org`` and `` dora @x.ORG``)."""
    rng = random.Random(seed)
    chosen = rng.sample(range(roll), members)
    refused = sum(1 for i in chosen if expelled_every and i % expelled_every == expelled_every - 1)
    signers = [Signer(member=i) for i in chosen]
    signers += [Signer(member=i) for i in chosen[: max(1, members // 1000)]]  # twice
    emails = [f"Friend.{n}@Example.org" for n in range(non_members)]
    signers += [Signer(email=e) for e in emails]
    variants = [f"  {e.upper().replace('@', ' @')} " for e in emails[: max(1, non_members // 500)]]
    signers += [Signer(email=v) for v in variants]
    rng.shuffle(signers)
    return Crowd(signers, members - refused, non_members, refused)


@dataclass(frozen=True)
class Bulk:
    added: int
    duplicates: int
    refused: int


def signatures_bulk_add(
    *, petition: Petition, signers: Sequence[Signer], member_rows: dict[int, tuple[str, str, int]]
) -> Bulk:
    """Sign ``signers`` in batches; ``member_rows`` maps a member's index to (identity key,
    standing, unit id), as ``roll_rows`` reads them."""
    book = petition_book(petition)
    allowed = {
        s: engine.signing_refusal(book, standing=s) is None
        for s in ("active", "lapsed", "suspended", "expelled")
    }
    totals = Counter[str]()
    for start in range(0, len(signers), BATCH):
        rows, refused = _rows(petition, signers[start : start + BATCH], member_rows, allowed)
        added = _insert(petition, rows)
        totals.update(added=added, duplicates=len(rows) - added, refused=refused)
    return Bulk(totals["added"], totals["duplicates"], totals["refused"])


def roll_rows(organisation_id: int) -> dict[int, tuple[str, str, int]]:
    """Each simulated member's (identity key, standing, unit id), by their index."""
    rows = Member.objects.filter(organisation_id=organisation_id, number__startswith="S")
    found = rows.values_list("number", "identity_key", "standing", "units")
    return {int(number[1:]): (key, standing, unit or 0) for number, key, standing, unit in found}


def _rows(
    petition: Petition,
    signers: Iterable[Signer],
    member_rows: dict[int, tuple[str, str, int]],
    allowed: dict[str, bool],
) -> tuple[list[tuple[str, str, int | None]], int]:
    rows: list[tuple[str, str, int | None]] = []
    refused = 0
    for signer in signers:
        if signer.member is not None:
            key, standing, unit = member_rows[signer.member]
            if not allowed[standing]:
                refused += 1
                continue
            rows.append((signer_of(petition, SignerClass.MEMBER, key), SignerClass.MEMBER, unit))
        else:
            email = engine.normalise_email(signer.email)
            if engine.email_problem(email) is None:
                rows.append(
                    (
                        signer_of(petition, SignerClass.NON_MEMBER, email),
                        SignerClass.NON_MEMBER,
                        None,
                    )
                )
    return rows, refused


@transaction.atomic
def _insert(petition: Petition, rows: list[tuple[str, str, int | None]]) -> int:
    """Insert the batch; those the unique index refused are left out. How many went in."""
    if not rows:
        return 0
    at = connection.ops.adapt_datetimefield_value(petition.created_at)
    values = ", ".join(["(%s, %s, %s, %s, %s, '', '', '', %s)"] * len(rows))
    params: list[Any] = []
    for signer, klass, unit in rows:
        params += [petition.pk, signer, klass, unit, SignatureStatus.COUNTED.value, at]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_SIGNATURES} (petition_id, signer, klass, unit_id, status, flags, "
            f"address_range, email, signed_at) VALUES {values} "
            "ON CONFLICT (petition_id, signer) DO NOTHING RETURNING klass, unit_id",
            params,
        )
        taken = Counter((klass, unit or 0) for klass, unit in cursor.fetchall())
    for (klass, unit), n in taken.items():
        tally_add(petition.pk, klass, SignatureStatus.COUNTED, unit, n)
    return sum(taken.values())
