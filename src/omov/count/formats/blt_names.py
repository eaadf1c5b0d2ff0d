"""The end of a BLT file, after the ``0`` line: one quoted name per candidate in id order,
then the quoted title, then any annotation lines (Droop reads a source and a comment
there; the ERS's validation elections add their own notes, quoted or not).

Names must be quoted, several to a line if need be; runs of spaces within a name or the
title read as one space, as Droop and OpenSTV read them. Everything after the title is
kept, line by line, as annotations (a quoted line read as a name is, any other as it
stands). Lines starting with ``#`` are
comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from omov.count.errors import BallotFileError

if TYPE_CHECKING:
    from omov.count.formats.runs import Text

_QUOTED = re.compile(r'"([^"]*)"')


@dataclass(frozen=True)
class BltNames:
    names: tuple[str, ...]
    title: str
    annotations: tuple[str, ...]


def parse_names(path: Path, data: Text, offset: int, n: int) -> BltNames:
    """The names, title and annotations from byte ``offset`` (the end of the ``0`` line)."""
    try:
        text = data[offset:].decode("utf-8")
    except UnicodeDecodeError as error:
        bad_line = data[: offset + error.start].count(b"\n") + 1
        raise BallotFileError(path, bad_line, "names are not valid UTF-8") from error
    strings: list[str] = []
    annotations: list[str] = []
    for line_no, content in enumerate(text.split("\n")):
        stripped = content.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if len(strings) > n:  # past the title: an annotation, whatever it holds
            annotations.append(_annotation(stripped))
            continue
        found = _QUOTED.findall(stripped)
        if not found or _QUOTED.sub("", stripped).strip():
            # Counted only now: the lines before the names are most of a large file.
            line = data[:offset].count(b"\n") + 1 + line_no
            raise BallotFileError(path, line, 'expected a quoted name, like "Ann Smith"')
        strings.extend(_one_space(s) for s in found)
        annotations.extend(strings[n + 1 :])  # quoted notes on the title's line
        del strings[n + 1 :]
    if len(strings) < n:
        last = data[:].count(b"\n") + 1
        given = f"{len(strings)} candidate names for the {n} candidates the first line gives"
        raise BallotFileError(path, last, given)
    title = strings[n] if len(strings) > n else ""
    return BltNames(tuple(strings[:n]), title, tuple(annotations))


def _one_space(text: str) -> str:
    return " ".join(text.split())


def _annotation(line: str) -> str:
    """A quoted line as a name is read; any other as it stands (it may be a table)."""
    found = _QUOTED.fullmatch(line)
    return _one_space(found.group(1)) if found else line
