"""Ballot file readers and writers, by format name.

A reader takes a path, a ballot policy and an optional progress callback and returns a
``BallotSet``, or raises ``BallotFileError`` naming the file and line: never a traceback
and never a partial ballot set. A writer takes a ``BallotSet`` and a path and writes the
whole file or nothing (it writes to a temporary file and renames it).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Protocol

from omov.count.ballots import BallotPolicy, BallotSet
from omov.count.errors import BallotError, BallotFileError
from omov.count.labels import first_duplicate

Progress = Callable[[int, int], None]
"""Called as (done, total) in bytes while a large file is read."""


class Reader(Protocol):
    def __call__(
        self, path: Path, *, policy: BallotPolicy, progress: Progress | None = None
    ) -> BallotSet: ...


Writer = Callable[[BallotSet, Path], None]

READERS: dict[str, Reader] = {}
"""The readers registered so far: a format's module is imported when a file of it is read."""
WRITERS: dict[str, Writer] = {}
EQUAL_RANKINGS = frozenset({"blt"})
"""Formats whose writer records candidates ranked equal."""

MODULES: dict[str, str] = {
    "blt": "blt",
    "cdf": "cdf",
    "csv": "plain_csv_fast",
    "parquet": "parquet",
    "rctab-csv": "rctab_csv",
    "soi": "preflib",
    "toi": "preflib",
}
"""Format name -> the module of ``omov.count.formats`` that registers its reader (and
writer). Imported only when that format is read or written: a BLT file's count loads
neither Polars nor PyArrow."""
EXTENSIONS: dict[str, str] = {
    ".blt": "blt",
    ".json": "cdf",
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".soi": "soi",
    ".soc": "soi",
    ".toi": "toi",
    ".toc": "toi",
}
"""File suffix -> format name, for guessing the format of a file."""


def register_reader(name: str, *suffixes: str) -> Callable[[Reader], Reader]:
    if name not in MODULES or any(EXTENSIONS.get(s) != name for s in suffixes):
        raise ValueError(f"list the format {name!r} and its suffixes in MODULES, EXTENSIONS")

    def decorate(reader: Reader) -> Reader:
        READERS[name] = reader
        return reader

    return decorate


def register_writer(name: str) -> Callable[[Writer], Writer]:
    def decorate(writer: Writer) -> Writer:
        WRITERS[name] = writer
        return writer

    return decorate


def _load(name: str) -> None:
    if name in MODULES:
        import_module(f"omov.count.formats.{MODULES[name]}")


def guess_format(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes if s.lower() not in (".gz",)]
    for suffix in reversed(suffixes):
        if suffix in EXTENSIONS:
            return EXTENSIONS[suffix]
    known = ", ".join(sorted(MODULES))
    raise BallotFileError(
        path, None, f"cannot tell the ballot format from the name; give --format ({known})"
    )


STDIN = "-"
"""The file name that reads standard input, as many commands take it."""
GZIP_MAGIC = b"\x1f\x8b"
"""A gzip stream's first two bytes (RFC 1952), which no text ballot file starts with."""


def read_ballots(
    path: str | Path,
    *,
    format: str | None = None,
    policy: BallotPolicy | None = None,
    progress: Progress | None = None,
) -> BallotSet:
    """The ballots of the file at ``path``: a regular file, or a stream (``-`` for standard
    input, a pipe, ``/dev/stdin``), which is first copied, as it comes, to a file of this
    process's own and read from there. A stream can be read once and has no size, and some
    readers read a file twice (a fast pass, then the general reader to name a fault) or
    map it; a stream's name tells no format, so it needs ``format``, but a gzipped one is
    told by its first bytes and unzipped as a ``.gz`` file is. Errors name ``path``."""
    path = Path(path)
    stream = str(path) == STDIN
    if not stream and not path.exists():
        raise BallotFileError(path, None, "no such file")
    if not stream and path.is_dir():
        raise BallotFileError(path, None, "is a folder, not a ballot file")
    name = format or guess_format(path)
    if stream or not path.is_file():
        return _read_stream(path, name, policy, stream=stream)
    return _read(path, name, policy, progress)


def _read_stream(path: Path, name: str, policy: BallotPolicy | None, *, stream: bool) -> BallotSet:
    """Copy the stream to a file of this process's own, then read that (imported here: a
    regular file's count does without them)."""
    import shutil
    import sys
    import tempfile

    with tempfile.TemporaryDirectory(prefix="omov-") as folder:
        copy = Path(folder) / "ballots"
        try:
            with copy.open("wb") as out:
                if stream:
                    shutil.copyfileobj(sys.stdin.buffer, out)
                else:
                    with path.open("rb") as source:
                        shutil.copyfileobj(source, out)
        except OSError as error:
            raise BallotFileError(path, None, f"cannot read it: {error.strerror}") from None
        with copy.open("rb") as written:
            if written.read(len(GZIP_MAGIC)) == GZIP_MAGIC:
                # A file is told gzipped by its name (.gz), which a stream lacks: its first
                # bytes tell instead, and the copy is named so the readers unzip it.
                copy = copy.rename(copy.with_suffix(".gz"))
        try:
            return _read(copy, name, policy, progress=None)
        except BallotFileError as error:
            raise BallotFileError(path, error.line, error.reason) from None


def _read(
    path: Path, name: str, policy: BallotPolicy | None, progress: Progress | None
) -> BallotSet:
    _load(name)
    reader = READERS.get(name)
    if reader is None:
        raise BallotFileError(
            path, None, f"unknown ballot format {name!r}; known: {', '.join(sorted(MODULES))}"
        )
    try:
        ballots = reader(path, policy=policy or BallotPolicy(), progress=progress)
    except BallotFileError:
        raise
    except BallotError as error:  # from building the ballot set: say which file
        raise BallotFileError(path, None, str(error)) from None
    twice = first_duplicate(ballots.candidates)
    if twice is not None:
        # Every reader passes here: a count would otherwise add two candidates' votes
        # under one name, or split one candidate's.
        raise BallotFileError(path, None, f"the candidate {twice!r} is listed twice")
    return ballots


def write_ballots(ballots: BallotSet, path: str | Path, *, format: str) -> None:
    _load(format)
    writer = WRITERS.get(format)
    if writer is None:
        known = ", ".join(sorted(WRITERS_OF))
        raise BallotFileError(path, None, f"cannot write format {format!r}; known: {known}")
    if ballots.equal_groups and format not in EQUAL_RANKINGS:
        raise BallotFileError(
            path, None, f"{format} cannot record equal rankings (blt can); nothing written"
        )
    if ballots.overvote_groups:
        # No writer has a place for which candidates were tied at a rank; writing the
        # rest of such a ballot would silently change how it counts.
        raise BallotFileError(
            path,
            None,
            f"{format} cannot record which candidates share an overvoted rank "
            "(read under exhaust-if-multiple-continuing); nothing written",
        )
    writer(ballots, Path(path))


WRITERS_OF = frozenset({"blt", "csv", "parquet"})
"""The formats omov writes (their modules register the writers)."""


__all__ = [
    "EXTENSIONS",
    "MODULES",
    "READERS",
    "WRITERS",
    "read_ballots",
    "register_reader",
    "register_writer",
    "write_ballots",
]
