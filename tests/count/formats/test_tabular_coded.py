"""The ranking-table readers' fast path (cells as codes) against the rank grid itself.

Files are written here from a known rank grid, cell by cell, so what they mean is known
without our readers; reading them must give exactly the ballot set ``from_grid`` gives,
arrays and row order included, whichever chunks take the fast path and whichever are
handed back to the general one (overvotes, names with spaces).
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from omov.count import BallotFileError, BallotSet
from omov.count.ballots import BLANK, OVERVOTE, BallotPolicy
from omov.count.formats import coded, kept, keys, parquet, plain_csv, read_ballots

CANDS = ["Alice", "Bob", "Carol", "Dan", "Eve"]
SECTIONS = ["members", "affiliates"]


def identical(a: BallotSet, b: BallotSet) -> None:
    assert a.candidates == b.candidates
    assert np.array_equal(a.rankings, b.rankings)
    assert np.array_equal(a.weights, b.weights)
    assert np.array_equal(a.section_ids, b.section_ids)
    assert (a.section_names, a.blank_ballots, a.withdrawn) == (
        b.section_names,
        b.blank_ballots,
        b.withdrawn,
    )


def cell(code: int, style: int) -> str | None:
    """A cell as a person or another program might write it."""
    if code == BLANK:
        return None
    if code == OVERVOTE:
        return "=" if style % 2 else f"{CANDS[style % 5]}={CANDS[(style + 1) % 5]}"
    return f" {CANDS[code]} " if style == 7 else CANDS[code]


papers = st.lists(
    st.tuples(
        st.lists(st.integers(min_value=OVERVOTE, max_value=4), min_size=3, max_size=3),
        st.integers(min_value=0, max_value=3),  # weight
        st.integers(min_value=0, max_value=1),  # section
        st.integers(min_value=0, max_value=7),  # how the cells are written
    ),
    min_size=1,
    max_size=60,
)


def expected(
    rows: list[tuple[list[int], int, int, int]], *, sections: bool, weighted: bool = True
) -> BallotSet:
    return BallotSet.from_grid(
        CANDS,
        np.array([r[0] for r in rows]),
        weights=np.array([r[1] if weighted else 1 for r in rows]),
        section_ids=np.array([r[2] for r in rows]) if sections else None,
        section_names=tuple(SECTIONS) if sections else (),
        withdrawn=frozenset({4}),
        policy=BallotPolicy(max_skipped_ranks=0),
    )


def metadata(*, sections: bool) -> str:
    record: dict[str, object] = {"candidates": CANDS, "withdrawn": ["Eve"]}
    if sections:
        record["sections"] = SECTIONS
    return json.dumps(record)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    papers,
    st.booleans(),
    st.booleans(),
    st.integers(min_value=1, max_value=3),
    st.booleans(),
    st.sampled_from([0, 3, 11, 16]),
)
# Sections first seen out of their order: relabelled runs must be sorted again.
@example([([0, 1, BLANK], 0, 1, 0)] * 2 + [([0, 1, BLANK], 0, 0, 0)], True, False, 1, False, 16)
@example([([0, 1, BLANK], 0, 1, 0)] * 2 + [([0, 1, 2], 0, 0, 0)], True, False, 3, False, 11)
def test_parquet_with_a_candidate_list_reads_as_its_grid(
    tmp_path_factory, monkeypatch, rows, sections, weighted, key_cells, one_group, dense_bits
):
    # The buffer of keys is sorted into a run whenever it holds 10 (batches out of step).
    monkeypatch.setattr(coded, "REDUCE_EVERY", 10)
    # Rows counted in a histogram of none, one or more of their first cells, the rest sorted.
    monkeypatch.setattr(kept, "DENSE_BITS", dense_bits)
    monkeypatch.setattr(kept, "LONG_FOLD", 3)  # long rows folded as they come
    # One row group is read in batches of 5 rows; several row groups in 3 threads at once.
    monkeypatch.setattr(parquet, "BATCH", 5)
    monkeypatch.setattr(parquet, "THREADS", 3)
    # Keys of 1 or 2 cells leave long rows, grouped on their own and merged in order.
    label_bits = keys.LABEL_BITS if sections else 0
    monkeypatch.setattr(keys, "KEY_BITS", label_bits + 3 * key_cells)
    columns = {
        f"rank{k + 1}": pa.array(
            [cell(r[0][k], r[3]) for r in rows], pa.string()
        ).dictionary_encode()
        for k in range(3)
    }
    if sections:
        columns["section"] = pa.array([SECTIONS[r[2]] for r in rows]).dictionary_encode()
    if weighted:
        columns["weight"] = pa.array([r[1] for r in rows], type=pa.int32())
    table = pa.table(columns).replace_schema_metadata({"omov": metadata(sections=sections)})
    path = tmp_path_factory.mktemp("coded") / "ballots.parquet"
    pq.write_table(table, path, row_group_size=len(rows) if one_group else 7)
    policy = BallotPolicy(max_skipped_ranks=0)
    wanted = expected(rows, sections=sections, weighted=weighted)
    identical(read_ballots(path, policy=policy), wanted)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(papers, st.integers(min_value=1, max_value=3))
def test_csv_with_a_candidate_list_reads_as_its_grid_in_any_chunks(
    tmp_path, monkeypatch, rows, key_cells
):
    monkeypatch.setattr(keys, "KEY_BITS", 3 * key_cells)
    lines = [
        f"# candidates: {json.dumps(CANDS)}",
        '# withdrawn: ["Eve"]',
        "rank1,rank2,rank3,weight",
    ]
    for ranks, weight, _, style in rows:
        cells = [
            '"' + c + '"' if c and style == 6 else c or "" for c in map(cell, ranks, [style] * 3)
        ]
        lines.append(",".join([*cells, str(weight)]))
    path = tmp_path / "ballots.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(plain_csv, "CHUNK", 128)
    policy = BallotPolicy(max_skipped_ranks=0)
    identical(read_ballots(path, policy=policy), expected(rows, sections=False))


def test_the_bulk_of_a_csv_reads_as_codes_and_faults_keep_their_lines(tmp_path, monkeypatch):
    rows = [f"{CANDS[i % 5]},{CANDS[(i * 3 + 1) % 5]},,{i % 4}" for i in range(2000)]
    path = tmp_path / "ballots.csv"
    path.write_text(
        f"# candidates: {json.dumps(CANDS)}\nrank1,rank2,rank3,weight\n" + "\n".join(rows) + "\n"
    )
    monkeypatch.setattr(plain_csv, "CHUNK", 1024)
    handed_back: list[int] = []
    general = plain_csv.RankingTable.add

    def add(self, chunk, row_line):
        handed_back.append(chunk.height)
        general(self, chunk, row_line)

    monkeypatch.setattr(plain_csv.RankingTable, "add", add)
    ballots = read_ballots(path)
    assert ballots.total == sum(i % 4 for i in range(2000))
    assert handed_back == []  # every chunk took the fast path
    for fault, message in [("Zed", "unknown candidate 'Zed'"), ("-3", "bad weight '-3'")]:
        lines = path.read_text().splitlines()
        lines[1500] = f"Alice,Bob,,{fault}" if fault.startswith("-") else f"Alice,{fault},,1"
        path.write_text("\n".join(lines) + "\n")
        with pytest.raises(BallotFileError, match=rf"ballots\.csv:1501: {message}"):
            read_ballots(path)
    assert handed_back  # the chunks with a fault went the general way, which names the line


@pytest.mark.parametrize(
    ("column", "values", "row", "message"),
    [
        ("rank2", ["Bob", "Alice", "Carol", "Bob", "Zed", "Bob"], 5, "unknown candidate 'Zed'"),
        ("rank2", ["Bob", "Alice", "Carol", "Bob", "Bob=Zed", None], 5, "unknown candidate 'Zed'"),
        ("section", ["members"] * 4 + [None, "members"], 5, "a ballot with no section"),
        ("section", ["members"] * 5 + ["guests"], 6, "unknown section 'guests'"),
        ("weight", [1, 2, 3, 4, 5, -6], 6, "bad weight '-6'"),
    ],
)
def test_parquet_faults_past_the_first_row_group_name_their_row(
    tmp_path, column, values, row, message
):
    columns = {
        "rank1": pa.array(["Alice"] * 6).dictionary_encode(),
        "rank2": pa.array(["Bob"] * 6).dictionary_encode(),
        "section": pa.array(["members"] * 6).dictionary_encode(),
        "weight": pa.array([1] * 6),
    }
    columns[column] = pa.array(values, pa.int64() if column == "weight" else pa.string())
    if column != "weight":
        columns[column] = columns[column].dictionary_encode()
    table = pa.table(columns).replace_schema_metadata({"omov": metadata(sections=True)})
    path = tmp_path / "ballots.parquet"
    pq.write_table(table, path, row_group_size=2)
    with pytest.raises(BallotFileError, match=rf"ballots\.parquet:{row}: {message}"):
        read_ballots(path)


def test_parquet_sections_without_a_list_are_sorted_by_name(tmp_path):
    table = pa.table(
        {
            "rank1": pa.array(["Alice", "Bob", "Carol", None]).dictionary_encode(),
            "section": pa.array(["zeta", "alpha", "zeta", "mid"]).dictionary_encode(),
        }
    ).replace_schema_metadata({"omov": json.dumps({"candidates": CANDS})})
    path = tmp_path / "ballots.parquet"
    pq.write_table(table, path, row_group_size=1)
    ballots = read_ballots(path)
    assert ballots.section_names == ("alpha", "mid", "zeta")
    assert ballots.blank_ballots == 1
    firsts = zip(ballots.section_ids.tolist(), ballots.rankings[:, 0].tolist(), strict=True)
    assert sorted(firsts) == [(0, 1), (2, 0), (2, 2)]  # Bob in alpha; Alice, Carol in zeta


@pytest.mark.parametrize("dictionary", [CANDS, CANDS[::-1], ["", *CANDS]])
def test_parquet_codes_read_through_any_dictionary_order(tmp_path, dictionary):
    """A dictionary in the candidates' order is read as codes directly; any other order,
    or one holding the empty name, through its mapping: the same ballots either way."""
    grid = np.array([[0, 1, BLANK], [3, BLANK, BLANK], [2, 0, 1], [0, 1, BLANK], [4, 3, 2]])
    names = pa.array(dictionary)
    position = {name: i for i, name in enumerate(dictionary)}
    columns = {}
    for k in range(3):
        cells = [CANDS[c] if c >= 0 else "" for c in grid[:, k]]
        indices = [position[c] if c or "" in position else None for c in cells]
        columns[f"rank{k + 1}"] = pa.DictionaryArray.from_arrays(
            pa.array(indices, pa.int32()), names
        )
    table = pa.table(columns).replace_schema_metadata({"omov": json.dumps({"candidates": CANDS})})
    path = tmp_path / "ballots.parquet"
    pq.write_table(table, path)
    identical(read_ballots(path), BallotSet.from_grid(CANDS, grid))


def test_parquet_columns_of_different_dictionaries_keep_their_own_codes(tmp_path):
    """Each dictionary is mapped once and its codes kept for the batches that follow: a
    column whose dictionary is in another order (or another row group's) is not read through
    codes mapped for a different one."""
    grid = np.array([[0, 1, BLANK], [3, BLANK, BLANK], [2, 0, 1], [0, 1, BLANK], [4, 3, 2]])
    orders = [CANDS, CANDS[::-1], [*CANDS[2:], *CANDS[:2]]]
    tables = []
    for shift in range(2):  # the second row group's columns swap their dictionaries
        columns = {}
        for k in range(3):
            dictionary = ["", *orders[(k + shift) % 3]]
            position = {name: i for i, name in enumerate(dictionary)}
            cells = [CANDS[c] if c >= 0 else "" for c in grid[:, k]]
            columns[f"rank{k + 1}"] = pa.DictionaryArray.from_arrays(
                pa.array([position[c] for c in cells], pa.int32()), pa.array(dictionary)
            )
        tables.append(pa.table(columns))
    table = pa.concat_tables(tables)
    table = table.replace_schema_metadata({"omov": json.dumps({"candidates": CANDS})})
    path = tmp_path / "ballots.parquet"
    pq.write_table(table, path, row_group_size=len(grid))
    identical(read_ballots(path), BallotSet.from_grid(CANDS, np.concatenate([grid, grid])))
