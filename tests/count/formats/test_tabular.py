from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omov.count import BallotError, BallotFileError, BallotSet, Inactive
from omov.count.ballots import BLANK, OVERVOTE, BallotPolicy, DuplicateRule
from omov.count.formats import plain_csv, read_ballots, write_ballots

CANDS = ["Alice", "Bob", "Carol", "Dan"]


def contents(ballots: BallotSet) -> dict[tuple[int, ...], int]:
    """(section, clean ranking) -> weight: what a ballot set holds, whatever its row order."""
    rows = zip(ballots.section_ids.tolist(), ballots.rankings.tolist(), strict=True)
    found = {
        (s, *ranking): w for (s, ranking), w in zip(rows, ballots.weights.tolist(), strict=True)
    }
    assert len(found) == ballots.n_unique
    return found


def same(a: BallotSet, b: BallotSet) -> None:
    assert a.candidates == b.candidates
    assert contents(a) == contents(b)
    assert a.section_names == b.section_names
    assert (a.withdrawn, a.blank_ballots, a.title, a.seats) == (
        b.withdrawn,
        b.blank_ballots,
        b.title,
        b.seats,
    )


def first_stop(ballots: BallotSet, row: int) -> int:
    return next(int(c) for c in ballots.rankings[row] if c >= ballots.n_candidates)


def write(tmp_path: Path, text: str, name: str = "ballots.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def sample() -> BallotSet:
    grid = np.array(
        [
            [0, 1, BLANK],
            [0, 1, BLANK],
            [2, OVERVOTE, 1],
            [1, BLANK, BLANK],
            [BLANK, BLANK, BLANK],
            [3, 3, 0],
            [1, 0, 2],
        ]
    )
    return BallotSet.from_grid(
        CANDS,
        grid,
        weights=np.array([5, 2, 1, 7, 3, 2, 4]),
        section_ids=np.array([0, 1, 1, 0, 0, 1, 1]),
        section_names=("members", "affiliates"),
        withdrawn=frozenset({3}),
        policy=BallotPolicy(duplicates=DuplicateRule.EXHAUST),
        title="Ward 7, 2027",
        seats=2,
    )


@pytest.mark.parametrize("name", ["ballots.csv", "ballots.csv.gz", "ballots.parquet"])
def test_write_then_read_gives_the_same_ballot_set(tmp_path, name):
    ballots = sample()
    assert ballots.blank_ballots == 3
    assert ballots.stop(Inactive.OVERVOTE) in ballots.rankings
    path = tmp_path / name
    write_ballots(ballots, path, format="parquet" if name.endswith("parquet") else "csv")
    again = read_ballots(path, policy=BallotPolicy(duplicates=DuplicateRule.EXHAUST))
    same(ballots, again)
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left behind


def test_parquet_is_written_in_the_layout_read_fastest(tmp_path, monkeypatch):
    """Rank columns hold indices into the candidates, then the empty name and ``=``, in
    columns declared required (no null flags to decode) and not compressed (the other
    columns are): the fast path reads the file without handing any row group back."""
    path = tmp_path / "ballots.parquet"
    write_ballots(sample(), path, format="parquet")
    group = pq.ParquetFile(path).metadata.row_group(0)
    compressed = {
        group.column(c).path_in_schema: group.column(c).compression
        for c in range(group.num_columns)
    }
    assert compressed == {
        name: "UNCOMPRESSED" if name.startswith("rank") else "ZSTD" for name in compressed
    }
    assert compressed["weight"] == "ZSTD"
    schema = pq.ParquetFile(path).schema
    written = pq.read_table(path)
    ranks = [name for name in written.column_names if name.startswith("rank")]
    assert ranks
    for name in written.column_names:  # the writer writes no null anywhere
        assert schema.column(written.column_names.index(name)).max_definition_level == 0
    for name in ranks:
        column = written.column(name).combine_chunks()
        assert column.dictionary.to_pylist() == [*CANDS, "", "="]

    def general(*args, **kwargs):
        raise AssertionError("a row group was handed back to the general reader")

    monkeypatch.setattr(plain_csv.RankingTable, "add", general)
    same(sample(), read_ballots(path, policy=BallotPolicy(duplicates=DuplicateRule.EXHAUST)))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.lists(st.integers(min_value=OVERVOTE, max_value=3), max_size=5), min_size=1, max_size=30
    )
)
def test_any_ballot_set_round_trips_through_csv_and_parquet(tmp_path, papers):
    width = max(1, *(len(p) for p in papers))
    grid = np.full((len(papers), width), BLANK)
    for row, paper in enumerate(papers):
        grid[row, : len(paper)] = paper
    ballots = BallotSet.from_grid(CANDS, grid)
    for fmt in ("csv", "parquet"):
        path = tmp_path / f"round-trip.{fmt}"
        write_ballots(ballots, path, format=fmt)
        same(ballots, read_ballots(path))


def test_reading_names_overvotes_sections_and_weights(tmp_path):
    path = write(
        tmp_path,
        "weight,rank1,rank2,rank3,section\n"
        "3, Carol ,Alice,,members\n"
        "2,Bob,Alice = Carol,Dan,supporters\n"
        "1,,Bob,,members\n"
        "4,Carol,Alice,,members\n",
    )
    ballots = read_ballots(path)
    assert ballots.candidates == ("Alice", "Bob", "Carol", "Dan")  # sorted: row order is moot
    assert ballots.section_names == ("members", "supporters")
    found = {
        (tuple(ballots.ranking_names(i)), first_stop(ballots, i), int(ballots.section_ids[i])): w
        for i, w in enumerate(ballots.weights.tolist())
    }
    stop = ballots.stop
    assert found == {
        (("Carol", "Alice"), stop(Inactive.EXHAUSTED), 0): 7,
        (("Bob",), stop(Inactive.OVERVOTE), 1): 2,
        (("Bob",), stop(Inactive.EXHAUSTED), 0): 1,
    }
    strict = read_ballots(path, policy=BallotPolicy(max_skipped_ranks=0))
    assert strict.weights[strict.rankings[:, 0] == strict.stop(Inactive.SKIPPED)].sum() == 1


def test_a_candidate_list_keeps_order_and_candidates_without_votes(tmp_path):
    path = write(
        tmp_path,
        '# candidates: ["Dan", "Carol", "Bob"]\n# seats: 2\n# title: By-election\n'
        "rank1,rank2\nBob,Carol\nCarol,\n",
    )
    ballots = read_ballots(path)
    assert ballots.candidates == ("Dan", "Carol", "Bob")
    assert ballots.first_preferences().tolist() == [0, 1, 1]
    assert (ballots.seats, ballots.title) == (2, "By-election")


def test_reading_in_small_chunks_changes_nothing_but_reports_progress(tmp_path, monkeypatch):
    rows = "\n".join(f"{CANDS[i % 4]},{CANDS[(i * 7 + 1) % 4]},{i % 3}" for i in range(500))
    path = write(tmp_path, "rank1,rank2,weight\n" + rows + "\n")
    whole = read_ballots(path)
    monkeypatch.setattr(plain_csv, "CHUNK", 256)
    seen: list[tuple[int, int]] = []
    chunked = read_ballots(path, progress=lambda done, total: seen.append((done, total)))
    same(whole, chunked)
    assert len(seen) > 10
    assert seen[-1] == (path.stat().st_size, path.stat().st_size)
    assert whole.total == sum(i % 3 for i in range(500))
    # A fault far into the file is still named at its own line.
    lines = path.read_text().splitlines()
    lines[400] = "Alice,Bob,-1"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(BallotFileError, match=r"ballots\.csv:401: bad weight '-1'"):
        read_ballots(path)


CSV_FAULTS = [
    ('# candidates: ["A", "B"]\nrank1\nA\n\nB\nC\n', 6, "unknown candidate 'C'"),
    (
        '# candidates: ["Alice", "Bob"]\nrank1,rank2\nAlice,Bob\nBob,Zed\n',
        4,
        "unknown candidate 'Zed'",
    ),
    ('# candidates: ["Alice", "Bob"]\nrank1\nAlice\nAlice=Zed\n', 4, "unknown candidate 'Zed'"),
    ("rank1,weight\nAlice,2\nBob,two\n", 3, "bad weight 'two'"),
    ("rank1,weight\nAlice,2\nBob,1.5\n", 3, "bad weight '1.5'"),
    ("rank1,weight\nAlice,2\nBob,\n", 3, "bad weight ''"),
    ("rank1,rank2,rank1\nAlice,Bob,Carol\n", 1, "column 'rank1' appears twice"),
    ("rank1,rank3\nAlice,Bob\n", 1, "column rank2 is missing"),
    ("rank1,count\nAlice,2\n", 1, "unknown column 'count'"),
    ("weight,section\n1,members\n", 1, "no rank columns"),
    ("rank1,rank2\nAlice,Bob\nAlice,Bob,Carol\n", 3, "3 fields, but the header has 2 columns"),
    ("rank1,section\nAlice,members\nBob,\n", 3, "a ballot with no section"),
    ('# sections: ["members"]\nrank1,section\nAlice,members\nBob,others\n', 4, "unknown section"),
    ("# seats: two\nrank1\nAlice\n", 1, "seats: not a JSON value"),
    ('# candidates: ["A=B"]\nrank1\nA\n', 1, "a name with '='"),
    ("\n\n", 1, "empty file"),
    ("rank1\n", 1, "no ballots"),
]


@pytest.mark.parametrize(("text", "line", "message"), CSV_FAULTS)
def test_csv_faults_name_the_file_and_line(tmp_path, text, line, message):
    path = write(tmp_path, text)
    with pytest.raises(BallotFileError) as caught:
        read_ballots(path)
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert message in str(caught.value)


def test_binary_and_undecodable_csv_fail_at_their_line(tmp_path):
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"rank1,rank2\nAlice,Bob\n\x00\x9f\x10binary")
    with pytest.raises(BallotFileError, match=r"junk\.csv:3: binary data"):
        read_ballots(junk)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("rank1\nAlice\nZoë\n".encode("latin-1"))
    with pytest.raises(BallotFileError, match=r"latin\.csv:3: not UTF-8"):
        read_ballots(latin)


def test_a_large_file_of_binary_junk_fails_at_its_first_nul_byte(tmp_path):
    """Found in the file's first bytes, before any parsing (the line of the first NUL)."""
    rng = np.random.default_rng(7)
    data = rng.integers(0, 256, size=24 * 2**20, dtype=np.uint8).tobytes()
    junk = tmp_path / "junk.csv"
    junk.write_bytes(data)
    line = 1 + data.count(b"\n", 0, data.index(b"\0"))
    with pytest.raises(BallotFileError, match=rf"junk\.csv:{line}: binary data, not CSV text"):
        read_ballots(junk)


def test_one_endless_line_of_text_junk_is_named_with_its_width(tmp_path):
    text_junk = tmp_path / "text-junk.csv"
    text_junk.write_text("rank1,rank2\n" + "x," * 8 * 2**20)
    fields = 8 * 2**20 + 1
    with pytest.raises(
        BallotFileError, match=rf"text-junk\.csv:2: {fields} fields, but the header has 2 columns"
    ):
        read_ballots(text_junk)


def test_a_spreadsheets_byte_order_mark_and_crlf_lines_are_read(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbfrank1,rank2,weight\r\nAlice,Bob,2\r\nBob,,x\r\n")
    with pytest.raises(BallotFileError, match=r"excel\.csv:3: bad weight 'x'"):
        read_ballots(path)
    path.write_bytes(b"\xef\xbb\xbfrank1,rank2,weight\r\nAlice,Bob,2\r\nBob,,1\r\n")
    assert read_ballots(path).first_preferences().tolist() == [2, 1]


def test_gzip_csv_reads_like_plain(tmp_path):
    text = "rank1,rank2\nAlice,Bob\nBob,\n"
    plain = write(tmp_path, text)
    zipped = tmp_path / "ballots.csv.gz"
    zipped.write_bytes(gzip.compress(text.encode()))
    same(read_ballots(plain), read_ballots(zipped))
    broken = tmp_path / "broken.csv.gz"
    broken.write_bytes(b"not gzip at all")
    with pytest.raises(BallotFileError, match=r"broken\.csv\.gz: bad gzip data"):
        read_ballots(broken)


def test_parquet_reads_dictionary_and_plain_string_columns(tmp_path):
    table = pa.table(
        {
            "rank1": pa.array(["Alice", "Bob", "Alice"]).dictionary_encode(),
            "rank2": pa.array(["Bob", None, "Carol=Bob"]),
            "weight": pa.array([2, 3, 1], type=pa.int32()),
        }
    )
    path = tmp_path / "ballots.parquet"
    pq.write_table(table, path)
    ballots = read_ballots(path)
    assert ballots.candidates == ("Alice", "Bob", "Carol")
    assert ballots.total == 6
    assert ballots.first_preferences().tolist() == [3, 3, 0]
    assert int(ballots.weights[ballots.rankings[:, 1] == ballots.stop(Inactive.OVERVOTE)][0]) == 1


PARQUET_FAULTS = [
    ({"rank1": [1, 2]}, None, "column 'rank1' holds int64, not names"),
    ({"rank1": ["Alice", "Bob"], "weight": [1.0, 2.5]}, None, "column 'weight' holds double"),
    ({"rank1": ["Alice", "Bob"], "weight": [1, -2]}, 2, "bad weight '-2'"),
    ({"rank1": ["Alice", "Bob"], "weight": [1, None]}, 2, "bad weight"),
    ([("rank1", ["Alice"]), ("rank1", ["Bob"])], None, "column 'rank1' appears twice"),
    ({"ranking": ["Alice"]}, None, "unknown column 'ranking'"),
]


@pytest.mark.parametrize(("columns", "row", "message"), PARQUET_FAULTS)
def test_parquet_faults_name_the_file_and_row(tmp_path, columns, row, message):
    path = tmp_path / "ballots.parquet"
    pairs = list(columns.items()) if isinstance(columns, dict) else columns
    arrays = [pa.array(values) for _, values in pairs]
    pq.write_table(pa.Table.from_arrays(arrays, names=[name for name, _ in pairs]), path)
    with pytest.raises(BallotFileError) as caught:
        read_ballots(path)
    where = f"{path}:{row}: " if row else f"{path}: "
    assert str(caught.value).startswith(where)
    assert message in str(caught.value)


def test_parquet_metadata_names_unknown_candidates(tmp_path):
    path = tmp_path / "ballots.parquet"
    frame = pl.DataFrame({"rank1": ["Alice", "Bob", "Eve"]}).to_arrow()
    meta = json.dumps({"candidates": ["Alice", "Bob"]})
    pq.write_table(frame.replace_schema_metadata({"omov": meta}), path)
    with pytest.raises(BallotFileError, match=r"ballots\.parquet:3: unknown candidate 'Eve'"):
        read_ballots(path)


@pytest.mark.parametrize("content", [b"", b"PAR1 junk that is not parquet" * 1000])
def test_junk_and_empty_parquet_fail_in_one_line(tmp_path, content):
    path = tmp_path / "ballots.parquet"
    path.write_bytes(content)
    with pytest.raises(BallotFileError) as caught:
        read_ballots(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("name", ["Ann=Bob", " Ann", ""])
def test_names_a_table_cannot_hold_are_refused_and_nothing_is_written(tmp_path, name):
    ballots = BallotSet.from_rankings([name, "Cat"], [[0, 1]])
    path = tmp_path / "out.csv"
    with pytest.raises(BallotError, match="cannot write candidate"):
        write_ballots(ballots, path, format="csv")
    assert list(tmp_path.iterdir()) == []


def test_parquet_row_groups_keep_row_numbers_and_report_progress(tmp_path):
    path = tmp_path / "groups.parquet"
    weights = [1, 2, 3, 4, -5, 6, 7]
    table = pa.table({"rank1": ["Alice", "Bob"] * 3 + ["Carol"], "weight": weights})
    pq.write_table(table, path, row_group_size=2)
    with pytest.raises(BallotFileError, match=r"groups\.parquet:5: bad weight '-5'"):
        read_ballots(path)
    pq.write_table(
        table.set_column(1, "weight", pa.array([abs(w) for w in weights])), path, row_group_size=2
    )
    seen: list[tuple[int, int]] = []
    ballots = read_ballots(path, progress=lambda done, total: seen.append((done, total)))
    assert ballots.first_preferences().tolist() == [1 + 3 + 5, 2 + 4 + 6, 7]
    assert len(seen) == 4
    assert seen[-1] == (path.stat().st_size, path.stat().st_size)
