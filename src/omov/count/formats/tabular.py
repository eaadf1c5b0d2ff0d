"""Tables of rankings (plain CSV and Parquet): one schema, read in bulk with Polars.

The schema, for both formats:

- ``rank1`` .. ``rankN``: the candidate marked at each rank, by name. An empty cell is a
  skipped rank. Two or more names joined by ``=`` (``Alice=Bob``) mark several candidates
  at one rank: an overvote. A bare ``=`` is an overvote whose names were not kept (a ballot
  set keeps none, so that is what the writers write). Names are compared after trimming
  spaces.
- ``section`` (optional): the electorate section the ballot belongs to.
- ``weight`` (optional): how many ballots the row stands for, a whole number, 0 or more;
  without the column every row is one ballot.

Any other column is an error: a misspelt ``weight`` silently read as one ballot per row
would be a wrong count.

Candidates, their order, and the file's title, seats and withdrawn candidates travel as
metadata: in CSV as comment lines before the header (``# candidates: ["Alice", "Bob"]``,
values in JSON), in Parquet as the ``omov`` key of the file's key-value metadata (one
JSON object). With a candidate list, a name outside it is an error and candidates with
no votes still stand. Without one, the candidates are every name in the file in sorted
order, so that the order of ballots in the file never changes a count (candidate-order
tie-breaks read this order). The writers always write the list.

Reading never goes row by row in Python. With a candidate list (the common case) the
readers take the fast path in ``coded``: cells become small integer codes as they are
parsed and rows are grouped as packed machine words. Otherwise, and for any chunk the fast
path hands back, chunks of rows are parsed by Polars with the rank columns as
categoricals, grouped to distinct (ranking, section) rows with summed weights straight
away, and only the distinct rows are mapped to candidate ids; this general path is also
the one that names the row at fault.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from omov.count.ballots import BLANK, N_STOPS, OVERVOTE, BallotPolicy, BallotSet, Inactive
from omov.count.errors import BallotError, BallotFileError
from omov.count.formats.coded import CodedRows
from omov.count.formats.tabular_schema import (  # the schema, read without Polars too
    SECTION,
    WEIGHT,
    Layout,
    Metadata,
    _short,
)
from omov.count.papers import codes_as_grid

RowLine = Callable[[int], int | None]
"""Where a row of the current chunk is in the file (its line, or its row for Parquet)."""


def _labels(series: pl.Series) -> pl.Series:
    """Cell values as trimmed strings, blank cells as null."""
    text = series.cast(pl.String).str.strip_chars()
    return pl.select(pl.when(text != "").then(text)).to_series().alias(series.name)


def _names_in(cells: pl.Series) -> set[str]:
    """Candidate names in distinct cell values, including each name of an overvote."""
    parts = cells.drop_nulls().str.split("=").explode().str.strip_chars()
    return {p for p in parts.unique().to_list() if p}


@dataclass
class RankingTable:
    """Reduces chunks of a ranking table to distinct rows as they are read."""

    path: Path
    layout: Layout
    metadata: Metadata
    parts: list[pl.DataFrame] = field(default_factory=list)

    def add(self, chunk: pl.DataFrame, row_line: RowLine) -> None:
        """Check one chunk (rank/section columns categorical) and keep its distinct rows."""
        weights = self._weights(chunk, row_line)
        keys = list(self.layout.categorical)
        grouped = (
            chunk.select(keys)
            .with_columns(weights.alias(WEIGHT))
            .group_by(keys)
            .agg(pl.col(WEIGHT).sum())
        )
        self._check_labels(chunk, grouped, row_line)
        self.parts.append(grouped)

    def _weights(self, chunk: pl.DataFrame, row_line: RowLine) -> pl.Series:
        if not self.layout.weight:
            return pl.Series(WEIGHT, np.ones(chunk.height, dtype=np.int64))
        raw = chunk[WEIGHT]
        text = raw.cast(pl.String).str.strip_chars() if raw.dtype == pl.String else raw
        weights = text.cast(pl.Int64, strict=False)
        bad = (weights.is_null() | (weights < 0)).arg_true()
        if len(bad):
            row = int(bad[0])
            value = raw[row]
            raise BallotFileError(
                self.path,
                row_line(row),
                f"bad weight {_short(str(value or ''))}: a whole number of ballots, 0 or more",
            )
        return weights

    def _check_labels(self, chunk: pl.DataFrame, grouped: pl.DataFrame, row_line: RowLine) -> None:
        if self.layout.section:
            sections = _labels(grouped[SECTION])
            if sections.null_count():
                row = int(_labels(chunk[SECTION]).is_null().arg_true()[0])
                raise BallotFileError(self.path, row_line(row), "a ballot with no section")
            allowed = self.metadata.sections
            unknown = set(sections.unique().to_list()) - set(allowed or ())
            if allowed is not None and unknown:
                self._fail_at(chunk, (SECTION,), min(unknown), "unknown section", row_line)
        if self.metadata.candidates is None:
            return
        for column in self.layout.ranks:
            unknown = _names_in(_labels(grouped[column])) - set(self.metadata.candidates)
            if unknown:
                self._fail_at(chunk, self.layout.ranks, min(unknown), "unknown candidate", row_line)

    def _fail_at(
        self, chunk: pl.DataFrame, columns: Sequence[str], name: str, what: str, row_line: RowLine
    ) -> None:
        holds = pl.any_horizontal(
            [
                pl.col(c)
                .cast(pl.String)
                .str.split("=")
                .list.eval(pl.element().str.strip_chars())
                .list.contains(name)
                for c in columns
            ]
        )
        rows = chunk.select(holds.alias("holds"))["holds"].fill_null(False).arg_true()
        row = int(rows[0]) if len(rows) else 0
        raise BallotFileError(self.path, row_line(row), f"{what} {_short(name)}")

    def ballot_set(
        self, policy: BallotPolicy, *, empty_line: int | None, coded: CodedRows | None = None
    ) -> BallotSet:
        """The distinct rows of every chunk, mapped to ids and compressed under ``policy``.

        ``coded``: rows the fast path read (with the metadata's candidates, no sections);
        any chunk it handed back is in ``parts``.
        """
        metadata = self.metadata
        if coded and not self.parts:  # only the fast path read them: grouped in order
            candidates = metadata.candidates or ()
            distinct = coded.distinct(None, stop_column=True)
            ids = {name: i for i, name in enumerate(candidates)}
            return BallotSet.from_codes(
                candidates,
                distinct.codes,
                weights=distinct.weights,
                withdrawn=frozenset(ids[name] for name in metadata.withdrawn),
                policy=policy,
                title=metadata.title,
                seats=metadata.seats,
                checked=distinct.checked,
            )
        rows = self._rows(empty_line)
        if coded:
            distinct = coded.distinct(None)
            grid = codes_as_grid(distinct.codes, coded.n_candidates)
            rows = Rows(
                rows.candidates,
                np.concatenate([grid, rows.grid]),
                np.concatenate([distinct.weights, rows.weights]),
            )
        ids = {name: i for i, name in enumerate(rows.candidates)}
        return BallotSet.from_grid(
            rows.candidates,
            rows.grid,
            weights=rows.weights,
            section_ids=rows.section_ids,
            section_names=rows.section_names,
            withdrawn=frozenset(ids[name] for name in metadata.withdrawn),
            policy=policy,
            title=metadata.title,
            seats=metadata.seats,
        )

    def _rows(self, empty_line: int | None) -> Rows:
        if not self.parts:
            raise BallotFileError(self.path, empty_line, "no ballots: the table has no rows")
        keys = list(self.layout.categorical)
        table = pl.concat(self.parts).group_by(keys).agg(pl.col(WEIGHT).sum())
        cells = table.select([_labels(table[c]) for c in keys])
        candidates = self.metadata.candidates or tuple(
            sorted(set().union(*(_names_in(cells[c]) for c in self.layout.ranks)))
        )
        if not candidates:
            raise BallotFileError(self.path, empty_line, "no candidate is named anywhere")
        grid = np.column_stack([_rank_ids(cells[c], candidates) for c in self.layout.ranks])
        if not self.layout.section:
            return Rows(candidates, grid, table[WEIGHT].to_numpy())
        found = tuple(sorted(set(cells[SECTION].to_list())))
        section_names = self.metadata.sections or found
        lookup = {name: i for i, name in enumerate(section_names)}
        section_ids = cells[SECTION].replace_strict(lookup, return_dtype=pl.Int16).to_numpy()
        return Rows(candidates, grid, table[WEIGHT].to_numpy(), section_ids, section_names)


@dataclass(frozen=True)
class Rows:
    """Distinct rows as a rank grid of candidate ids, before the ballot policy."""

    candidates: tuple[str, ...]
    grid: np.ndarray[Any, np.dtype[np.int16]]
    weights: np.ndarray[Any, Any]
    section_ids: np.ndarray[Any, Any] | None = None
    section_names: tuple[str, ...] = ()


def _rank_ids(cells: pl.Series, candidates: Sequence[str]) -> np.ndarray[Any, np.dtype[np.int16]]:
    """Candidate ids of one rank column of distinct rows: BLANK, OVERVOTE or an id."""
    lookup: dict[str, int] = {name: i for i, name in enumerate(candidates)}
    for value in cells.drop_nulls().unique().to_list():
        if "=" in value:
            lookup[value] = OVERVOTE
    mapped = cells.replace_strict(lookup, default=None, return_dtype=pl.Int16)
    return mapped.fill_null(BLANK).to_numpy().astype(np.int16)


def ballot_frame(ballots: BallotSet) -> pl.DataFrame:
    """A ballot set as a ranking table: one row per distinct ranking (and section)."""
    unwritable = [c for c in ballots.candidates if "=" in c or c != c.strip() or not c]
    if unwritable:
        raise BallotError(
            f"cannot write candidate {unwritable[0]!r} to a ranking table: names are trimmed "
            "and '=' marks an overvote"
        )
    n = ballots.n_candidates
    rankings = ballots.rankings.astype(np.int32)
    stops = rankings >= n
    first_stop = stops & ~np.concatenate([np.zeros((len(rankings), 1), bool), stops[:, :-1]], 1)
    labels = np.array([*ballots.candidates, *([None] * N_STOPS)], dtype=object)
    cells = labels[rankings]
    cells[first_stop & (rankings == n + Inactive.OVERVOTE)] = "="
    _write_repeats(ballots, rankings, first_stop, cells)
    width = _written_width(cells)
    columns: dict[str, Any] = {
        f"rank{k + 1}": pl.Series(cells[:, k].tolist(), dtype=pl.String) for k in range(width)
    }
    if ballots.section_names:
        names = np.array(ballots.section_names, dtype=object)
        columns[SECTION] = pl.Series(names[ballots.section_ids].tolist(), dtype=pl.String)
    columns[WEIGHT] = pl.Series(ballots.weights, dtype=pl.Int64)
    frame = pl.DataFrame(columns)
    if ballots.blank_ballots:
        blank: dict[str, Any] = {c: [None] for c in columns}
        blank[WEIGHT] = [ballots.blank_ballots]
        if ballots.section_names:
            blank[SECTION] = [ballots.section_names[0]]
        frame = pl.concat([frame, pl.DataFrame(blank, schema=frame.schema)])
    return frame


def _write_repeats(
    ballots: BallotSet,
    rankings: np.ndarray[Any, Any],
    first_stop: np.ndarray[Any, Any],
    cells: np.ndarray[Any, Any],
) -> None:
    """A 'repeated candidate' stop is written as the paper had it: the last name again."""
    rows, cols = np.nonzero(first_stop & (rankings == ballots.n_candidates + Inactive.REPEATED))
    for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
        if col:
            cells[row, col] = cells[row, col - 1]


def _written_width(cells: np.ndarray[Any, Any]) -> int:
    used = np.flatnonzero((cells != None).any(axis=0))  # noqa: E711  (object array)
    return max(1, int(used[-1]) + 1) if len(used) else 1
