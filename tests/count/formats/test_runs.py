"""A file cut into runs of lines, read in two threads (``runs``): every cut of a small file,
at every byte, reads as the whole file does."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from omov.count import BallotFileError, BallotSet
from omov.count.ballots import BallotPolicy
from omov.count.formats import read_ballots, runs


@pytest.fixture
def run_of(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runs, "RUN", runs.RUN)  # restored after the test


def test_runs_are_whole_lines_covering_the_bytes_once(run_of: None) -> None:
    data = b"1 2 0\n10 3 0\n\n7 0\n1 1 1 1 0\n0\n"
    for start in (0, 6, 13):
        for stop in (len(data) - 2, len(data)):
            for size in range(1, len(data) + 2):
                runs.RUN = size
                cut = [chars.tobytes() for chars in runs.line_runs(data, start, stop)]
                assert b"".join(cut) == data[start:stop]
                assert all(part.endswith(b"\n") for part in cut)
                assert all(len(part) >= size or part is cut[-1] for part in cut)


def test_each_run_does_every_run_once_in_two_threads() -> None:
    parts = [np.full(3, i, dtype=np.uint8) for i in range(200)]
    seen: list[int] = []
    threads: set[int] = set()
    lock = threading.Lock()

    def work(chars: np.ndarray) -> bool:
        with lock:
            seen.append(int(chars[0]))
            threads.add(threading.get_ident())
        return True

    assert runs.each_run(iter(parts), work)
    assert sorted(seen) == list(range(200))
    assert len(threads) <= runs.THREADS


def test_each_run_stops_at_a_faulty_run_and_raises_what_a_thread_raised() -> None:
    parts = [np.full(1, i, dtype=np.uint8) for i in range(100)]
    done: list[int] = []

    def faulty_at_3(chars: np.ndarray) -> bool:
        done.append(int(chars[0]))
        return int(chars[0]) != 3

    assert not runs.each_run(iter(parts), faulty_at_3)
    assert 3 in done
    assert len(done) < 100

    def raising(chars: np.ndarray) -> bool:
        if int(chars[0]) == 50:
            raise ValueError("run 50")
        return True

    with pytest.raises(ValueError, match="run 50"):
        runs.each_run(iter(parts), raising)


FILES = {
    "regular.blt": '3 1\n1 1 2 0\n2 3 0\n1 2 3 1 0\n5 1 0\n1 2 1 0\n0\n"A"\n"B"\n"C"\n',
    # A late line ranks more than the candidates: the first width read is too narrow.
    "wider.blt": '3 1\n1 1 0\n2 3 0\n1 2 3 1 2 3 1 0\n1 1 2 0\n0\n"A"\n"B"\n"C"\n',
    # A late line is irregular (a line with an id past the last): the general reader's error.
    "faulty.blt": '3 1\n1 1 2 0\n2 3 0\n1 2 3 1 2 3 1 0\n1 4 0\n1 2 0\n0\n"A"\n"B"\n"C"\n',
    "equal.blt": '3 1\n1 1 2 0\n2 3 0\n1 2=3 0\n1 2 0\n0\n"A"\n"B"\n"C"\n',
    "plain.csv": '# candidates: ["A", "B", "C"]\nrank1,rank2,rank3\nA,B,\nC,,\nB,A,C\n,,\nA,,\n',
    "unknown.csv": '# candidates: ["A", "B", "C"]\nrank1,rank2,rank3\nA,B,\nC,,\nB,D,C\nA,,\n',
    "cvr.rctab.csv": "BallotID,A,B,C\nb1,1,2,\nb2,,1,\nb3,3,1,2\nb4,,,\nb5,1,1,\n",
    "late.rctab.csv": "BallotID,A,B,C\nb1,1,2,\nb2,,1,\nb3,3,1,2\nb4,,,\nb5,1,x,\n",
}


def outcome(path: Path) -> object:
    fmt = "rctab-csv" if path.name.endswith(".rctab.csv") else None
    try:
        return read_ballots(path, format=fmt, policy=BallotPolicy())
    except BallotFileError as error:
        return str(error)


def same(a: object, b: object) -> bool:
    if isinstance(a, BallotSet) and isinstance(b, BallotSet):
        return (
            a.candidates == b.candidates
            and np.array_equal(a.rankings, b.rankings)
            and np.array_equal(a.weights, b.weights)
            and (a.total, a.blank_ballots) == (b.total, b.blank_ballots)
        )
    return a == b


@pytest.mark.parametrize("name", sorted(FILES))
def test_a_file_cut_at_every_byte_reads_as_the_whole(
    name: str, tmp_path: Path, run_of: None
) -> None:
    path = tmp_path / name
    path.write_text(FILES[name], encoding="utf-8", newline="")
    whole = outcome(path)
    for size in range(1, len(FILES[name]) + 1):
        runs.RUN = size
        assert same(outcome(path), whole), size


@pytest.mark.parametrize("name", sorted(FILES))
def test_a_mapped_file_reads_as_a_file_read(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large file is mapped, not read (``file_bytes``): with every file mapped, each reads
    as it does read, with a byte-order mark and ``\\r\\n`` line ends too."""
    for text in (FILES[name], "\ufeff" + FILES[name].replace("\n", "\r\n")):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8", newline="")
        read = outcome(path)
        monkeypatch.setattr(runs, "MAP_AT_LEAST", 0)
        assert not isinstance(runs.file_bytes(path), bytes)
        assert runs.file_bytes(path)[:] == path.read_bytes()
        assert same(outcome(path), read)
        monkeypatch.undo()


def test_an_empty_file_is_read_not_mapped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runs, "MAP_AT_LEAST", 0)
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert runs.file_bytes(path) == b""
    for fmt in ("csv", "rctab-csv"):
        with pytest.raises(BallotFileError):
            read_ballots(path, format=fmt, policy=BallotPolicy())


def test_a_file_mapped_early_is_taken_once_and_only_if_unchanged(tmp_path: Path) -> None:
    """``mapping.map_early`` maps a file in a thread; ``file_bytes`` takes that mapping for
    the same file, once, and maps the file itself if it changed meanwhile, or another file
    is read."""
    from omov.count import mapping

    path, other = tmp_path / "a.csv", tmp_path / "b.csv"
    path.write_bytes(b"x,y\n" * (runs.MAP_AT_LEAST // 4 + 1))
    other.write_bytes(b"z\n" * 10)
    mapping.map_early(path, runs.MAP_AT_LEAST)
    early = mapping._early
    assert early is not None
    assert runs.file_bytes(other) == b"z\n" * 10  # not the file mapped early: dropped
    assert mapping._early is None
    mapping.map_early(path, runs.MAP_AT_LEAST)
    early = mapping._early
    assert early is not None
    taken = runs.file_bytes(path)
    assert early.found is not None
    assert taken is early.found[0]
    assert taken[:] == path.read_bytes()
    assert mapping.mapped_early(path, runs.MAP_AT_LEAST) is None  # taken once
    mapping.map_early(path, runs.MAP_AT_LEAST)
    assert mapping._early is not None
    mapping._early.thread.join()
    path.write_bytes(b"x,y\n" * (runs.MAP_AT_LEAST // 4 + 2))  # changed after it was mapped
    assert runs.file_bytes(path)[:] == path.read_bytes()
    mapping.map_early(other, runs.MAP_AT_LEAST)  # a small file is not mapped early
    assert mapping._early is None
    mapping.map_early(path, runs.MAP_AT_LEAST)
    mapping.forget_early()
    assert mapping._early is None
