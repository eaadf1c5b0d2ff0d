"""Ballot file readers and writers, by format name.

A reader takes a path, a ballot policy and an optional progress callback and returns a
``BallotSet``, or raises ``BallotFileError`` naming the file and line: never a traceback
and never a partial ballot set. A writer takes a ``BallotSet`` and a path and writes the
whole file or nothing (it writes to a temporary file and renames it).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from omov.count.ballots import BallotPolicy, BallotSet
from omov.count.errors import BallotFileError

Progress = Callable[[int, int], None]
"""Called as (done, total) in bytes while a large file is read."""


class Reader(Protocol):
    def __call__(
        self, path: Path, *, policy: BallotPolicy, progress: Progress | None = None
    ) -> BallotSet: ...


Writer = Callable[[BallotSet, Path], None]

READERS: dict[str, Reader] = {}
WRITERS: dict[str, Writer] = {}
EQUAL_RANKINGS = frozenset({"blt"})
"""Formats whose writer records candidates ranked equal."""
EXTENSIONS: dict[str, str] = {}
"""File suffix -> format name, for guessing the format of a file."""


def register_reader(name: str, *suffixes: str) -> Callable[[Reader], Reader]:
    def decorate(reader: Reader) -> Reader:
        READERS[name] = reader
        for suffix in suffixes:
            EXTENSIONS[suffix] = name
        return reader

    return decorate


def register_writer(name: str) -> Callable[[Writer], Writer]:
    def decorate(writer: Writer) -> Writer:
        WRITERS[name] = writer
        return writer

    return decorate


def guess_format(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes if s.lower() not in (".gz",)]
    for suffix in reversed(suffixes):
        if suffix in EXTENSIONS:
            return EXTENSIONS[suffix]
    known = ", ".join(sorted(READERS))
    raise BallotFileError(
        path, None, f"cannot tell the ballot format from the name; give --format ({known})"
    )


def read_ballots(
    path: str | Path,
    *,
    format: str | None = None,
    policy: BallotPolicy | None = None,
    progress: Progress | None = None,
) -> BallotSet:
    path = Path(path)
    if not path.is_file():
        raise BallotFileError(path, None, "no such file")
    name = format or guess_format(path)
    reader = READERS.get(name)
    if reader is None:
        raise BallotFileError(
            path, None, f"unknown ballot format {name!r}; known: {', '.join(sorted(READERS))}"
        )
    return reader(path, policy=policy or BallotPolicy(), progress=progress)


def write_ballots(ballots: BallotSet, path: str | Path, *, format: str) -> None:
    writer = WRITERS.get(format)
    if writer is None:
        raise BallotFileError(
            path, None, f"cannot write format {format!r}; known: {', '.join(sorted(WRITERS))}"
        )
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


# Importing the format modules registers them.
from omov.count.formats import blt as blt  # noqa: E402
from omov.count.formats import cdf as cdf  # noqa: E402
from omov.count.formats import parquet as parquet  # noqa: E402
from omov.count.formats import plain_csv as plain_csv  # noqa: E402
from omov.count.formats import preflib as preflib  # noqa: E402
from omov.count.formats import rctab_csv as rctab_csv  # noqa: E402

__all__ = [
    "READERS",
    "WRITERS",
    "read_ballots",
    "register_reader",
    "register_writer",
    "write_ballots",
]
