"""Strict readers, and a verifier that never raises and never blocks, whatever the bundle.

The hypothesis test damages the demo bundle in many ways at once (bytes flipped, cut or
added; JSON keys doubled; files deleted or replaced by a pipe, a link or a directory) on a
fixed budget, and runs the verifier under an alarm: it must return checks, at least one
failed, or refuse the directory with one ``BundleError`` line."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omov.ledger import strict_json
from omov.ledger.errors import BundleError
from omov.ledger.verify import verify_bundle
from omov.ledger.verify.blt import read_strict_blt


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (b'{"a": 1, "a": 2}', "appears twice"),
        (b'{"a": NaN}', "not a number"),
        (b'{"a": -Infinity}', "not a number"),
        (b'{"a": 1e999}', "out of range"),
        (b"[" + b"9" * 30 + b"]", "out of range"),
        (b"[" * 40 + b"]" * 40, "nested deeper"),
        (b"[" * 100000, "nested deeper"),
        (b'{"a": "\xff"}', "UTF-8"),
        (b'{"a": 1', "not JSON"),
    ],
)
def test_strict_json_refuses_with_one_line(text: bytes, why: str) -> None:
    with pytest.raises(BundleError, match=why) as raised:
        strict_json.loads(text, source="f.json")
    assert str(raised.value).startswith("f.json: ")
    assert "\n" not in str(raised.value)


def test_strict_json_reads_what_json_means() -> None:
    assert strict_json.loads(b'{"a": [1, 2.5, "x", null, true]}', source="f") == {
        "a": [1, 2.5, "x", None, True]
    }
    assert strict_json.loads(b'"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["', source="f") == "[" * 36


BLT = b'3 1\n-2\n2 1 3 0\n1 2 0\n0\n"A"\n"B"\n"C"\n"T"\n'


def test_the_bundle_blt_form_reads_back() -> None:
    read = read_strict_blt(BLT)
    assert (read.seats, read.withdrawn, read.names, read.title) == (1, {1}, ("A", "B", "C"), "T")
    assert read.weights.tolist() == [2, 1]
    assert read.rankings.tolist() == [[0, 2, 3, 3], [1, 3, 3, 3]]


@pytest.mark.parametrize(
    "damage",
    [
        (b"2 1 3 0\n", b"2 1 3 0 \n"),  # trailing space
        (b"2 1 3 0\n", b"2  1 3 0\n"),  # doubled space
        (b"2 1 3 0\n", b"2 1 1 0\n"),  # a candidate twice
        (b"2 1 3 0\n", b"2 1 4 0\n"),  # no such candidate
        (b"2 1 3 0\n", b"0 1 3 0\n"),  # weight 0
        (b"2 1 3 0\n", b"02 1 3 0\n"),  # leading zero
        (b"2 1 3 0\n", b"2 1=3 0\n"),  # an equal ranking is not the bundle's form
        (b"-2\n", b"-3 -2\n"),  # withdrawn not in rising order
        (b'"T"\n', b'"T"\n# a comment\n'),  # anything after the title
        (b'"T"\n', b'"T"'),  # no last newline
        (b'"A"\n', b"A\n"),  # unquoted name
    ],
)
def test_the_bundle_blt_form_is_refused_otherwise(damage: tuple[bytes, bytes]) -> None:
    old, new = damage
    with pytest.raises(BundleError):
        read_strict_blt(BLT.replace(old, new, 1))


def test_a_named_pipe_does_not_block_the_cli(bundle_dir: Path, tmp_path: Path) -> None:
    """Run as a user would, in a process of its own, with a time limit: a pipe where a file
    should be is reported, not read (opening it to read would wait for a writer)."""
    target = tmp_path / "b"
    shutil.copytree(bundle_dir, target)
    for rel in ("trackers.txt", "MANIFEST.json", "signatures/officer.json"):
        (target / rel).unlink()
        os.mkfifo(target / rel)
    (target / "electorate.json").unlink()
    (target / "electorate.json").symlink_to("/dev/zero")
    done = subprocess.run(
        [str(Path(sys.executable).parent / "omov"), "verify", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stdout.splitlines()  # each refusal one line: the file and its fault
    assert "FAIL files: trackers.txt: a named pipe, not a regular file" in lines
    assert "FAIL files: electorate.json: a symbolic link, not a regular file" in lines


class BlockedError(Exception):
    pass


@contextmanager
def alarm(seconds: int) -> Iterator[None]:
    def ring(*_: object) -> None:
        raise BlockedError(f"verify took over {seconds} s")

    old = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


FILES = [
    "omov-bundle.json",
    "MANIFEST.json",
    "rulebook.toml",
    "electorate.json",
    "ballots.parquet",
    "ballots.blt",
    "trackers.txt",
    "report.json",
    "report-rctab.json",
    "ledger/entries.jsonl",
    "ledger/heads.json",
    "signatures/officer.json",
]


@st.composite
def damage(draw: st.DrawFn) -> list[tuple[str, str, int, bytes]]:
    how = st.sampled_from(
        ["flip", "cut", "insert", "double-key", "nan", "delete", "fifo", "symlink", "dir"]
    )
    return draw(
        st.lists(
            st.tuples(
                st.sampled_from(FILES),
                how,
                st.integers(0, 2**31),
                st.binary(min_size=1, max_size=8),
            ),
            min_size=1,
            max_size=3,
        )
    )


def _apply(root: Path, rel: str, how: str, where: int, extra: bytes) -> None:
    path = root / rel
    if not path.is_file() or path.is_symlink():
        return
    data = path.read_bytes()
    at = where % (len(data) + 1)
    if how in ("delete", "fifo", "symlink", "dir"):
        path.unlink()
        if how == "fifo":
            os.mkfifo(path)
        elif how == "symlink":
            path.symlink_to(root / "rulebook.toml" if where % 2 else Path("/dev/zero"))
        elif how == "dir":
            path.mkdir()
        return
    if how == "flip" and data:
        data = (
            data[: at % len(data)]
            + bytes([data[at % len(data)] ^ 0xFF])
            + data[at % len(data) + 1 :]
        )
    elif how == "cut":
        data = data[:at]
    elif how == "insert":
        data = data[:at] + extra + data[at:]
    elif how == "double-key" and b'{"' in data:
        start = data.index(b'{"') + 1
        key = data[start : data.index(b'"', start + 1) + 1]
        data = data[:start] + key + b": 0, " + data[start:]
    elif how == "nan":
        data = data.replace(b": ", b": NaN, ", 1) if b": " in data else data + b"NaN"
    path.write_bytes(data)


@pytest.mark.slow
@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=damage())
def test_verify_never_raises_or_blocks_on_a_damaged_bundle(
    changes: list[tuple[str, str, int, bytes]],
    bundle_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    root = tmp_path_factory.mktemp("damaged") / "b"
    shutil.copytree(bundle_dir, root)
    for rel, how, where, extra in changes:
        _apply(root, rel, how, where, extra)
    with alarm(60):
        try:
            checks = verify_bundle(root)
        except BundleError as refused:  # not an omov bundle at all: one line, no traceback
            message = str(refused)
            checks = []
    if not checks:
        assert "\n" not in message
        return
    assert any(not c.ok for c in checks) or _unchanged(root, bundle_dir)
    assert all(c.name and c.file and c.message for c in checks)


def _unchanged(root: Path, original: Path) -> bool:
    """A damage that happened to leave every byte as it was (a 'cut' at the end)."""
    for rel in FILES:
        path = root / rel
        if path.is_symlink() or not path.is_file():
            return False
        if path.read_bytes() != (original / rel).read_bytes():
            return False
    return True


def test_a_pipe_given_as_a_saved_head_or_key_is_one_line(bundle_dir: Path, tmp_path: Path) -> None:
    pipe = tmp_path / "head.json"
    os.mkfifo(pipe)
    omov = str(Path(sys.executable).parent / "omov")
    for option in ("--head", "--expect-key", "--trust"):
        done = subprocess.run(
            [omov, "verify", str(bundle_dir), option, str(pipe)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 2, (option, done.stdout, done.stderr)
        assert done.stderr.strip() == f"error: {pipe}: a named pipe, not a regular file"
