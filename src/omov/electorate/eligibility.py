"""Eligibility per contest: every record eligible, or ineligible with its reasons.

Each section's checks are vectorised Polars expressions over the whole roll. A record may fail
several checks; all are kept (``reasons``, for the person's own statement), and the first in
the documented order of :class:`Reason` is its ``reason``, the one it is counted under in the
published statistics, so the figures add up to the number of records exactly.

Automatic checks come first, then vetting, then de-duplication: a person is only a duplicate
when two of their records would otherwise both vote. So a member who joined after the freeze
and also paid as a registered supporter votes as a supporter; a member who joined before the
freeze and also applied votes once, as a member (see :mod:`omov.electorate.dedup`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

import polars as pl

from omov.electorate.criteria import EligibilityCriteria
from omov.electorate.dedup import (
    DUPLICATE_OF,
    EMAIL_AND_BIRTH,
    IdentityKey,
    mark_duplicates,
    rank_expr,
)
from omov.electorate.roll import ROW, Roll
from omov.electorate.schema import Section, schema_for
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
    SUSPENDED = "suspended"
    IN_ARREARS = "in_arrears"
    EXCLUDED_BY_VETTING = "excluded_by_vetting"
    DUPLICATE = "duplicate"


COLUMNS = ("section", "record_id", ROW, "identity", "reason", "failed", "decision", DUPLICATE_OF)
ORDER = tuple(Reason)


def bit(reason: Reason) -> int:
    """The reason's bit in the ``failed`` mask (a bitmask is far cheaper than a list per row)."""
    return 1 << ORDER.index(reason)


def reasons_of(failed: int) -> list[Reason]:
    """Every reason a record failed, in the documented order, from its ``failed`` mask."""
    return [reason for reason in ORDER if failed & bit(reason)]


@dataclass(frozen=True, slots=True)
class Assessment:
    """The outcome for every record of every roll, under one set of criteria, at one moment.

    ``records`` has one row per record: ``section``, ``record_id``, ``row`` (in its roll),
    ``identity``, ``reason`` (null when eligible), ``failed`` (a bitmask of every failed
    check; see :func:`reasons_of`),
    ``decision`` (the vetting decision that excluded it) and ``duplicate_of``.
    """

    criteria: EligibilityCriteria
    as_of: datetime
    records: pl.DataFrame

    def eligible(self) -> pl.DataFrame:
        return self.records.filter(pl.col("reason").is_null())

    def record(self, section: Section | str, record_id: str) -> dict[str, object] | None:
        found = self.records.filter(
            (pl.col("section") == Section(section).value) & (pl.col("record_id") == record_id)
        )
        return found.row(0, named=True) if found.height else None


def assess(
    rolls: Mapping[Section, Roll | pl.DataFrame],
    criteria: EligibilityCriteria,
    *,
    vetting: Iterable[VettingCase] = (),
    exclusions: pl.DataFrame | None = None,
    as_of: datetime | None = None,
    identity: IdentityKey = EMAIL_AND_BIRTH,
) -> Assessment:
    """Decide every record. Vetting counts as it stood at ``as_of`` (default: the start of the
    ballot-issue date, so the result is the electorate snapshot). ``exclusions`` adds vetting
    decisions already in force, as ``section``, ``record_id``, ``decision`` (e.g. from a file
    exported by the system that ran the vetting)."""
    moment = as_of or datetime.combine(criteria.ballot_issue_date, time.min)
    excluded = exclusions_in_force(vetting, moment)
    if exclusions is not None:
        given = exclusions.select(pl.col("section", "record_id", "decision").cast(pl.String))
        excluded = pl.concat([excluded, given]).unique(["section", "record_id"], keep="first")
    parts = [
        _section_records(Section(section), _frame(roll), criteria, excluded, identity)
        for section, roll in rolls.items()
    ]
    records = pl.concat(parts, how="vertical") if parts else _empty()
    records = records.with_columns(rank_expr(criteria.section_priority))
    records = mark_duplicates(records, candidates=pl.col("reason").is_null()).drop("rank")
    duplicate = pl.col(DUPLICATE_OF).is_not_null()
    records = records.with_columns(
        pl.when(duplicate).then(pl.lit(Reason.DUPLICATE.value)).otherwise("reason").alias("reason"),
        pl.when(duplicate)
        .then(pl.col("failed") | bit(Reason.DUPLICATE))
        .otherwise("failed")
        .alias("failed"),
    )
    return Assessment(criteria, moment, records.select(COLUMNS))


def _frame(roll: Roll | pl.DataFrame) -> pl.DataFrame:
    return roll.frame if isinstance(roll, Roll) else roll


def _section_records(
    section: Section,
    frame: pl.DataFrame,
    criteria: EligibilityCriteria,
    excluded: pl.DataFrame,
    identity: IdentityKey,
) -> pl.DataFrame:
    schema = schema_for(section)
    if ROW not in frame.columns:
        frame = frame.with_row_index(ROW, offset=2)
    absent = [c.name for c in schema.columns if c.name not in frame.columns]
    frame = frame.with_columns(pl.lit(None, pl.String).alias(name) for name in absent)
    vetted = excluded.filter(pl.col("section") == section.value).select(
        pl.col("record_id").alias(schema.record_id), "decision"
    )
    frame = frame.join(vetted, on=schema.record_id, how="left", maintain_order="left")
    checks = [
        *_checks(section, criteria),
        (Reason.EXCLUDED_BY_VETTING, pl.col("decision").is_not_null()),
    ]
    checks.sort(key=lambda check: ORDER.index(check[0]))
    fails = [(reason, expr.fill_null(value=False)) for reason, expr in checks]
    mask = pl.sum_horizontal(
        expr.cast(pl.UInt16) * pl.lit(bit(reason), pl.UInt16) for reason, expr in fails
    )
    return frame.select(
        pl.lit(section.value).alias("section"),
        pl.col(schema.record_id).alias("record_id"),
        pl.col(ROW).cast(pl.UInt32),
        identity.expr(),
        pl.coalesce(pl.when(expr).then(pl.lit(reason.value)) for reason, expr in fails).alias(
            "reason"
        ),
        mask.cast(pl.UInt16).alias("failed"),
        pl.col("decision"),
    )


def _checks(section: Section, criteria: EligibilityCriteria) -> list[tuple[Reason, pl.Expr]]:
    """For each reason this section can fail, the expression that is true when it fails."""
    if section is Section.MEMBERS:
        return [
            (Reason.JOINED_AFTER_FREEZE, pl.col("join_date") > criteria.freeze_date),
            (Reason.LAPSED, pl.col("status") == "lapsed"),
            (Reason.SUSPENDED, (pl.col("status") == "suspended") & criteria.exclude_suspended),
            (Reason.IN_ARREARS, pl.col("arrears") & criteria.exclude_in_arrears),
        ]
    adult = pl.col("date_of_birth") <= adult_born_by(criteria.age_on, criteria.minimum_age)
    if section is Section.SUPPORTERS:
        applied = pl.col("applied_at")
        return [
            (
                Reason.APPLIED_OUTSIDE_WINDOW,
                (applied < criteria.window_opens) | (applied > criteria.window_closes),
            ),
            (Reason.PAYMENT_FAILED, pl.col("payment_status") != "paid"),
            (Reason.UNDER_AGE, ~adult),
            (Reason.NOT_ON_REGISTER, ~pl.col("on_register") & criteria.register_required),
        ]
    return [
        (Reason.SIGNED_UP_AFTER_DEADLINE, pl.col("signed_up") > criteria.affiliated_deadline),
        (Reason.JOINED_AFFILIATE_AFTER_FREEZE, _joined_affiliate_late(criteria)),
        (Reason.UNDER_AGE, ~adult),
    ]


def _joined_affiliate_late(criteria: EligibilityCriteria) -> pl.Expr:
    """True where the affiliate reports a join date after ``affiliate_member_by``. An empty
    date compares as null, which counts as not failed (see ``EligibilityCriteria``)."""
    if criteria.affiliate_member_by is None:
        return pl.lit(value=False)
    return pl.col("affiliate_join_date").cast(pl.Date) > criteria.affiliate_member_by


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
            "identity": pl.String,
            "reason": pl.String,
            "failed": pl.UInt16,
            "decision": pl.String,
        }
    )
