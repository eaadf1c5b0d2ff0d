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
overvote at that rank; the ballot policy decides what it does. The grid keeps which
candidates were marked (a group cell ``OVERVOTE_GROUP_BASE - g`` for
``overvote_groups[g]``), as the exhaust-if-multiple-continuing rule needs.

The body is parsed as one buffer: Polars splits every ``count: order`` line at once and
the orders go into the rank grid with NumPy; only lines with ties are read one by one.
If any line is irregular, the body is read again line by line, which names the first
line at fault. The header's ``NUMBER VOTERS`` and ``NUMBER UNIQUE ORDERS`` are checked
against the body, which catches a truncated file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl

from omov.count.ballots import BLANK, OVERVOTE_GROUP_BASE, BallotPolicy, BallotSet, RankArray
from omov.count.errors import BallotFileError
from omov.count.formats import Progress, register_reader

_NAME = re.compile(r"ALTERNATIVE NAME (\d+)\s*:\s?(.*)$")
_FIELD = re.compile(r"([A-Z][A-Z ]*[A-Z])\s*:\s?(.*)$")
_ORDER = re.compile(r"\s*(\d+)\s*:(.*)$")
Counts = npt.NDArray[np.int64]
Groups = dict[frozenset[int], int]
"""Overvote groups met so far -> their index (``OVERVOTE_GROUP_BASE - index`` in the grid)."""


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
    start = next((i for i, line in enumerate(lines) if line.strip() and line[0] != "#"), None)
    if start is None:
        raise BallotFileError(path, len(lines), "no orders after the header")
    header = _Header()
    for number, line in enumerate(lines[:start], start=1):
        if line.startswith("#"):
            _header_line(header, line[1:].strip(), number)
    n_alternatives = _alternatives(path, header)
    body = lines[start:]
    if progress is not None:
        progress(0, len(lines))
    groups: Groups = {}
    parsed = _whole_body(path, body, start + 1, n_alternatives, ties, groups)
    if parsed is None:
        groups.clear()
        parsed = _line_by_line(path, body, start + 1, n_alternatives, ties, groups)
    grid, counts = parsed
    _check_totals(path, header, counts)
    if progress is not None:
        progress(len(lines), len(lines))
    return _ballot_set(path, header, n_alternatives, grid, counts, policy, tuple(groups))


def _whole_body(
    path: Path, body: list[str], first_line: int, n_alternatives: int, ties: bool, groups: Groups
) -> tuple[RankArray, Counts] | None:
    """Every order at once with Polars; None if any line needs the careful reading below."""
    try:
        frame = pl.read_csv(
            "\n".join(body).encode(),
            has_header=False,
            separator=":",
            new_columns=["count", "order"],
            infer_schema=False,
            quote_char=None,
        )
    except pl.exceptions.PolarsError:
        return None
    table = frame.select(
        pl.col("count").str.strip_chars().cast(pl.Int64, strict=False),
        order := pl.col("order").str.replace_all(r"\s+", ""),
        tied=order.str.contains("{", literal=True),
        empty=order == "",
    )
    if (
        frame.height != len(body)
        or table.null_count().sum_horizontal().item()
        or (table["tied"].any() and not ties)
        or (table["count"] < 0).any()
    ):
        return None
    plain = table.select(
        pl.when(pl.col("tied") | pl.col("empty"))
        .then(pl.lit([], pl.List(pl.Int16)))
        .otherwise(
            pl.col("order").str.split(",").list.eval(pl.element().cast(pl.Int16, strict=False))
        )
        .alias("ranks")
    )["ranks"]
    flat = plain.explode(empty_as_null=False).drop_nulls().to_numpy().astype(np.int16)
    lengths = plain.list.len().cast(pl.Int64).to_numpy()
    if len(flat) != int(lengths.sum()) or (
        len(flat) and not 1 <= int(flat.min()) <= int(flat.max()) <= n_alternatives
    ):
        return None
    grid = _grid(path, body, first_line, n_alternatives, table["tied"], flat, lengths, groups)
    return grid, table["count"].to_numpy().astype(np.int64)


def _grid(
    path: Path,
    body: list[str],
    first_line: int,
    n_alternatives: int,
    tied: pl.Series,
    flat: npt.NDArray[np.int16],
    lengths: npt.NDArray[np.integer],
    groups: Groups,
) -> RankArray:
    """Place the plain orders in a rank grid at once; read the tied ones one by one."""
    tied_rows = {
        int(row): _order_line(
            path, first_line + int(row), body[int(row)], n_alternatives, True, groups
        )[1]
        for row in tied.arg_true()
    }
    width = max(1, int(lengths.max(initial=0)), *(len(r) for r in tied_rows.values()))
    grid = np.full((len(body), width), BLANK, dtype=np.int16)
    rows = np.repeat(np.arange(len(body)), lengths)
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    grid[rows, np.arange(len(flat)) - starts] = flat - 1
    for row, ranking in tied_rows.items():
        grid[row, : len(ranking)] = ranking
    return grid


def _line_by_line(
    path: Path, body: list[str], first_line: int, n_alternatives: int, ties: bool, groups: Groups
) -> tuple[RankArray, Counts]:
    """The careful reading: names the first line at fault, or reads what the fast one would not."""
    rankings: list[list[int]] = []
    counts: list[int] = []
    for number, line in enumerate(body, start=first_line):
        if line.startswith("#"):
            raise BallotFileError(path, number, "a header line after the first order")
        if not line.strip():
            continue
        count, ranking = _order_line(path, number, line, n_alternatives, ties, groups)
        counts.append(count)
        rankings.append(ranking)
    width = max(1, *(len(r) for r in rankings))
    grid = np.full((len(rankings), width), BLANK, dtype=np.int16)
    for row, ranking in enumerate(rankings):
        grid[row, : len(ranking)] = ranking
    return grid, np.array(counts, dtype=np.int64)


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


MAX_COUNT_DIGITS = 15
"""Counts past 10^15 ballots are no election's, and would not fit the count's integers."""


def _order_line(
    path: Path, number: int, line: str, n_alternatives: int, ties: bool, groups: Groups
) -> tuple[int, list[int]]:
    match = _ORDER.match(line)
    if match is None:
        raise BallotFileError(path, number, f"expected 'count: order', got {line[:40]!r}")
    if len(match.group(1)) > MAX_COUNT_DIGITS:
        raise BallotFileError(path, number, f"the count {match.group(1)[:20]}... is too large")
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
    return count, _tied_order(path, number, body, n_alternatives, groups)


def _tied_order(
    path: Path, number: int, body: str, n_alternatives: int, groups: Groups
) -> list[int]:
    """An order with ``{a,b}`` groups: a group of two or more is an overvote at its rank,
    written as the group cell of its candidates."""
    ranking: list[int] = []
    for group, single in re.findall(r"\{([^{}]*)\}|([^,{}]+)", body):
        if single:
            ranking.append(_alternative(path, number, single, n_alternatives))
            continue
        members = [_alternative(path, number, t, n_alternatives) for t in group.split(",") if t]
        if not members:
            raise BallotFileError(path, number, "an empty tie '{}'")
        if len(members) == 1:
            ranking.append(members[0])
            continue
        index = groups.setdefault(frozenset(members), len(groups))
        ranking.append(OVERVOTE_GROUP_BASE - index)
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


def _check_totals(path: Path, header: _Header, counts: Counts) -> None:
    held = int(counts.sum())
    voters = header.number(path, "NUMBER VOTERS")
    if voters is not None and voters[1] != held:
        raise BallotFileError(
            path, voters[0], f"NUMBER VOTERS says {voters[1]}, but the orders hold {held}"
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
    grid: RankArray,
    counts: Counts,
    policy: BallotPolicy,
    groups: tuple[frozenset[int], ...],
) -> BallotSet:
    names = [header.names.get(i, f"Alternative {i}") for i in range(1, n_alternatives + 1)]
    if len(set(names)) < len(names):
        twice = next(name for name in names if names.count(name) > 1)
        raise BallotFileError(path, 1, f"two alternatives are named {twice!r}")
    title = header.fields.get("TITLE", (0, ""))[1].strip()
    return BallotSet.from_grid(
        names, grid, weights=counts, policy=policy, title=title, overvote_groups=groups
    )
