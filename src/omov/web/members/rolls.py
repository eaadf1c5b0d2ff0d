"""Reading the officer's CSV files of members and units: every row checked before any is
applied, each fault named by its row and column, never by the value (a roll's values are
members' personal data, and an error message travels further than the file)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext

from omov.count.labels import label_problem, normalise_label
from omov.web.errors import ContestError

ROLL_COLUMNS = (
    "number",
    "name",
    "email",
    "date_of_birth",
    "joined",
    "standing",
    "section",
    "units",
)
UNIT_COLUMNS = ("kind", "code", "name", "parent")
UNIT_SEPARATOR = ";"
TEMPLATES = {
    "roll": (
        ROLL_COLUMNS,
        (
            "M0001",
            "Ada Lovelace",
            "ada@example.org",
            "1815-12-10",
            "2015-01-01",
            "active",
            "members",
            "CLP1;B1",
        ),
    ),
    "units": (UNIT_COLUMNS, ("branch", "B1", "Highbury West branch", "CLP1")),
}
"""Each file's header and one example row, for the officer to fill in."""
SHOWN = 20
"""Faults listed in the message; the rest are counted."""


def template_csv(what: str) -> str:
    columns, example = TEMPLATES[what]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([columns, example])
    return out.getvalue()


def spoken(column: str) -> str:
    """A column's name as a person reads it ("date of birth"); headers may be written
    either way."""
    return column.replace("_", " ")


@dataclass(frozen=True)
class RowProblem:
    row: int
    """The row as a spreadsheet numbers it: the header is row 1."""
    column: str | None
    problem: str

    def __str__(self) -> str:
        if self.column is None:
            return f"row {self.row}: {self.problem}"
        return f"row {self.row}, {spoken(self.column)}: {self.problem}"


class FileRefusedError(ContestError):
    """The file was refused as a whole: nothing was applied."""

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        self.problems = list(problems)
        shown = "; ".join(str(p) for p in self.problems[:SHOWN])
        more = len(self.problems) - SHOWN
        extra = f" (and {more} more)" if more > 0 else ""
        super().__init__(f"nothing was imported: {shown}{extra}")


@dataclass(frozen=True)
class Row:
    number: int
    cells: dict[str, str]


def read_rows(data: bytes, columns: tuple[str, ...], *, what: str) -> list[Row]:
    """The file's rows under its header, which must name exactly ``columns`` (any order).
    Blank rows are skipped; a row with the wrong number of cells is a fault of its own."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ContestError(
            gettext("the %(what)s file is not UTF-8 text") % {"what": what}
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[Row] = []
    problems: list[RowProblem] = []
    header: list[str] | None = None
    number = 0
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error:
            problems.append(RowProblem(number, None, "it cannot be read as CSV"))
            break
        if header is None:
            header = ["_".join(cell.strip().lower().split()) for cell in cells]
            _check_header(header, columns, what)
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            fault = f"it has {len(cells)} cells where the header has {len(header)}"
            problems.append(RowProblem(number, None, fault))
            continue
        rows.append(
            Row(number, {name: cell.strip() for name, cell in zip(header, cells, strict=True)})
        )
    if header is None:
        raise ContestError(gettext("the %(what)s file is empty") % {"what": what})
    if problems:
        raise FileRefusedError(problems)
    return rows


def _check_header(header: list[str], columns: tuple[str, ...], what: str) -> None:
    missing = [spoken(c) for c in columns if c not in header]
    unknown = [spoken(c) for c in header if c not in columns]
    twice = sorted({spoken(c) for c in header if header.count(c) > 1})
    if missing or unknown or twice:
        faults = []
        if missing:
            faults.append("missing " + ", ".join(missing))
        if unknown:
            faults.append("not expected: " + ", ".join(unknown))
        if twice:
            faults.append("given twice: " + ", ".join(twice))
        names = ", ".join(spoken(c) for c in columns)
        raise ContestError(
            gettext("the %(what)s file's columns must be %(names)s (%(join_faults)s)")
            % {"what": what, "names": names, "join_faults": "; ".join(faults)}
        )


class Checker:
    """Collects a file's faults while its rows are read into values."""

    def __init__(self) -> None:
        self.problems: list[RowProblem] = []

    def fault(self, row: Row, column: str | None, problem: str) -> None:
        self.problems.append(RowProblem(row.number, column, problem))

    def label(self, row: Row, column: str, *, longest: int, required: bool = True) -> str:
        """A name, code or number: no invisible or control characters, not too long."""
        text = normalise_label(row.cells[column])
        if not text and not required:
            return ""
        problem = label_problem(text, longest=longest)
        if problem is not None:
            self.fault(row, column, problem)
        return text

    def date(self, row: Row, column: str) -> dt.date | None:
        text = row.cells[column]
        if not text:
            self.fault(row, column, "it is empty")
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            self.fault(row, column, "it is not a date written as YYYY-MM-DD")
            return None

    def choice(self, row: Row, column: str, allowed: Sequence[str]) -> str:
        text = row.cells[column].lower()
        if text not in allowed:
            self.fault(row, column, "it must be one of " + ", ".join(allowed))
        return text

    def refuse_if_any(self) -> None:
        if self.problems:
            raise FileRefusedError(sorted(self.problems, key=lambda p: p.row))
