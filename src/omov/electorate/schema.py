"""The documented column schema of each section's roll, and the mapping from an officer's headers.

A roll is one file per section. Its columns are named as below (or mapped onto these names with
``column_map``); column order does not matter and extra columns are ignored. Values are read
as text and then checked, so a bad value is reported with its row instead of silently becoming
empty:

- dates are ISO ``YYYY-MM-DD``; times are ISO ``YYYY-MM-DDTHH:MM:SS`` (or with a space), in
  the organisation's local time, as the application form recorded them;
- flags are ``true/false``, ``yes/no``, ``y/n`` or ``1/0`` (any case);
- coded values (member status, payment status) come from the closed lists given here.

Every section carries ``email`` and ``date_of_birth`` because the default identity key that
finds one person on several rolls is the normalised email plus the date of birth.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import polars as pl

from omov.electorate.errors import ElectorateError


class RollKind(StrEnum):
    """The kind of roll a section is kept on, which fixes its columns.

    Sections are the rulebook's (``members``; Labour's ``registered-supporters``); each
    names the kind of roll its electors come on. Most organisations have one section, a
    membership roll; Labour from 2014 has three, one of each kind."""

    MEMBERS = "members"  # a membership roll: numbered members, join date, standing
    SUPPORTERS = "supporters"  # applications: pay a fee, apply in a window
    AFFILIATES = "affiliates"  # members of an affiliated organisation who signed up


class Kind(StrEnum):
    """How a column's text is checked and converted."""

    ID = "id"  # non-empty text, the record's number on its roll
    TEXT = "text"  # free text, may be empty
    DATE = "date"
    DATETIME = "datetime"
    FLAG = "flag"
    CODE = "code"  # one of a closed list


@dataclass(frozen=True, slots=True)
class Column:
    """One documented column: its name, kind, whether a roll must have it, and what it means."""

    name: str
    kind: Kind
    meaning: str
    required: bool = True
    codes: tuple[str, ...] = ()

    @property
    def dtype(self) -> pl.DataType:
        return _DTYPES[self.kind]


_DTYPES: dict[Kind, pl.DataType] = {
    Kind.ID: pl.String(),
    Kind.TEXT: pl.String(),
    Kind.DATE: pl.Date(),
    Kind.DATETIME: pl.Datetime("us"),
    Kind.FLAG: pl.Boolean(),
    Kind.CODE: pl.String(),
}

MEMBER_STATUSES = ("active", "lapsed", "suspended", "expelled")
PAYMENT_STATUSES = ("paid", "failed", "pending", "refunded")

_PERSON = (
    Column("email", Kind.TEXT, "email address; normalised (trimmed, lower case) for identity"),
    Column("date_of_birth", Kind.DATE, "date of birth; for identity and the minimum age"),
)


@dataclass(frozen=True, slots=True)
class SectionSchema:
    """The columns of one section's roll; ``record_id`` names the column that numbers records."""

    kind: RollKind
    record_id: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


MEMBERS = SectionSchema(
    RollKind.MEMBERS,
    "membership_number",
    (
        Column("membership_number", Kind.ID, "the member's membership number"),
        *_PERSON,
        Column("join_date", Kind.DATE, "date the current continuous membership began"),
        Column("status", Kind.CODE, "standing of the membership", codes=MEMBER_STATUSES),
        Column("arrears", Kind.FLAG, "true if subscriptions are in arrears"),
    ),
)

SUPPORTERS = SectionSchema(
    RollKind.SUPPORTERS,
    "application_id",
    (
        Column("application_id", Kind.ID, "the registered-supporter application's number"),
        *_PERSON,
        Column("applied_at", Kind.DATETIME, "time the application was submitted"),
        Column("payment_status", Kind.CODE, "outcome of the fee payment", codes=PAYMENT_STATUSES),
        Column("on_register", Kind.FLAG, "true if matched to the electoral register"),
        Column(
            "membership_number", Kind.TEXT, "membership number, if also a member", required=False
        ),
    ),
)

AFFILIATES = SectionSchema(
    RollKind.AFFILIATES,
    "supporter_id",
    (
        Column("supporter_id", Kind.ID, "the affiliated supporter's number"),
        *_PERSON,
        Column("union", Kind.TEXT, "the affiliated organisation (union) they belong to"),
        Column("signed_up", Kind.DATE, "date they signed up as an affiliated supporter"),
        Column(
            "affiliate_join_date",
            Kind.DATE,
            "date they joined the affiliate, as it reports it; checked against the freeze "
            "where the rules set one; empty: not reported, not excluded on this ground",
            required=False,
        ),
        Column(
            "on_register",
            Kind.FLAG,
            "true if matched to the electoral register, where the affiliate reports it; "
            "empty: not reported, not excluded on this ground",
            required=False,
        ),
        Column(
            "membership_number", Kind.TEXT, "membership number, if also a member", required=False
        ),
    ),
)

SCHEMAS: Mapping[RollKind, SectionSchema] = {
    RollKind.MEMBERS: MEMBERS,
    RollKind.SUPPORTERS: SUPPORTERS,
    RollKind.AFFILIATES: AFFILIATES,
}


def schema_for(kind: RollKind | str) -> SectionSchema:
    """The columns of a kind of roll, named as an enum or as its text (``"members"``)."""
    try:
        return SCHEMAS[RollKind(kind)]
    except ValueError:
        known = ", ".join(k.value for k in RollKind)
        raise ElectorateError(f"no kind of roll {kind!r}; known: {known}") from None


_EXAMPLES: Mapping[Kind, str] = {
    Kind.ID: "EXAMPLE-1",
    Kind.TEXT: "",
    Kind.DATE: "1980-01-31",
    Kind.DATETIME: "2016-07-19T12:00:00",
    Kind.FLAG: "false",
}


def template_csv(kind: RollKind | str) -> str:
    """A roll template: the header row, then one example row to overwrite (delete it before
    importing a real roll; its number says it is an example)."""
    schema = schema_for(kind)
    examples = {"email": "example@example.org", "union": "Example Union"}
    values = [
        examples.get(c.name) or (c.codes[0] if c.codes else _EXAMPLES[c.kind])
        for c in schema.columns
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(schema.names)
    writer.writerow(values)
    return buffer.getvalue()


def parse_column_map(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Turn ``["Member No=membership_number", ...]`` (file header = schema name) into a mapping."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        header, sep, name = pair.partition("=")
        if not sep or not header.strip() or not name.strip():
            raise ElectorateError(f"column map {pair!r} is not HEADER=COLUMN")
        mapping[header.strip()] = name.strip()
    return mapping
