"""De-duplication within and across sections: one person, one ballot.

Records are the same person when their identity key matches. The key is configurable: by
default the normalised email (trimmed, lower case) plus the date of birth; or the membership
number, when supporters' applications quote one. A record with any part of its key missing is
never treated as anyone's duplicate: guessing would take a ballot from a real person.

Among the records of one person that are otherwise eligible, exactly one keeps the ballot:
the one whose section comes first in the criteria's section priority (members first), then the
lowest record id within that section (in text order, so zero-padded numbers sort as issued).
That choice depends only on the records, never on their order in the file, and applying it
again changes nothing. The others
are marked as duplicates *of* the keeper, so each person can be told which record votes.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from omov.electorate.criteria import DEFAULT_PRIORITY
from omov.electorate.schema import Section

IDENTITY = "identity"
RANK = "rank"
DUPLICATE_OF = "duplicate_of"
_SEPARATOR = "\x1f"


@dataclass(frozen=True, slots=True)
class IdentityKey:
    """The columns that together identify a person across rolls."""

    columns: tuple[str, ...]

    def expr(self) -> pl.Expr:
        """The normalised key as one text value, null when any part is missing."""
        parts = [_normalised(name) for name in self.columns]
        return pl.concat_str(parts, separator=_SEPARATOR, ignore_nulls=False).alias(IDENTITY)


def _normalised(name: str) -> pl.Expr:
    text = pl.col(name).cast(pl.String).str.strip_chars().str.to_lowercase()
    return pl.when(text == "").then(None).otherwise(text)


EMAIL_AND_BIRTH = IdentityKey(("email", "date_of_birth"))
MEMBERSHIP_NUMBER = IdentityKey(("membership_number",))
IDENTITY_KEYS: dict[str, IdentityKey] = {
    "email+dob": EMAIL_AND_BIRTH,
    "membership-number": MEMBERSHIP_NUMBER,
}


def rank_expr(priority: tuple[Section, ...]) -> pl.Expr:
    """The section's place in the priority (0 keeps the ballot first)."""
    ranks = {section.value: index for index, section in enumerate(priority)}
    return pl.col("section").replace_strict(ranks, return_dtype=pl.UInt8).alias(RANK)


def mark_duplicates(records: pl.DataFrame, *, candidates: pl.Expr) -> pl.DataFrame:
    """Add ``duplicate_of`` ("section:record_id" of the keeper) to each candidate duplicate.

    ``records`` has ``section``, ``record_id``, ``identity`` and ``rank``; only rows where
    ``candidates`` is true take part (the otherwise-eligible ones). Others get null.
    """
    taking_part = records.filter(candidates & pl.col(IDENTITY).is_not_null())
    # Only identities seen twice can have duplicates: finding them is one hash pass; the
    # ordering that picks each keeper then runs on those few rows, not on the whole roll.
    shared = taking_part.filter(pl.col(IDENTITY).is_duplicated())
    keepers = (
        shared.sort(RANK, "record_id")
        .unique(IDENTITY, keep="first", maintain_order=True)
        .select(
            IDENTITY,
            pl.col("section").alias("_keeper_section"),
            pl.col("record_id").alias("_keeper_id"),
        )
    )
    joined = records.join(keepers, on=IDENTITY, how="left", maintain_order="left")
    is_duplicate = (
        candidates
        & pl.col("_keeper_id").is_not_null()
        & (
            (pl.col("section") != pl.col("_keeper_section"))
            | (pl.col("record_id") != pl.col("_keeper_id"))
        )
    )
    keeper = pl.col("_keeper_section") + pl.lit(":") + pl.col("_keeper_id")
    return joined.with_columns(
        pl.when(is_duplicate).then(keeper).otherwise(None).alias(DUPLICATE_OF)
    ).drop("_keeper_section", "_keeper_id")


def deduplicate(
    frame: pl.DataFrame,
    *,
    key: IdentityKey = EMAIL_AND_BIRTH,
    priority: tuple[Section, ...] = DEFAULT_PRIORITY,
) -> pl.DataFrame:
    """The records that keep their ballot, one per person, in the input's order.

    ``frame`` has ``section`` (text), ``record_id`` and the key's columns.
    """
    marked = mark_duplicates(
        frame.with_columns(key.expr(), rank_expr(priority)), candidates=pl.lit(value=True)
    )
    return marked.filter(pl.col(DUPLICATE_OF).is_null()).drop(IDENTITY, RANK, DUPLICATE_OF)
