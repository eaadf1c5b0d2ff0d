"""Roll import: a malformed roll is refused with its row number and nothing is imported."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from omov.electorate.errors import ElectorateError, RollError
from omov.electorate.roll import read_roll, read_roll_bytes
from omov.electorate.schema import parse_column_map

HEADER = b"membership_number,email,date_of_birth,join_date,status,arrears\n"
GOOD = (
    HEADER
    + b"L1,a@x.org,1970-01-01,2015-01-01,active,no\nL2,,1980-02-02,2016-03-01,Suspended,YES\n"
)


def test_good_roll_is_typed_and_keeps_source_rows() -> None:
    roll = read_roll_bytes(GOOD, "members")
    assert roll.frame["row"].to_list() == [2, 3]
    assert roll.frame["join_date"].dtype == pl.Date
    assert roll.frame["status"].to_list() == ["active", "suspended"]
    assert roll.frame["arrears"].to_list() == [False, True]
    assert roll.frame["email"].to_list() == ["a@x.org", None]


@pytest.mark.parametrize(
    ("extra", "row", "words"),
    [
        (b"L3,b@x,1990-01-01,2016-02-30,active,no\n", 4, "join_date: is not a date"),
        (b"L3,b@x,01/02/1990,2016-02-01,active,no\n", 4, "date_of_birth"),
        (b"L3,b@x,1990-01-01,,active,no\n", 4, "join_date: is empty"),
        (b"L3,b@x,1990-01-01,2016-01-01,gone,no\n", 4, "one of active/lapsed/suspended"),
        (b"L3,b@x,1990-01-01,2016-01-01,active,maybe\n", 4, "true or false"),
        (b"L1,b@x,1990-01-01,2016-01-01,active,no\n", 4, "the same record number as row 2"),
        (HEADER, 4, "repeats the header"),
        (b"L3,b@x,1990-01-01,2016-01-01,active,no,surplus\n", 4, "more fields than the header"),
    ],
)
def test_bad_row_is_named_and_nothing_imported(extra: bytes, row: int, words: str) -> None:
    with pytest.raises(RollError) as caught:
        read_roll_bytes(GOOD + extra + b"L9,c@x,1990-01-01,2015-01-01,active,no\n", "members")
    assert caught.value.row == row
    assert words in str(caught.value)
    assert "nothing imported" in str(caught.value)


def test_mixed_encodings_name_the_row_of_the_first_foreign_byte() -> None:
    data = GOOD + "L3,zoë@x.org,1990-01-01,2015-01-01,active,no\n".encode()
    data += "L4,andré@x.org,1990-01-01,2015-01-01,active,no\n".encode("latin-1")
    with pytest.raises(RollError, match=r"row 5: byte 0xE9 is not UTF-8") as caught:
        read_roll_bytes(data, "members")
    assert caught.value.row == 5


def test_utf8_with_bom_and_crlf_is_accepted() -> None:
    data = b"\xef\xbb\xbf" + GOOD.replace(b"\n", b"\r\n")
    assert read_roll_bytes(data, "members").frame["membership_number"].to_list() == ["L1", "L2"]


def test_duplicated_header_name_is_refused_at_row_1() -> None:
    data = b"membership_number,email,email,date_of_birth,join_date,status,arrears\n"
    with pytest.raises(RollError, match="row 1: the header names column 'email' twice"):
        read_roll_bytes(data + b"L1,a,b,1970-01-01,2015-01-01,active,no\n", "members")


def test_missing_column_is_named_and_can_be_mapped() -> None:
    renamed = GOOD.replace(b"membership_number", b"Member No")
    with pytest.raises(RollError, match=r"missing column\(s\) \['membership_number'\]"):
        read_roll_bytes(renamed, "members")
    mapped = read_roll_bytes(
        renamed, "members", column_map=parse_column_map(["Member No=membership_number"])
    )
    assert mapped.frame["membership_number"].to_list() == ["L1", "L2"]
    with pytest.raises(ElectorateError, match="HEADER=COLUMN"):
        parse_column_map(["Member No"])


def test_skip_mode_records_each_skipped_row() -> None:
    data = GOOD + b"L3,b@x,1990-01-01,2016-02-30,active,no\nL4,c,1990-01-01,2015-01-01,x,no\n"
    roll = read_roll_bytes(data, "members", skip_bad_rows=True)
    assert roll.frame["membership_number"].to_list() == ["L1", "L2"]
    assert [(s.row, s.column) for s in roll.skipped] == [(4, "join_date"), (5, "status")]


def test_parquet_roll_reads_the_same_as_csv(tmp_path: Path) -> None:
    csv = read_roll_bytes(GOOD, "members").frame
    path = tmp_path / "members.parquet"
    csv.drop("row").write_parquet(path)
    parquet = read_roll(path, "members").frame
    assert parquet.drop("row").equals(csv.drop("row"))
    assert parquet["row"].to_list() == [1, 2]  # Parquet has no header row


def _million_rows_with_one_bad(bad_at: int) -> bytes:
    n = 1_000_000
    index = pl.int_range(0, n, eager=True)
    frame = pl.DataFrame({"i": index}).select(
        pl.format("L{}", pl.col("i")).alias("membership_number"),
        pl.format("p{}@example.org", pl.col("i")).alias("email"),
        pl.lit("1970-01-01").alias("date_of_birth"),
        pl.when(pl.col("i") == bad_at)
        .then(pl.lit("2016-13-01"))
        .otherwise(pl.lit("2015-06-30"))
        .alias("join_date"),
        pl.lit("active").alias("status"),
        pl.lit("no").alias("arrears"),
    )
    return frame.write_csv().encode()


def test_a_million_rows_with_one_bad_row_in_the_middle() -> None:
    data = _million_rows_with_one_bad(bad_at=500_000)
    with pytest.raises(RollError) as caught:
        read_roll_bytes(data, "members")
    assert caught.value.row == 500_002  # header is row 1, the first person row 2
    assert "join_date: is not a date" in str(caught.value)
    assert "2016-13-01" not in str(caught.value)


def test_empty_file_is_refused_and_a_header_alone_is_an_empty_roll() -> None:
    with pytest.raises(RollError, match="row 1: the header row is empty"):
        read_roll_bytes(b"", "members")
    assert len(read_roll_bytes(HEADER, "members")) == 0
    with pytest.raises(RollError, match="UTF-16"):
        read_roll_bytes(HEADER.decode().encode("utf-16"), "members")


def test_typed_parquet_supporters_roll(tmp_path: Path) -> None:
    data = (
        b"application_id,email,date_of_birth,applied_at,payment_status,on_register\n"
        b"S1,a@x.org,1970-01-01,2016-07-19T12:00:00,paid,yes\n"
        b"S2,b@x.org,1971-01-01,2016-07-19 12:00:00.5,Failed,0\n"
    )
    csv = read_roll_bytes(data, "supporters").frame
    assert csv["applied_at"].dt.microsecond().to_list() == [0, 500_000]
    path = tmp_path / "supporters.parquet"
    csv.drop("row").write_parquet(path)  # Parquet keeps the types: datetimes, booleans
    again = read_roll(path, "supporters").frame
    assert again.drop("row").equals(csv.drop("row"))


AFFILIATES = b"supporter_id,email,date_of_birth,union,signed_up,affiliate_join_date\n"


def test_the_affiliate_join_date_is_optional_and_checked_when_given() -> None:
    without = read_roll_bytes(
        b"supporter_id,email,date_of_birth,union,signed_up\nA1,a@x,1970-01-01,GMB,2016-05-01\n",
        "affiliates",
    )
    assert without.frame["affiliate_join_date"].to_list() == [None]
    given = read_roll_bytes(
        AFFILIATES
        + b"A1,a@x,1970-01-01,GMB,2016-05-01,2001-02-03\nA2,b@x,1970-01-01,GMB,2016-05-01,\n",
        "affiliates",
    )
    assert given.frame["affiliate_join_date"].dtype == pl.Date
    assert [str(d) if d else None for d in given.frame["affiliate_join_date"]] == [
        "2001-02-03",
        None,
    ]
    with pytest.raises(RollError) as caught:
        read_roll_bytes(AFFILIATES + b"A1,a@x,1970-01-01,GMB,2016-05-01,03/02/2001\n", "affiliates")
    assert caught.value.row == 2
    assert "affiliate_join_date" in str(caught.value)
