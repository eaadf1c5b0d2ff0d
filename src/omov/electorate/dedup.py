"""De-duplication within and across sections: one person, one ballot.

Records are the same person when :mod:`omov.electorate.people` links them: the identity key
matches (by default the normalised email, trimmed and lower case, plus the date of birth;
or the membership number), or two records carry the same membership number. A record with
no key is never treated as anyone's duplicate: guessing would take a ballot from a real
person.

Among the records of one person that are otherwise eligible, exactly one keeps the ballot:
the one whose section comes first in the criteria's order (members first), then the lowest
record id within that section (in text order, so zero-padded numbers sort as issued). That
choice depends only on the records, never on their order in the file, and applying it
again changes nothing. The others are marked as duplicates *of* the keeper, so each person
can be told which record votes.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from omov.electorate.people import NUMBER, PERSON, QUOTES, link_people, normalised

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
        parts = [normalised(pl.col(name)) for name in self.columns]
        return pl.concat_str(parts, separator=_SEPARATOR, ignore_nulls=False).alias(IDENTITY)


EMAIL_AND_BIRTH = IdentityKey(("email", "date_of_birth"))
MEMBERSHIP_NUMBER = IdentityKey(("membership_number",))
IDENTITY_KEYS: dict[str, IdentityKey] = {
    "email+dob": EMAIL_AND_BIRTH,
    "membership-number": MEMBERSHIP_NUMBER,
}


def rank_expr(priority: tuple[str, ...]) -> pl.Expr:
    """The section's place in the priority (0 keeps the ballot first)."""
    ranks = {str(section): index for index, section in enumerate(priority)}
    return pl.col("section").replace_strict(ranks, return_dtype=pl.UInt8).alias(RANK)


def mark_duplicates(records: pl.DataFrame, *, candidates: pl.Expr) -> pl.DataFrame:
    """Add ``duplicate_of`` ("section:record_id" of the keeper) to each candidate duplicate.

    ``records`` has ``section``, ``record_id``, ``person`` and ``rank``; only rows where
    ``candidates`` is true take part (the otherwise-eligible ones). Others get null.
    """
    taking_part = records.filter(candidates)
    # Only people with two records taking part can have duplicates: finding them is one
    # hash pass; the ordering that picks each keeper then runs on those few rows.
    shared = taking_part.filter(pl.col(PERSON).is_duplicated())
    keepers = (
        shared.sort(RANK, "record_id")
        .unique(PERSON, keep="first", maintain_order=True)
        .select(
            PERSON,
            pl.col("section").alias("_keeper_section"),
            pl.col("record_id").alias("_keeper_id"),
        )
    )
    joined = records.join(keepers, on=PERSON, how="left", maintain_order="left")
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
    priority: tuple[str, ...] = ("members", "affiliates", "supporters"),
) -> pl.DataFrame:
    """The records that keep their ballot, one per person, in the input's order.

    ``frame`` has ``section`` (text), ``record_id`` and the key's columns; a
    ``membership_number`` column, where there is one, links records too.
    """
    number = (
        normalised(pl.col("membership_number"))
        if "membership_number" in frame.columns
        else pl.lit(None, pl.String)
    )
    keyed = frame.with_columns(
        key.expr(), number.alias(NUMBER), pl.lit(value=True).alias(QUOTES), rank_expr(priority)
    )
    linked = link_people(keyed, identity=IDENTITY)
    marked = mark_duplicates(linked, candidates=pl.lit(value=True))
    return marked.filter(pl.col(DUPLICATE_OF).is_null()).drop(
        IDENTITY, NUMBER, QUOTES, RANK, PERSON, DUPLICATE_OF
    )
