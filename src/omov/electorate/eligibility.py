"""Eligibility per contest: every record eligible, or ineligible with its reasons.

Each section's checks are vectorised Polars expressions over the whole roll. A record may fail
several checks; all are kept (``reasons``, for the person's own statement), and the first in
the documented order of :class:`Reason` is its ``reason``, the one it is counted under in the
published statistics, so the figures add up to the number of records exactly.

People, not records (:mod:`omov.electorate.people`): the records of one person are linked
across every roll. Disqualifying grounds (a vetting exclusion, a suspension, an expulsion)
are about the person, so they apply to every one of that person's records, in every
section: a member vetted out cannot vote through their supporter record. Technical grounds
(joined after the freeze, applied outside the window, a failed payment) are about the
record and stay with it: a member who joined after the freeze and paid as a registered
supporter votes as a supporter.

Automatic checks come first, then vetting, then de-duplication: a person is only a duplicate
when two of their records would otherwise both vote; the record of the section first in
the criteria's order keeps the ballot (see :mod:`omov.electorate.dedup`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

import polars as pl

from omov.electorate.criteria import EligibilityCriteria, SectionCriteria
from omov.electorate.dedup import (
    DUPLICATE_OF,
    EMAIL_AND_BIRTH,
    IDENTITY,
    IdentityKey,
    mark_duplicates,
    rank_expr,
)
from omov.electorate.people import NUMBER, PERSON, QUOTES, link_people, normalised
from omov.electorate.roll import ROW, Roll
from omov.electorate.schema import RollKind, schema_for
from omov.electorate.vetting import VettingCase, exclusions_in_force


class Reason(StrEnum):
    """Why a record cannot vote, in the order that picks the reason it is counted under."""

    JOINED_AFTER_FREEZE = "joined_after_freeze"
    LAPSED = "lapsed"
    APPLIED_OUTSIDE_WINDOW = "applied_outside_window"
    SIGNED_UP_AFTER_DEADLINE = "signed_up_after_deadline"
    JOINED_AFFILIATE_AFTER_FREEZE = "joined_affiliate_after_freeze"
    PAYMENT_FAILED = "payment_failed"
    UNDER_AGE = "under_age"
    NOT_ON_REGISTER = "not_on_register"
    EXPELLED = "expelled"
    SUSPENDED = "suspended"
    IN_ARREARS = "in_arrears"
    EXCLUDED_BY_VETTING = "excluded_by_vetting"
    DUPLICATE = "duplicate"

    @property
    def disqualifies_person(self) -> bool:
        """A ground about the person, which follows them to every record they have."""
        return self in DISQUALIFYING


DISQUALIFYING = frozenset({Reason.EXPELLED, Reason.SUSPENDED, Reason.EXCLUDED_BY_VETTING})
COLUMNS = (
    "section",
    "record_id",
    ROW,
    IDENTITY,
    "reason",
    "failed",
    "decision",
    "via",
    DUPLICATE_OF,
)
ORDER = tuple(Reason)


def bit(reason: Reason) -> int:
    """The reason's bit in the ``failed`` mask (a bitmask is far cheaper than a list per row)."""
    return 1 << ORDER.index(reason)


PERSONAL_MASK = sum(bit(reason) for reason in DISQUALIFYING)


def reasons_of(failed: int) -> list[Reason]:
    """Every reason a record failed, in the documented order, from its ``failed`` mask."""
    return [reason for reason in ORDER if failed & bit(reason)]


@dataclass(frozen=True, slots=True)
class Assessment:
    """The outcome for every record of every roll, under one set of criteria, at one moment.

    ``records`` has one row per record: ``section``, ``record_id``, ``row`` (in its roll),
    ``identity``, ``reason`` (null when
    eligible), ``failed`` (a bitmask of every failed check; see :func:`reasons_of`),
    ``decision`` (the vetting decision that excluded the person), ``via`` (for a ground
    that follows the person: "section:record_id" of the record it was found on, when that
    is another record) and ``duplicate_of``.
    """

    criteria: EligibilityCriteria
    as_of: datetime
    records: pl.DataFrame

    def eligible(self) -> pl.DataFrame:
        return self.records.filter(pl.col("reason").is_null())

    def record(self, section: str, record_id: str) -> dict[str, object] | None:
        found = self.records.filter(
            (pl.col("section") == str(section)) & (pl.col("record_id") == record_id)
        )
        return found.row(0, named=True) if found.height else None


def assess(
    rolls: Mapping[str, Roll | pl.DataFrame],
    criteria: EligibilityCriteria,
    *,
    vetting: Iterable[VettingCase] = (),
    exclusions: pl.DataFrame | None = None,
    as_of: datetime | None = None,
    identity: IdentityKey = EMAIL_AND_BIRTH,
) -> Assessment:
    """Decide every record; ``rolls`` maps each section's name to its roll. Vetting counts
    as it stood at ``as_of`` (default: the start of the ballot-issue date, so the result is
    the electorate snapshot). ``exclusions`` adds vetting decisions already in force, as
    ``section``, ``record_id``, ``decision`` (e.g. from a file exported by the system that
    ran the vetting)."""
    moment = as_of or datetime.combine(criteria.ballot_issue_date, time.min)
    excluded = exclusions_in_force(vetting, moment)
    if exclusions is not None:
        given = exclusions.select(pl.col("section", "record_id", "decision").cast(pl.String))
        excluded = pl.concat([excluded, given]).unique(["section", "record_id"], keep="first")
    parts = [
        _section_records(criteria.section(str(name)), _frame(roll), excluded, identity)
        for name, roll in rolls.items()
    ]
    records = pl.concat(parts, how="vertical") if parts else _empty()
    records = _follow_the_person(link_people(records, identity=IDENTITY))
    records = records.with_columns(rank_expr(criteria.names))
    eligible_so_far = pl.col("failed") == 0
    records = mark_duplicates(records, candidates=eligible_so_far).drop("rank")
    duplicate = pl.col(DUPLICATE_OF).is_not_null()
    records = records.with_columns(
        pl.when(duplicate)
        .then(pl.col("failed") | bit(Reason.DUPLICATE))
        .otherwise("failed")
        .alias("failed")
    )
    records = records.with_columns(_first_reason(pl.col("failed")).alias("reason"))
    return Assessment(criteria, moment, records.select(COLUMNS))


def _frame(roll: Roll | pl.DataFrame) -> pl.DataFrame:
    return roll.frame if isinstance(roll, Roll) else roll


def _follow_the_person(records: pl.DataFrame) -> pl.DataFrame:
    """Spread each disqualifying ground to every record of the person it was found on, with
    the vetting decision that excluded them and which record the ground came from (the
    first in text order, so the answer never depends on the order of the rolls). Only the
    few people with such a ground are grouped; the rest of the roll is one join."""
    personal = pl.col("failed") & PERSONAL_MASK
    own = personal != 0
    found = (
        records.filter(own)
        .group_by(PERSON)
        .agg(
            personal.bitwise_or().alias("_personal"),
            pl.col("decision").min().alias("_decision"),
            (pl.col("section") + pl.lit(":") + pl.col("record_id")).min().alias("_via"),
        )
    )
    joined = records.join(found, on=PERSON, how="left", maintain_order="left")
    spread = pl.col("_personal").is_not_null() & ~own
    return joined.with_columns(
        (pl.col("failed") | pl.col("_personal").fill_null(0)).cast(pl.UInt16).alias("failed"),
        pl.coalesce("decision", "_decision").alias("decision"),
        pl.when(spread).then("_via").otherwise(None).alias("via"),
    ).drop("_personal", "_decision", "_via")


def _first_reason(failed: pl.Expr) -> pl.Expr:
    """The reason of the lowest bit set: reasons are numbered in their documented order."""
    lowest = failed.cast(pl.Int32) & -failed.cast(pl.Int32)
    names = {bit(reason): reason.value for reason in ORDER}
    return lowest.replace_strict(names, default=None, return_dtype=pl.String)


def _section_records(
    section: SectionCriteria,
    frame: pl.DataFrame,
    excluded: pl.DataFrame,
    identity: IdentityKey,
) -> pl.DataFrame:
    schema = schema_for(section.roll)
    if ROW not in frame.columns:
        frame = frame.with_row_index(ROW, offset=2)
    absent = [c.name for c in schema.columns if c.name not in frame.columns]
    frame = frame.with_columns(pl.lit(None, pl.String).alias(name) for name in absent)
    vetted = excluded.filter(pl.col("section") == section.name).select(
        pl.col("record_id").alias(schema.record_id), "decision"
    )
    frame = frame.join(vetted, on=schema.record_id, how="left", maintain_order="left")
    checks = [
        *_checks(section),
        (Reason.EXCLUDED_BY_VETTING, pl.col("decision").is_not_null()),
    ]
    mask = pl.sum_horizontal(
        expr.fill_null(value=False).cast(pl.UInt16) * pl.lit(bit(reason), pl.UInt16)
        for reason, expr in checks
    )
    return frame.select(
        pl.lit(section.name).alias("section"),
        pl.col(schema.record_id).alias("record_id"),
        pl.col(ROW).cast(pl.UInt32),
        identity.expr(),
        _number(section.roll, schema.record_id).alias(NUMBER),
        pl.lit(section.roll is not RollKind.MEMBERS).alias(QUOTES),
        mask.cast(pl.UInt16).alias("failed"),
        pl.col("decision").cast(pl.String),
    )


def _number(kind: RollKind, record_id: str) -> pl.Expr:
    """The membership number a record carries: a member's own, or the one a supporter
    quotes on their application."""
    if kind is RollKind.MEMBERS:
        return normalised(pl.col(record_id))
    return normalised(pl.col("membership_number"))


def _checks(section: SectionCriteria) -> list[tuple[Reason, pl.Expr]]:
    """For each reason this section can fail, the expression that is true when it fails."""
    checks = _kind_checks(section)
    if section.minimum_age is not None and section.age_on is not None:
        born_by = adult_born_by(section.age_on, section.minimum_age)
        checks.append((Reason.UNDER_AGE, pl.col("date_of_birth") > born_by))
    return checks


def _kind_checks(section: SectionCriteria) -> list[tuple[Reason, pl.Expr]]:
    off = pl.lit(value=False)
    if section.roll is RollKind.MEMBERS:
        status = pl.col("status")
        joined = pl.col("join_date") > section.joined_by if section.joined_by else off
        return [
            (Reason.JOINED_AFTER_FREEZE, joined),
            (Reason.LAPSED, status == "lapsed"),
            (Reason.EXPELLED, status == "expelled"),
            (Reason.SUSPENDED, (status == "suspended") & section.exclude_suspended),
            (Reason.IN_ARREARS, pl.col("arrears") & section.exclude_in_arrears),
        ]
    register = ~pl.col("on_register").cast(pl.Boolean) & section.register_required
    if section.roll is RollKind.SUPPORTERS:
        applied = pl.col("applied_at")
        opens, closes = section.window_opens, section.window_closes
        return [
            (
                Reason.APPLIED_OUTSIDE_WINDOW,
                (applied < opens if opens else off) | (applied > closes if closes else off),
            ),
            (Reason.PAYMENT_FAILED, pl.col("payment_status") != "paid"),
            (Reason.NOT_ON_REGISTER, register),
        ]
    late = pl.col("signed_up") > section.signed_up_by if section.signed_up_by else off
    return [
        (Reason.SIGNED_UP_AFTER_DEADLINE, late),
        (Reason.JOINED_AFFILIATE_AFTER_FREEZE, _joined_affiliate_late(section)),
        (Reason.NOT_ON_REGISTER, register),
    ]


def _joined_affiliate_late(section: SectionCriteria) -> pl.Expr:
    """True where the affiliate reports a join date after ``affiliate_member_by``. An empty
    date compares as null, which counts as not failed (see ``SectionCriteria``)."""
    if section.affiliate_member_by is None:
        return pl.lit(value=False)
    return pl.col("affiliate_join_date").cast(pl.Date) > section.affiliate_member_by


def adult_born_by(on: date, years: int) -> date:
    """The latest birth date of someone aged ``years`` on ``on`` (29 February counts as 28th)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


def _empty() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "section": pl.String,
            "record_id": pl.String,
            ROW: pl.UInt32,
            IDENTITY: pl.String,
            NUMBER: pl.String,
            QUOTES: pl.Boolean,
            "failed": pl.UInt16,
            "decision": pl.String,
        }
    )
