"""Turning ballot rows into a ``BallotSet`` and a ``CountReport`` into plain figures."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from omov.count import BallotSet, CountReport
from omov.count.report import format_votes
from omov.count.reports import REPORT_WRITERS, render_report
from omov.ledger.board import Board
from omov.ledger.board_file import write_board
from omov.web.contests.models import Candidate


def ballot_set(
    candidates: list[Candidate], rows: list[tuple[list[int], str]], title: str
) -> BallotSet:
    index = {c.position: i for i, c in enumerate(candidates)}
    return BallotSet.from_rankings(
        [c.name for c in candidates],
        [[index[p] for p in ranking] for ranking, _ in rows],
        sections=[section for _, section in rows],
        title=title,
    )


def report_summary(report: CountReport) -> dict[str, Any]:
    """The report as JSON-safe figures, exactly as published (strings, never floats)."""

    def fig(value: Any) -> str:
        return format_votes(value, report.decimals)

    return {
        "method": report.method,
        "winner": report.winner,
        "elected": list(report.elected),
        "candidates": list(report.candidates),
        "valid": fig(report.valid_ballots),
        "rounds": [
            {
                "number": r.number,
                "tallies": {name: fig(v) for name, v in r.tallies.items()},
                "inactive": fig(r.inactive_total),
                "threshold": None if r.threshold is None else fig(r.threshold),
                "elected": list(r.elected),
                "excluded": list(r.excluded),
                "transfers": [
                    {"from": t.source, "kind": t.kind, "to": {k: fig(v) for k, v in t.to.items()}}
                    for t in r.transfers
                ],
                "sections": {
                    name: {c: fig(v) for c, v in s.tallies.items()}
                    for name, s in r.sections.items()
                },
                "section_inactive": {name: fig(s.inactive) for name, s in r.sections.items()},
            }
            for r in report.rounds
        ],
    }


def downloads(report: CountReport) -> dict[str, str]:
    """RCTab JSON and CSV, from the report writers that are registered."""
    wanted = {"rctab_json": "rctab-json", "csv": "csv"}
    return {
        field: render_report(report, name)
        for field, name in wanted.items()
        if name in REPORT_WRITERS
    }


def board_parquet(board: Board) -> bytes:
    """The ballot board as a file, as the bundle writes it (``trust.publication.contest_board``
    builds it, for the download and the bundle alike)."""
    with tempfile.TemporaryDirectory(prefix="omov-board-") as folder:
        path = Path(folder) / "board.parquet"
        write_board(board, path)
        return path.read_bytes()
