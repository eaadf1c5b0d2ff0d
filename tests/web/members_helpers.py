"""Members and units for tests of the apps built on ``omov.web.members`` (meetings,
petitions, discussion, hustings): made straight in the database, fast, as an import
would leave them."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable

from django.test import Client

from omov.web.contests.models import Organisation
from omov.web.contests.services import organisation_create, rulebook_load
from omov.web.members.auth import SESSION_KEY
from omov.web.members.identity import identity_key
from omov.web.members.local import normalise_email
from omov.web.members.models import Member, Unit
from omov.web.members.services import display_name_default

UNITS = (
    ("clp", "CLP1", "Islington North CLP", ""),
    ("branch", "B1", "Highbury West branch", "CLP1"),
    ("branch", "B2", "Finsbury Park branch", "CLP1"),
    ("affiliated-branch", "A1", "Unison Islington branch", "CLP1"),
)
"""(kind, code, name, parent code): labour/2016's kinds of unit."""

_numbers = itertools.count(1)


def make_organisation_with_units(
    name: str = "Test Party",
    *,
    rulebook: str = "labour/2016",
    units: Iterable[tuple[str, str, str, str]] = UNITS,
) -> Organisation:
    """An organisation with ``rulebook`` loaded (in force for local democracy) and
    ``units``; find one with ``unit(organisation, code)``."""
    organisation = organisation_create(name=name)
    rulebook_load(organisation=organisation, key=rulebook)
    made: dict[str, Unit] = {}
    for kind, code, unit_name, parent in units:
        made[code] = Unit.objects.create(
            organisation=organisation,
            kind=kind,
            code=code,
            name=unit_name,
            parent=made[parent] if parent else None,
        )
    return organisation


def unit(organisation: Organisation, code: str) -> Unit:
    return Unit.objects.get(organisation=organisation, code=code)


def make_member(
    organisation: Organisation,
    *,
    units: Iterable[Unit | str] = (),
    standing: str = "active",
    section: str = "members",
    **fields: object,
) -> Member:
    """A member of ``organisation`` in ``units`` (units or their codes); every other field
    has a default unique to the member (``email`` ``memberN@example.org``, number ``MN``),
    and any can be given."""
    n = next(_numbers)
    email = str(fields.pop("email", f"member{n}@example.org"))
    born = fields.pop("date_of_birth", dt.date(1980, 1, 1))
    assert isinstance(born, dt.date)
    full_name = str(fields.pop("full_name", f"Member Number{n}"))
    values: dict[str, object] = {
        "number": f"M{n:05d}",
        "full_name": full_name,
        "display_name": display_name_default(full_name),
        "email": email,
        "email_normalised": normalise_email(email),
        "date_of_birth": born,
        "identity_key": identity_key(email, born),
        "joined": dt.date(2015, 1, 1),
        "standing": standing,
        "section": section,
    }
    member = Member.objects.create(organisation=organisation, **(values | fields))
    member.units.set([u if isinstance(u, Unit) else unit(organisation, u) for u in units])
    return member


def sign_in_member(client: Client, member: Member) -> None:
    """Sign ``member`` in on ``client``'s session as opening their link does."""
    session = client.session
    session[SESSION_KEY] = member.pk
    session.save()
