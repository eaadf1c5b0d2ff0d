"""The count report as CSV: one row per figure, ready for a spreadsheet or a diff.

Columns: ``round, section, row, name, votes, status``.

- ``row = candidate``: a candidate's votes in the round; ``status`` is ``elected`` (in
  this round or before), ``excluded`` (likewise) or ``continuing``.
- ``row = inactive``: inactive votes by reason (RCTab's names), cumulative.
- ``row = residual surplus`` and ``row = threshold``: where the count has them.
- ``section`` is empty for the whole count; rows with a section name are that section's
  share of the round (candidates and inactive).

Votes are decimal strings at the report's precision, as published.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from fractions import Fraction

from omov.count.policy import Inactive
from omov.count.report import INACTIVE_LABELS, CountReport, Round, format_votes
from omov.count.reports import register_report

COLUMNS = ("round", "section", "row", "name", "votes", "status")


@register_report("csv")
def render_csv(report: CountReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(report_rows(report))
    return out.getvalue()


def report_rows(report: CountReport) -> Iterator[tuple[str, ...]]:
    elected: set[str] = set()
    excluded: set[str] = set()
    for round_ in report.rounds:
        elected.update(round_.elected)
        excluded.update(round_.excluded)
        yield from _round_rows(report, round_, elected, excluded)


def _round_rows(
    report: CountReport, round_: Round, elected: set[str], excluded: set[str]
) -> Iterator[tuple[str, ...]]:
    number = str(round_.number)

    def votes(value: Fraction) -> str:
        return format_votes(value, report.decimals)

    for name, value in round_.tallies.items():
        status = "elected" if name in elected else "excluded" if name in excluded else "continuing"
        yield number, "", "candidate", name, votes(value), status
    for reason in Inactive:
        if reason in round_.inactive:
            yield (
                number,
                "",
                "inactive",
                INACTIVE_LABELS[reason],
                votes(round_.inactive[reason]),
                "",
            )
    if round_.residual_surplus:
        yield number, "", "residual surplus", "", votes(round_.residual_surplus), ""
    if round_.threshold is not None:
        yield number, "", "threshold", "", votes(round_.threshold), ""
    for section, figures in round_.sections.items():
        for name, value in figures.tallies.items():
            yield number, section, "candidate", name, votes(value), ""
        yield number, section, "inactive", "", votes(figures.inactive), ""
