"""``omov roll eligibility --json``: the figures a returning officer publishes, for a
program to read (format ``omov-eligibility``, version 1; ``docs/cli.md``).

Stable: every reason is listed for every section, zero or not, in the order that decides
which reason a record is counted under; sections come in the order of the options.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

    from omov.electorate.criteria import DateUsed
    from omov.electorate.roll import Roll

FORMAT = "omov-eligibility"
VERSION = 1


def eligibility_record(
    *,
    rulebook: str,
    as_of: datetime,
    sections: list[str],
    figures: pl.DataFrame,
    dates: list[DateUsed],
    rolls: dict[str, Roll],
) -> dict[str, Any]:
    """``figures`` is the exclusion table (a row per reason, then eligible and total; a
    column per section, then total)."""
    rows = {str(row["reason"]): row for row in figures.iter_rows(named=True)}
    reasons = [name for name in rows if name not in ("eligible", "total")]

    def figures_of(column: str) -> dict[str, Any]:
        return {
            "records": int(rows["total"][column]),
            "eligible": int(rows["eligible"][column]),
            "excluded": {reason: int(rows[reason][column]) for reason in reasons},
        }

    return {
        "format": FORMAT,
        "version": VERSION,
        "rulebook": rulebook,
        "as_of": as_of.isoformat(),
        "sections": [
            {
                "section": name,
                "source": rolls[name].source,
                "skipped_rows": len(rolls[name].skipped),
                **figures_of(name),
            }
            for name in sections
        ],
        "total": figures_of("total"),
        "dates_used": [
            {
                "section": used.section,
                "check": used.check,
                "date": used.value.isoformat(),
                "source": used.source,
            }
            for used in dates
        ],
    }
