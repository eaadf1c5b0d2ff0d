"""Export a bundle's ballots for third-party tabulators: BLT and RCTab's generic CSV.

RCTab's generic CSV has one row per ballot and one column per candidate holding the rank
the voter gave them (RCTab reads it with a ``generic csv`` source, first vote column 3).
Neither format can say *why* a ballot stopped (an overvote, say), so inactive-ballot
categories may differ in another tabulator; rankings, rounds and winners do not.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

from omov.count.formats import WRITERS, write_ballots
from omov.ledger.board import Board
from omov.ledger.errors import BundleError


def export_ballots(board: Board, directory: Path, *, title: str, seats: int) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    if "blt" in WRITERS:
        blt = directory / "ballots.blt"
        write_ballots(replace(board.ballot_set(), title=title, seats=seats), blt, format="blt")
        written.append(blt)
    rctab = directory / "ballots-rctab.csv"
    if "rctab-csv" in WRITERS:
        write_ballots(board.ballot_set(), rctab, format="rctab-csv")
    else:
        write_rctab_csv(board, rctab)
    written.append(rctab)
    return written


def write_rctab_csv(board: Board, path: Path) -> None:
    n = len(board.candidates)
    if any(name in ("ballot_id", "section") for name in board.candidates):
        raise BundleError("a candidate named like a CSV id column cannot be exported")
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("w", newline="", encoding="utf-8") as stream:
        out = csv.writer(stream)
        out.writerow(["ballot_id", "section", *board.candidates])
        ids = board.ids.tobytes().hex()
        # The dtype's width, not len(board.ids[0]): NumPy drops an id's trailing zero bytes
        # when it hands one out as a bytes object.
        width = 2 * board.ids.dtype.itemsize
        for k, (section, ranking) in enumerate(
            zip(board.section_ids.tolist(), board.rankings.tolist(), strict=True)
        ):
            cells = [""] * n
            for rank, candidate in enumerate(c for c in ranking if c < n):
                cells[candidate] = str(rank + 1)
            out.writerow([ids[k * width : (k + 1) * width], board.section_names[section], *cells])
    partial.replace(path)
