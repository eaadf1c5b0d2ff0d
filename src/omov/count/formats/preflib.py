"""PrefLib SOI and TOI ballot files (the PrefLib 2022 format).

A file is a header of ``# KEY: value`` lines, then one line per distinct order::

    # NUMBER ALTERNATIVES: 3
    # ALTERNATIVE NAME 1: Alice
    # ALTERNATIVE NAME 2: Bob
    # ALTERNATIVE NAME 3: Carol
    40: 1,3
    12: 2,{1,3}

``n: order`` says ``n`` voters ranked the alternatives (ids from 1) in that order. SOI
(strict orders, incomplete) has no ties; TOI (orders with ties) writes a tie as ``{a,b}``.
On a ballot paper a tie at a rank is two candidates marked at one rank, so it reads as an
overvote at that rank (the ``OVERVOTE`` grid cell); the ballot policy decides what it does.

PrefLib files are already compressed (one line per distinct order), so the reader parses
the whole buffer at once and spends Python time per distinct order, never per ballot. The
header's ``NUMBER VOTERS`` and ``NUMBER UNIQUE ORDERS`` are checked against the body, which
catches a truncated file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from omov.count.ballots import BLANK, OVERVOTE, BallotPolicy, BallotSet
from omov.count.errors import BallotFileError
from omov.count.formats import Progress, register_reader

_NAME = re.compile(r"ALTERNATIVE NAME (\d+)\s*:\s?(.*)$")
_FIELD = re.compile(r"([A-Z][A-Z ]*[A-Z])\s*:\s?(.*)$")
_ORDER = re.compile(r"\s*(\d+)\s*:(.*)$")
_PROGRESS_EVERY = 100_000


@dataclass
class _Header:
    names: dict[int, str] = field(default_factory=dict)
    fields: dict[str, tuple[int, str]] = field(default_factory=dict)
    """KEY -> (line, value)."""

    def number(self, path: Path, key: str) -> tuple[int, int] | None:
        if key not in self.fields:
            return None
        line, value = self.fields[key]
        if not value.strip().isdigit():
            raise BallotFileError(path, line, f"{key} must be a whole number, not {value!r}")
        return line, int(value)


@register_reader("soi", ".soi", ".soc")
def read_soi(path: Path, *, policy: BallotPolicy, progress: Progress | None = None) -> BallotSet:
    """Strict (possibly incomplete) orders: a tie is an error."""
    return _read(path, policy=policy, progress=progress, ties=False)


@register_reader("toi", ".toi", ".toc")
def read_toi(path: Path, *, policy: BallotPolicy, progress: Progress | None = None) -> BallotSet:
    """Orders with ties: ``{a,b}`` at a rank is an overvote at that rank."""
    return _read(path, policy=policy, progress=progress, ties=True)


def _read(path: Path, *, policy: BallotPolicy, progress: Progress | None, ties: bool) -> BallotSet:
    lines = _text(path).splitlines()
    if not any(line.strip() for line in lines):
        raise BallotFileError(path, 1, "empty file")
    header = _Header()
    rankings: list[list[int]] = []
    counts: list[int] = []
    body_started = False
    for number, line in enumerate(lines, start=1):
        if line.startswith("#"):
            if body_started:
                raise BallotFileError(path, number, "a header line after the first order")
            _header_line(header, line[1:].strip(), number)
            continue
        if not line.strip():
            continue
        if not body_started:
            body_started = True
            n_alternatives = _alternatives(path, header)
        count, ranking = _order_line(path, number, line, n_alternatives, ties)
        counts.append(count)
        rankings.append(ranking)
        if progress is not None and len(counts) % _PROGRESS_EVERY == 0:
            progress(number, len(lines))
    if not body_started:
        raise BallotFileError(path, len(lines), "no orders after the header")
    _check_totals(path, header, counts)
    if progress is not None:
        progress(len(lines), len(lines))
    return _ballot_set(path, header, n_alternatives, rankings, counts, policy)


def _text(path: Path) -> str:
    data = path.read_bytes()
    if b"\0" in data[:65536]:
        raise BallotFileError(
            path,
            data[:65536].count(b"\n", 0, data.index(b"\0")) + 1,
            "binary data, not a PrefLib text file",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise BallotFileError(path, line, "not UTF-8 text") from None


def _header_line(header: _Header, text: str, number: int) -> None:
    name = _NAME.match(text)
    if name:
        header.names[int(name.group(1))] = name.group(2).strip()
        return
    known = _FIELD.match(text)
    if known:
        header.fields[known.group(1)] = (number, known.group(2))


def _alternatives(path: Path, header: _Header) -> int:
    declared = header.number(path, "NUMBER ALTERNATIVES")
    if declared is None:
        if not header.names:
            raise BallotFileError(path, 1, "no '# NUMBER ALTERNATIVES' or alternative names")
        return max(header.names)
    line, n = declared
    if n < 1:
        raise BallotFileError(path, line, "NUMBER ALTERNATIVES must be at least 1")
    beyond = [i for i in header.names if not 1 <= i <= n]
    if beyond:
        raise BallotFileError(path, line, f"alternative {beyond[0]} named, but only {n} declared")
    return n


def _order_line(
    path: Path, number: int, line: str, n_alternatives: int, ties: bool
) -> tuple[int, list[int]]:
    match = _ORDER.match(line)
    if match is None:
        raise BallotFileError(path, number, f"expected 'count: order', got {line[:40]!r}")
    count = int(match.group(1))
    body = match.group(2).replace(" ", "").replace("\t", "")
    if not body:
        return count, []
    if "{" not in body:
        return count, [
            _alternative(path, number, token, n_alternatives) for token in body.split(",")
        ]
    if not ties:
        raise BallotFileError(path, number, "a tie ('{...}') in a strict-order (SOI) file")
    return count, _tied_order(path, number, body, n_alternatives)


def _tied_order(path: Path, number: int, body: str, n_alternatives: int) -> list[int]:
    """An order with ``{a,b}`` groups: a group of two or more is an overvote at its rank."""
    ranking: list[int] = []
    for group, single in re.findall(r"\{([^{}]*)\}|([^,{}]+)", body):
        if single:
            ranking.append(_alternative(path, number, single, n_alternatives))
            continue
        members = [_alternative(path, number, t, n_alternatives) for t in group.split(",") if t]
        if not members:
            raise BallotFileError(path, number, "an empty tie '{}'")
        ranking.append(members[0] if len(members) == 1 else OVERVOTE)
    if re.sub(r"\{[^{}]*\}|[^,{}]+|,", "", body):
        raise BallotFileError(path, number, "unbalanced braces in a tied order")
    return ranking


def _alternative(path: Path, number: int, token: str, n_alternatives: int) -> int:
    if not token.isdigit():
        raise BallotFileError(path, number, f"{token!r} is not an alternative number")
    value = int(token)
    if not 1 <= value <= n_alternatives:
        raise BallotFileError(path, number, f"alternative {value} is outside 1..{n_alternatives}")
    return value - 1


def _check_totals(path: Path, header: _Header, counts: list[int]) -> None:
    voters = header.number(path, "NUMBER VOTERS")
    if voters is not None and voters[1] != sum(counts):
        raise BallotFileError(
            path, voters[0], f"NUMBER VOTERS says {voters[1]}, but the orders hold {sum(counts)}"
        )
    unique = header.number(path, "NUMBER UNIQUE ORDERS")
    if unique is not None and unique[1] != len(counts):
        raise BallotFileError(
            path, unique[0], f"NUMBER UNIQUE ORDERS says {unique[1]}, but there are {len(counts)}"
        )


def _ballot_set(
    path: Path,
    header: _Header,
    n_alternatives: int,
    rankings: list[list[int]],
    counts: list[int],
    policy: BallotPolicy,
) -> BallotSet:
    width = max(1, max(len(r) for r in rankings))
    grid = np.full((len(rankings), width), BLANK, dtype=np.int16)
    for row, ranking in enumerate(rankings):
        grid[row, : len(ranking)] = ranking
    names = [header.names.get(i, f"Alternative {i}") for i in range(1, n_alternatives + 1)]
    if len(set(names)) < len(names):
        twice = next(name for name in names if names.count(name) > 1)
        raise BallotFileError(path, 1, f"two alternatives are named {twice!r}")
    title = header.fields.get("TITLE", (0, ""))[1].strip()
    return BallotSet.from_grid(
        names, grid, weights=np.array(counts, dtype=np.int64), policy=policy, title=title
    )
