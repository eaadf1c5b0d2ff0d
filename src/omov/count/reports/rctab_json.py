"""RCTab's detailed-report JSON (jsonFormatVersion "1"), the format RCVis draws.

One object per round: ``tally`` (votes of each counted candidate), ``tallyResults`` (who was
elected, then who was eliminated, each with the votes that moved because of it: to a
candidate, ``exhausted`` or ``residual surplus``; ``rctab_rounds`` says which round each
event goes in), cumulative ``inactiveBallots`` by reason and the ``threshold``; then a
``summary``. Every vote figure is a string.

RCTab prints figures as Java ``BigDecimal``s: whole ballots print as integers ("12"), and a
figure that has been through fractional arithmetic keeps the rule's decimal places even
when it is whole ("14866.0000"). A count that tracks which figures those are (WIGM does)
lists them in ``options["rctab"]["fixed"]``; otherwise a figure prints with decimals only
when it is not whole. Figures are truncated at the rule's precision, never rounded up.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from omov.count.policy import Inactive
from omov.count.report import INACTIVE_LABELS, CountReport, format_votes
from omov.count.reports import register_report
from omov.count.reports.rctab_rounds import RctabRound, rctab_rounds

GENERATED_BY = "omov"
_INACTIVE_ORDER = (Inactive.OVERVOTE, Inactive.SKIPPED, Inactive.EXHAUSTED, Inactive.REPEATED)


@register_report("rctab-json")
def write_rctab_json(report: CountReport) -> str:
    return json.dumps(rctab_document(report), indent=2, ensure_ascii=False) + "\n"


def rctab_document(report: CountReport) -> dict[str, Any]:
    """The report as RCTab's JSON structure (plain dicts and lists)."""
    extra: Mapping[str, Any] = report.options.get("rctab", {})
    numbers = _Numbers(report, extra)
    meta = dict(report.options.get("rctab_config", {}))
    config = {
        "contest": meta.get("contest", report.title),
        "date": meta.get("date", ""),
        "generatedBy": GENERATED_BY,
        "jurisdiction": meta.get("jurisdiction", ""),
        "office": meta.get("office", ""),
    }
    rounds = rctab_rounds(report)
    last = rounds[-1] if rounds else None
    results = [_round(r, numbers, extra, r is last) for r in rounds]
    summary = {
        "finalThreshold": numbers.figure(last.number, "threshold", last.threshold)
        if last and last.threshold is not None
        else "",
        "numCandidates": len(report.candidates),
        "numWinners": report.seats,
        "totalNumBallots": numbers.figure(0, "total", report.valid_ballots + report.blank_ballots),
        "undervotes": report.blank_ballots,
    }
    return {"config": config, "jsonFormatVersion": "1", "results": results, "summary": summary}


class _Numbers:
    def __init__(self, report: CountReport, extra: Mapping[str, Any]) -> None:
        self.decimals = report.decimals if report.decimals is not None else 4
        fixed = extra.get("fixed", {})
        self.fixed = {int(k): set(v) for k, v in fixed.items()}

    def figure(self, round_number: int, key: str, value: Fraction | int | None) -> str:
        value = Fraction(value or 0)
        if key in self.fixed.get(round_number, ()) or value.denominator != 1:
            return format_votes(value, self.decimals)
        return str(value.numerator)


def _round(
    round_: RctabRound, numbers: _Numbers, extra: Mapping[str, Any], last: bool
) -> dict[str, Any]:
    n = round_.number
    inactive = {
        INACTIVE_LABELS[reason]: numbers.figure(
            n, f"inactive:{INACTIVE_LABELS[reason]}", round_.inactive.get(reason, Fraction(0))
        )
        for reason in _INACTIVE_ORDER
    }
    if last and "final_round_surplus" in extra:
        inactive["finalRoundSurplus"] = numbers.figure(
            n, "finalRoundSurplus", Fraction(extra["final_round_surplus"])
        )
    return {
        "inactiveBallots": inactive,
        "round": n,
        "tally": {
            name: numbers.figure(n, f"tally:{name}", votes) for name, votes in round_.tally.items()
        },
        "tallyResults": [
            {
                result.kind: result.name,
                "transfers": {
                    dest: numbers.figure(n, f"transfer:{result.name}:{dest}", votes)
                    for dest, votes in result.transfers.items()
                },
            }
            for result in round_.results
        ],
        "threshold": numbers.figure(n, "threshold", round_.threshold),
    }
