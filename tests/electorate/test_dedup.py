"""De-duplication: idempotent, independent of row order, one keeper per person by priority."""

from __future__ import annotations

from datetime import date

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from omov.electorate.dedup import EMAIL_AND_BIRTH, MEMBERSHIP_NUMBER, deduplicate

SECTIONS = ["members", "affiliates", "supporters"]

records = st.lists(
    st.tuples(
        st.sampled_from(SECTIONS),
        st.integers(0, 40),  # record number within the section
        st.sampled_from(["a@x.org", " A@X.org", "b@x.org", "c@y.org", "", None]),
        st.sampled_from([date(1970, 1, 1), date(1980, 5, 5), None]),
    ),
    max_size=60,
    unique_by=lambda r: (r[0], r[1]),  # a record id names one record in its section
)


def _frame(rows: list[tuple[str, int, str | None, date | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "section": [r[0] for r in rows],
            "record_id": [f"R{r[1]:03d}" for r in rows],
            "email": [r[2] for r in rows],
            "date_of_birth": [r[3] for r in rows],
        },
        schema={
            "section": pl.String,
            "record_id": pl.String,
            "email": pl.String,
            "date_of_birth": pl.Date,
        },
    )


def _keys(frame: pl.DataFrame) -> set[tuple[str, str]]:
    return set(frame.select("section", "record_id").iter_rows())


@settings(max_examples=150, deadline=None)
@given(records)
def test_deduplication_is_idempotent(rows: list[tuple[str, int, str | None, date | None]]) -> None:
    once = deduplicate(_frame(rows))
    assert deduplicate(once).equals(once)


@settings(max_examples=150, deadline=None)
@given(records, st.randoms(use_true_random=False))
def test_deduplication_ignores_row_order(
    rows: list[tuple[str, int, str | None, date | None]], shuffler: object
) -> None:
    shuffled = list(rows)
    shuffler.shuffle(shuffled)  # type: ignore[attr-defined]
    assert _keys(deduplicate(_frame(rows))) == _keys(deduplicate(_frame(shuffled)))


@settings(max_examples=150, deadline=None)
@given(records)
def test_one_record_per_known_person_and_unknowns_are_never_merged(
    rows: list[tuple[str, int, str | None, date | None]],
) -> None:
    kept = deduplicate(_frame(rows)).with_columns(EMAIL_AND_BIRTH.expr())
    known = kept.filter(pl.col("identity").is_not_null())
    assert known["identity"].n_unique() == known.height
    unknown = [r for r in rows if not (r[2] or "").strip() or r[3] is None]
    assert kept.height - known.height == len(unknown)


def test_member_who_also_applied_keeps_the_ballot_as_a_member() -> None:
    frame = _frame(
        [
            ("supporters", 1, "a@x.org", date(1970, 1, 1)),
            ("affiliates", 2, "A@x.org ", date(1970, 1, 1)),
            ("members", 9, "a@x.org", date(1970, 1, 1)),
            ("supporters", 3, "a@x.org", date(1971, 1, 1)),  # another person: other birth date
        ]
    )
    assert _keys(deduplicate(frame)) == {("members", "R009"), ("supporters", "R003")}
    reversed_priority = ("supporters", "affiliates", "members")
    assert _keys(deduplicate(frame, priority=reversed_priority)) == {
        ("supporters", "R001"),
        ("supporters", "R003"),
    }


def test_membership_number_key() -> None:
    frame = pl.DataFrame(
        {
            "section": ["members", "supporters", "supporters"],
            "record_id": ["L1", "S1", "S2"],
            "membership_number": ["L1", "l1 ", None],
        }
    )
    assert _keys(deduplicate(frame, key=MEMBERSHIP_NUMBER)) == {
        ("members", "L1"),
        ("supporters", "S2"),
    }


def test_a_quoted_membership_number_links_records_under_other_emails() -> None:
    """A supporter who quotes a member's number under another email is that member, and
    so is an affiliated supporter sharing the supporter's email: one person, one ballot."""
    frame = pl.DataFrame(
        {
            "section": ["members", "supporters", "affiliates", "supporters"],
            "record_id": ["L1", "S1", "A1", "S2"],
            "email": ["m@x.org", "other@x.org", "Other@x.org", "s2@x.org"],
            "date_of_birth": [date(1970, 1, 1)] * 4,
            "membership_number": ["L1", " l1", None, "L9"],
        }
    )
    assert _keys(deduplicate(frame)) == {("members", "L1"), ("supporters", "S2")}
