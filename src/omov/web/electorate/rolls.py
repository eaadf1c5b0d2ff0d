"""Reading an uploaded roll and deciding eligibility, row by row with reason codes.

The electorate package (``omov.electorate``) owns roll validation and eligibility rules;
until its public functions land, this applies the one rule the 2016 rulebook fixes (joined
on or before the freeze date, in a known section) so the web flow runs end to end.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from omov.web.errors import ContestError

COLUMNS = ("reference", "name", "email", "section", "joined_on")


@dataclass(frozen=True)
class RollRow:
    reference: str
    name: str
    email: str
    section: str
    joined_on: dt.date
    eligible: bool
    reason: str


def roll_rows(text: str, *, sections: list[str], freeze_date: dt.date) -> list[RollRow]:
    """Parse a roll CSV; any bad row rejects the whole file with its line number."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ContestError(f"roll: missing column(s) {', '.join(missing)}")
    rows: list[RollRow] = []
    seen: set[str] = set()
    for line, record in enumerate(reader, start=2):
        reference = (record["reference"] or "").strip()
        if not reference:
            raise ContestError(f"roll line {line}: empty reference")
        if reference in seen:
            raise ContestError(f"roll line {line}: reference {reference} appears twice")
        seen.add(reference)
        try:
            joined = dt.date.fromisoformat((record["joined_on"] or "").strip())
        except ValueError:
            raise ContestError(f"roll line {line}: joined_on is not a YYYY-MM-DD date") from None
        section = (record["section"] or "").strip()
        eligible, reason = True, "eligible"
        if section not in sections:
            eligible, reason = False, "unknown-section"
        elif joined > freeze_date:
            eligible, reason = False, "joined-after-freeze"
        rows.append(
            RollRow(
                reference,
                (record["name"] or "").strip(),
                (record["email"] or "").strip(),
                section,
                joined,
                eligible,
                reason,
            )
        )
    return rows
