"""Errors of the electorate package, each with a one-line message an officer can act on."""

from __future__ import annotations

from pathlib import Path


class ElectorateError(Exception):
    """Base class: anything omov.electorate refuses, with a message fit to print as it is."""


class RollError(ElectorateError):
    """A roll that cannot be imported, named with the row where it went wrong.

    Rows are counted as a spreadsheet shows them: in a CSV the header is row 1 and the first
    person is row 2; in Parquet (no header) the first person is row 1.
    """

    def __init__(self, source: str | Path, row: int | None, message: str) -> None:
        self.source = str(source)
        self.row = row
        self.reason = message
        where = f"{self.source}: row {row}" if row is not None else self.source
        super().__init__(f"{where}: {message}")


class TransitionError(ElectorateError):
    """A vetting or appeal step that the state machine does not allow from where the case is."""


class CriteriaError(ElectorateError):
    """Eligibility criteria that contradict themselves (a window that closes before it opens)."""
