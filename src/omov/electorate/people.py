"""People, not records: which records across all rolls belong to one person.

Two records are the same person when their identity key matches (by default the normalised
email and date of birth), or when they carry the same membership number: a member's own
number, or the number a supporter quotes on their application. Linking is transitive (a
supporter who quotes member M1's number under another email, and whose email is also on an
affiliated-supporter record, is one person with all three), so people are the connected
components of records joined by either key.

A record with no key at all is a person of its own: guessing would take a ballot from a
real person.
"""

from __future__ import annotations

import polars as pl

PERSON = "person"
NUMBER = "number"
QUOTES = "quotes_number"
"""True for a record that quotes a number (an application), false for a member's own."""


def normalised(expr: pl.Expr) -> pl.Expr:
    """Trimmed, lower case, empty as null: how keys are compared."""
    text = expr.cast(pl.String).str.strip_chars().str.to_lowercase()
    return pl.when(text == "").then(None).otherwise(text)


def link_people(records: pl.DataFrame, *, identity: str) -> pl.DataFrame:
    """Add ``person``: for each record, the smallest "section:record_id" among all the
    records linked to it by the ``identity`` column or by ``number`` (null joins nothing).
    The label depends only on the records, never on their order in the files.

    Only records sharing a key with another take part in the propagation (a few percent
    of a roll). A member's own number is unique on the members' roll, so numbers link
    records only where an application quotes one: when none does, numbers cost nothing.
    Each pass lowers every linked record's label to the smallest label of any record
    sharing a key with it; labels only fall, so it ends when nothing changes (after as many
    passes as the longest chain of links is long)."""
    label = pl.col("section") + pl.lit(":") + pl.col("record_id")
    framed = records.with_columns(label.alias(PERSON))
    quoted = framed.filter(pl.col(QUOTES)).get_column(NUMBER).drop_nulls().unique()
    keys = [identity] if quoted.is_empty() else [identity, NUMBER]
    shared = pl.col(identity).is_not_null() & pl.col(identity).is_duplicated()
    if len(keys) == 2:
        shared = shared | pl.col(NUMBER).is_in(quoted.implode())
    positions = framed.select(pl.arg_where(shared)).to_series()
    if positions.is_empty():
        return framed
    linked = (
        framed[positions]
        .select(PERSON, *keys)
        .with_columns(positions.alias("_position"))
        .sort(PERSON)
        .with_columns(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_label"))
    )
    while True:
        before = linked.get_column("_label")
        for key in keys:
            lowest = pl.col("_label").min().over(key)
            linked = linked.with_columns(
                pl.when(pl.col(key).is_not_null()).then(lowest).otherwise("_label").alias("_label")
            )
        if linked.get_column("_label").equals(before):
            break
    names = linked.get_column(PERSON)  # sorted: label i names the record in row i
    chosen = names.gather(linked.get_column("_label"))
    people = framed.get_column(PERSON).scatter(linked.get_column("_position"), chosen)
    return framed.with_columns(people)
