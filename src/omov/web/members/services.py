"""Importing an organisation's units and members' roll, and choosing the rulebook in force.

Each import locks the organisation's row (two imports of one organisation run one after the
other), reads and checks the whole file, and applies it only if every row is sound, in one
transaction with its audit entry naming the officer: a refused file changes nothing.
Members and units missing from a file stay as they were (the report counts them): other
records (a petition's signatures, a meeting's attendance) point at them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from omov.web.audit.services import event_record
from omov.web.contests.models import Organisation, Rulebook
from omov.web.contests.services import rulebook_load
from omov.web.errors import ContestError
from omov.web.members.identity import identity_key
from omov.web.members.local import STANDINGS, UnitKind, email_problem, normalise_email
from omov.web.members.models import Member, RulebookInForce, Unit
from omov.web.members.rolls import (
    ROLL_COLUMNS,
    UNIT_COLUMNS,
    UNIT_SEPARATOR,
    Checker,
    Row,
    read_rows,
)
from omov.web.members.selectors import NoLocalRulesError, local_editions, rulebook_in_force

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ORDINALS = ("1st", "2nd", "3rd")


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    unchanged: int
    not_in_file: int
    """Already on the organisation's list, not named in this file: kept as they were."""

    def __str__(self) -> str:
        return (
            f"{self.created} added, {self.updated} changed, {self.unchanged} unchanged; "
            f"{self.not_in_file} not in this file, kept as they were"
        )


def _locked(organisation: Organisation) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _record(
    organisation: Organisation, kind: str, report: ImportReport, data: bytes, officer: User
) -> None:
    event_record(
        stream=f"organisation:{organisation.pk}",
        kind=kind,
        payload={
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "not_in_file": report.not_in_file,
            "sha256": hashlib.sha256(data).hexdigest(),
            "officer": officer.get_username(),
        },
    )


# Units ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _UnitRow:
    row: Row
    kind: str
    code: str
    name: str
    parent: str


@transaction.atomic
def import_units(organisation: Organisation, data: bytes, *, officer: User) -> ImportReport:
    """Add or change the organisation's units from a CSV ``kind,code,name,parent``: ``kind``
    one of the rulebook in force's kinds of unit, ``parent`` the code of the unit it sits
    within (in this file or already listed), as the rulebook's ``within`` says."""
    organisation = _locked(organisation)
    local = rulebook_in_force(organisation).local
    kinds = local.units if local is not None else {}
    if not kinds:
        raise ContestError(gettext("the rulebook in force lists no kinds of unit"))
    rows = read_rows(data, UNIT_COLUMNS, what="units")
    existing = {unit.code: unit for unit in Unit.objects.filter(organisation=organisation)}
    checker = Checker()
    read: list[_UnitRow] = []
    seen: dict[str, int] = {}
    for row in rows:
        unit = _UnitRow(
            row,
            checker.choice(row, "kind", list(kinds)),
            checker.label(row, "code", longest=60),
            checker.label(row, "name", longest=200),
            checker.label(row, "parent", longest=60, required=False),
        )
        if unit.code in seen:
            checker.fault(row, "code", f"the same code as row {seen[unit.code]}")
        seen.setdefault(unit.code, row.number)
        read.append(unit)
    kind_of = {code: unit.kind for code, unit in existing.items()}
    kind_of |= {unit.code: unit.kind for unit in read}
    for unit in read:
        if unit.kind in kinds:
            _check_parent(checker, unit, kind_of, kinds)
    checker.refuse_if_any()
    report = _units_apply(organisation, read, existing)
    _record(organisation, "units.imported", report, data, officer)
    return report


def _check_parent(
    checker: Checker, unit: _UnitRow, kind_of: dict[str, str], kinds: Mapping[str, UnitKind]
) -> None:
    """The parent the rulebook's ``within`` asks for: its kind of unit, or none."""
    within = kinds[unit.kind].within
    name = kinds[unit.kind].name
    if not unit.parent:
        if within is not None:
            checker.fault(unit.row, "parent", f"a {name} sits within a {kinds[within].name}")
        return
    if within is None:
        checker.fault(unit.row, "parent", f"a {name} sits within no other unit: leave it empty")
    elif unit.parent == unit.code:
        checker.fault(unit.row, "parent", "a unit cannot sit within itself")
    elif unit.parent not in kind_of:
        checker.fault(unit.row, "parent", "no unit has this code, in this file or already listed")
    elif kind_of[unit.parent] != within:
        checker.fault(unit.row, "parent", f"a {name} sits within a {kinds[within].name}")


def _units_apply(
    organisation: Organisation, read: list[_UnitRow], existing: dict[str, Unit]
) -> ImportReport:
    new = {unit.code for unit in read if unit.code not in existing}
    for unit in read:
        if unit.code in new:
            existing[unit.code] = Unit.objects.create(
                organisation=organisation, kind=unit.kind, code=unit.code, name=unit.name
            )
    updated = unchanged = 0
    for unit in read:
        row = existing[unit.code]
        parent_id = existing[unit.parent].pk if unit.parent else None
        if (row.kind, row.name, row.parent_id) == (unit.kind, unit.name, parent_id):
            unchanged += unit.code not in new
            continue
        row.kind, row.name, row.parent_id = unit.kind, unit.name, parent_id
        row.save(update_fields=["kind", "name", "parent"])
        updated += unit.code not in new
    named = {unit.code for unit in read}
    return ImportReport(len(new), updated, unchanged, len(set(existing) - named))


# Members ----------------------------------------------------------------------------------


@dataclass
class _MemberRow:
    row: Row
    number: str
    full_name: str
    email: str
    email_normalised: str
    date_of_birth: dt.date | None
    joined: dt.date | None
    standing: str
    section: str
    units: list[int]

    @property
    def key(self) -> str:
        assert self.date_of_birth is not None
        return identity_key(self.email, self.date_of_birth)


@transaction.atomic
def import_roll(organisation: Organisation, data: bytes, *, officer: User) -> ImportReport:
    """Add or change the organisation's members from a CSV
    ``number,name,email,date_of_birth,joined,standing,section,units`` (``units``: unit codes
    separated by ``;``). A row is the member with its number, else with its identity key
    (email and date of birth); the file's values replace the member's, except the name
    the member chose to be shown by."""
    organisation = _locked(organisation)
    rows = read_rows(data, ROLL_COLUMNS, what="roll")
    units = dict(Unit.objects.filter(organisation=organisation).values_list("code", "pk"))
    checker = Checker()
    sections = _sections(organisation)
    read = [_member_row(checker, row, units, sections) for row in rows]
    _check_unique_in_file(checker, read)
    members = list(Member.objects.filter(organisation=organisation))
    matched = _match(checker, read, members)
    checker.refuse_if_any()
    report = _members_apply(organisation, read, matched, len(members))
    _record(organisation, "members.imported", report, data, officer)
    # A registration matching a person suspended from discussion is flagged for review,
    # never refused (discussion imports members, so the import is here, not at the top).
    from omov.web.discussion.appeals import registrations_screen

    registrations_screen(organisation=organisation)
    return report


def _sections(organisation: Organisation) -> list[str] | None:
    """The sections of the rulebook in force, or None (any) if none is loaded yet."""
    try:
        return list(rulebook_in_force(organisation).sections)
    except NoLocalRulesError:
        return None


def _member_row(
    checker: Checker, row: Row, units: dict[str, int], sections: list[str] | None
) -> _MemberRow:
    email = row.cells["email"]
    normalised = normalise_email(email)
    if not normalised:
        checker.fault(row, "email", "it is empty")
    elif email_problem(normalised) is not None:
        checker.fault(row, "email", "it is not an email address")
    born, joined = checker.date(row, "date_of_birth"), checker.date(row, "joined")
    if born is not None and born > dt.date.today():
        checker.fault(row, "date_of_birth", "it is in the future")
    if born is not None and joined is not None and joined < born:
        checker.fault(row, "joined", "it is before the date of birth")
    section = row.cells["section"].lower()
    if not SLUG.match(section):
        checker.fault(row, "section", "it must be a section's short name, such as members")
    elif sections is not None and section not in sections:
        checker.fault(row, "section", "it must be one of " + ", ".join(sections))
    return _MemberRow(
        row,
        checker.label(row, "number", longest=40, required=False),
        checker.label(row, "name", longest=200),
        email.strip(),
        normalised,
        born,
        joined,
        checker.choice(row, "standing", STANDINGS),
        section,
        _unit_ids(checker, row, units),
    )


def _unit_ids(checker: Checker, row: Row, units: dict[str, int]) -> list[int]:
    codes = [code.strip() for code in row.cells["units"].split(UNIT_SEPARATOR)]
    ids = []
    for position, code in enumerate((c for c in codes if c), start=1):
        if code in units:
            ids.append(units[code])
        else:
            place = ORDINALS[position - 1] if position <= len(ORDINALS) else f"{position}th"
            checker.fault(row, "units", f"its {place} code is not one of the organisation's units")
    return sorted(set(ids))


def _check_unique_in_file(checker: Checker, read: list[_MemberRow]) -> None:
    keys: dict[str, int] = {}
    numbers: dict[str, int] = {}
    for member in read:
        if member.number:
            if member.number in numbers:
                checker.fault(
                    member.row, "number", f"the same number as row {numbers[member.number]}"
                )
            numbers.setdefault(member.number, member.row.number)
        if member.date_of_birth is not None and member.email_normalised:
            if member.key in keys:
                fault = f"the same email and date of birth as row {keys[member.key]}"
                checker.fault(member.row, "email", fault)
            keys.setdefault(member.key, member.row.number)


def _match(checker: Checker, read: list[_MemberRow], members: list[Member]) -> list[Member | None]:
    """The member each row is: by number, else by identity key; None for a new member. A
    row whose identity is another member's, or that is a member another row is, is a
    fault."""
    by_number = {m.number: m for m in members if m.number}
    by_key = {m.identity_key: m for m in members}
    taken: dict[int, int] = {}
    matched: list[Member | None] = []
    for member in read:
        if member.date_of_birth is None or not member.email_normalised:
            matched.append(None)
            continue
        found = by_number.get(member.number) if member.number else None
        holder = by_key.get(member.key)
        if found is None:
            found = holder
            if found is not None and found.number and member.number:
                found = None  # a new number on a known identity: reported just below
        if holder is not None and holder is not found:
            checker.fault(
                member.row, "email", "another member on the roll has this email and date of birth"
            )
        elif found is not None and found.pk in taken:
            checker.fault(member.row, None, f"it is the same member as row {taken[found.pk]}")
        if found is not None:
            taken.setdefault(found.pk, member.row.number)
        matched.append(found)
    return matched


FIELDS = (
    "identity_key",
    "number",
    "full_name",
    "email",
    "email_normalised",
    "date_of_birth",
    "joined",
    "standing",
    "section",
)


def _values(member: _MemberRow) -> dict[str, object]:
    return {
        "identity_key": member.key,
        "number": member.number,
        "full_name": member.full_name,
        "email": member.email,
        "email_normalised": member.email_normalised,
        "date_of_birth": member.date_of_birth,
        "joined": member.joined,
        "standing": member.standing,
        "section": member.section,
    }


def display_name_default(full_name: str) -> str:
    """First name and the initial of the last: "Ada Lovelace" is shown as "Ada L."."""
    parts = full_name.split()
    if len(parts) < 2:
        return full_name[:80]
    return f"{parts[0]} {parts[-1][0]}."[:80]


def _members_apply(
    organisation: Organisation,
    read: list[_MemberRow],
    matched: list[Member | None],
    before: int,
) -> ImportReport:
    new = []
    for row, found in zip(read, matched, strict=True):
        if found is None:
            member = Member(organisation=organisation)
            _assign(member, row)
            member.display_name = display_name_default(row.full_name)
            new.append(member)
    Member.objects.bulk_create(new, batch_size=1000)
    current = _current_units([m for m in matched if m is not None])
    fresh = iter(new)
    changed: list[Member] = []
    fields: set[str] = set()
    unit_changes: list[tuple[Member, list[int]]] = []
    updated = unchanged = 0
    for row, found in zip(read, matched, strict=True):
        target = found if found is not None else next(fresh)
        differs = _assign(target, row) if found is not None else set()
        units_differ = current.get(target.pk, []) != row.units
        if differs:
            changed.append(target)
            fields |= differs
        if units_differ:
            unit_changes.append((target, row.units))
        if found is not None:
            updated += bool(differs) or units_differ
            unchanged += not (differs or units_differ)
    if changed:  # only the columns that changed: a standing changed is one column, not nine
        Member.objects.bulk_update(changed, [f for f in FIELDS if f in fields], batch_size=1000)
    _units_set(unit_changes)
    return ImportReport(len(new), updated, unchanged, before - (len(read) - len(new)))


def _assign(member: Member, row: _MemberRow) -> set[str]:
    """Give ``member`` the row's values; the names of those that differed."""
    values = _values(row)
    differs = {name for name, value in values.items() if getattr(member, name) != value}
    for name, value in values.items():
        setattr(member, name, value)
    return differs


def _current_units(members: Iterable[Member]) -> dict[int, list[int]]:
    through = Member.units.through
    ids = [m.pk for m in members]
    held: dict[int, list[int]] = {}
    rows = through.objects.filter(member_id__in=ids).order_by("unit_id")
    for member_id, unit_id in rows.values_list("member_id", "unit_id"):
        held.setdefault(member_id, []).append(unit_id)
    return held


def _units_set(changes: list[tuple[Member, list[int]]]) -> None:
    through = Member.units.through
    through.objects.filter(member_id__in=[m.pk for m, _ in changes]).delete()
    through.objects.bulk_create(
        [through(member_id=m.pk, unit_id=u) for m, units in changes for u in units],
        batch_size=1000,
    )


# The rulebook in force --------------------------------------------------------------------


@transaction.atomic
def rulebook_choose(organisation: Organisation, key: str, *, officer: User) -> Rulebook:
    """The edition ``key`` (``labour/2018``) is in force for the organisation's local
    democracy from now: one it has loaded, or a shipped one, loaded now."""
    organisation = _locked(organisation)
    if key not in dict(local_editions(organisation)):
        raise ContestError(gettext("that rulebook has no rules for local units"))
    rulebook = rulebook_load(organisation=organisation, key=key)
    RulebookInForce.objects.update_or_create(
        organisation=organisation,
        defaults={"rulebook": rulebook, "chosen_by": officer, "chosen_at": timezone.now()},
    )
    event_record(
        stream=f"organisation:{organisation.pk}",
        kind="members.rulebook-chosen",
        payload={"key": rulebook.key, "officer": officer.get_username()},
    )
    return rulebook
