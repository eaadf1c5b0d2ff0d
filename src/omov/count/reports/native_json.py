"""omov's own count report as JSON: everything a ``CountReport`` holds, round by round.

Every vote figure is a decimal string at the report's precision (``format_votes``:
truncated to the rule's decimals, or whole / six decimals where the rule fixes none), so
the JSON shows exactly what a count sheet would publish and never passes through a float.

``report_record`` gives the plain dict the JSON is made of, and ``report_from_json`` reads
the JSON back (checking its format and version), so a recount compares with a published
report as ``report_record(recount) == report_from_json(published)``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from omov.count.errors import CountError
from omov.count.policy import Inactive
from omov.count.report import INACTIVE_LABELS, CountReport, Round, TieBreak, Transfer, format_votes
from omov.count.reports import register_report

FORMAT = "omov-count-report"
VERSION = 1


@register_report("json")
def render_json(report: CountReport) -> str:
    return json.dumps(report_record(report), indent=2, ensure_ascii=False) + "\n"


def report_from_json(text: str | bytes) -> dict[str, Any]:
    """A report written by ``render_json``, as the dict ``report_record`` would give."""
    try:
        record = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CountError(f"not a count report: {error}") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise CountError(f"not a count report: the format is not {FORMAT!r}")
    if record.get("version") != VERSION:
        raise CountError(f"count report version {record.get('version')!r}; this reads {VERSION}")
    return record


def report_record(report: CountReport) -> dict[str, Any]:
    """The report as plain JSON values (lists, dicts, strings, numbers)."""

    def votes(value: Fraction | None) -> str | None:
        return None if value is None else format_votes(value, report.decimals)

    record = {
        "format": FORMAT,
        "version": VERSION,
        "title": report.title,
        "method": report.method,
        "seats": report.seats,
        "candidates": list(report.candidates),
        "sections": list(report.sections),
        "decimals": report.decimals,
        "valid_ballots": votes(report.valid_ballots),
        "blank_ballots": report.blank_ballots,
        "quota": votes(report.quota),
        "elected": list(report.elected),
        "options": dict(report.options),
        "notes": list(report.notes),
        "annotations": list(report.annotations),
        "rounds": [_round(r, votes) for r in report.rounds],
    }
    # Through JSON once, so the record equals what ``report_from_json`` reads back.
    loaded: dict[str, Any] = json.loads(json.dumps(record, default=str))
    return loaded


def _round(round_: Round, votes: Any) -> dict[str, Any]:
    return {
        "number": round_.number,
        "tallies": _figures(round_.tallies, votes),
        "inactive": {
            INACTIVE_LABELS[reason]: votes(round_.inactive[reason])
            for reason in Inactive
            if reason in round_.inactive
        },
        "inactive_total": votes(round_.inactive_total),
        "residual_surplus": votes(round_.residual_surplus),
        "threshold": votes(round_.threshold),
        "elected": list(round_.elected),
        "excluded": list(round_.excluded),
        "transfers": [_transfer(t, votes) for t in round_.transfers],
        "tie_breaks": [_tie_break(t) for t in round_.tie_breaks],
        "sections": {
            name: {"tallies": _figures(figures.tallies, votes), "inactive": votes(figures.inactive)}
            for name, figures in round_.sections.items()
        },
        "note": round_.note,
    }


def _figures(tallies: Mapping[str, Fraction], votes: Any) -> dict[str, str]:
    return {name: votes(value) for name, value in tallies.items()}


def _transfer(transfer: Transfer, votes: Any) -> dict[str, Any]:
    return {
        "source": transfer.source,
        "kind": transfer.kind,
        "transfer_value": None
        if transfer.transfer_value is None
        else exact(transfer.transfer_value),
        "to": _figures(transfer.to, votes),
        "total": votes(transfer.total),
    }


def exact(value: Fraction) -> str:
    """A value with nothing cut off: a decimal where it terminates soon, else ``p/q``."""
    for places in range(13):
        if (value * 10**places).denominator == 1:
            return format_votes(value, places)
    return f"{value.numerator}/{value.denominator}"


def _tie_break(tie: TieBreak) -> dict[str, Any]:
    return {
        "purpose": tie.purpose,
        "tied": list(tie.tied),
        "chosen": tie.chosen,
        "resolved_by": tie.resolved_by,
    }
