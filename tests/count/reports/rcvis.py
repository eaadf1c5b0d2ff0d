"""What RCVis asks of an RCTab detailed report, checked with rcvformats, the library RCVis
reads reports through, and of every ``tallyResults`` entry, checked against the tallies.

rcvformats' schema (0.0.46, its ``universaltabulator.schema.json``) predates some fields
that RCTab's own reports carry; its objects allow no other fields, so these are set aside
before the check, and nothing else is:
- top level: ``jsonFormatVersion`` and ``summary``;
- ``config``: ``generatedBy`` (RCTab's own reports fail the schema on it, too);
- each round: ``inactiveBallots`` and ``threshold``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from rcvformats.schemas.universaltabulator import SchemaV0

from omov.count import CountReport
from omov.count.report import EXHAUSTED
from omov.count.reports.rctab_json import rctab_document
from omov.count.reports.rctab_rounds import RctabRound, rctab_rounds

PREDATED = {
    (): ("jsonFormatVersion", "summary"),
    ("config",): ("generatedBy",),
    ("results", "*"): ("inactiveBallots", "threshold"),
}


def as_rcvformats_knows_it(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document less the fields rcvformats' schema predates."""
    known = copy.deepcopy(dict(document))
    for where, fields in PREDATED.items():
        for part in _parts(known, where):
            for name in fields:
                part.pop(name, None)
    return known


def _parts(document: dict[str, Any], where: tuple[str, ...]) -> list[dict[str, Any]]:
    parts = [document]
    for key in where:
        parts = [item for part in parts for item in (part if key == "*" else [part[key]])]
    return parts


def rcvformats_errors(document: Mapping[str, Any], *, set_aside: bool = True) -> str | None:
    """rcvformats' schema and logic checks: None if it passes, else its complaint."""
    schema = SchemaV0()
    if schema.validate(as_rcvformats_knows_it(document) if set_aside else dict(document)):
        return None
    return str(schema.last_error()).partition("\n")[0]


def assert_rcvis_accepts(report: CountReport) -> None:
    """The report's RCTab JSON passes rcvformats, and its entries account for every vote."""
    document = rctab_document(report)
    error = rcvformats_errors(document)
    assert error is None, f"{report.method}: rcvformats refuses the report: {error}"
    assert_transfers_account_for_the_tallies(report)


def assert_transfers_account_for_the_tallies(report: CountReport) -> None:
    """In every round: each entry's transfers add up to what its candidate lost by the next
    round, every candidate who lost votes has an entry, and what each candidate still
    counted gained is what the entries sent it; exactly, at the report's own precision."""
    rounds = rctab_rounds(report)
    for this, after in zip(rounds, (*rounds[1:], None), strict=True):
        later = this.tally if after is None else after.tally
        lost = {name: votes - later.get(name, Fraction(0)) for name, votes in this.tally.items()}
        sent: dict[str, Fraction] = {}
        received: dict[str, Fraction] = {}
        for result in this.results:
            sent[result.name] = sent.get(result.name, Fraction(0)) + result.total
            for dest, votes in result.transfers.items():
                assert votes >= 0, (this.number, result.name, dest)
                received[dest] = received.get(dest, Fraction(0)) + votes
        where = f"{report.method} round {this.number}"
        for name, fall in lost.items():
            assert sent.get(name, Fraction(0)) == max(fall, Fraction(0)), (where, name)
        for name, votes in later.items():
            gain = votes - this.tally.get(name, Fraction(0))
            if gain >= 0:
                assert received.get(name, Fraction(0)) == gain, (where, name)
        assert set(received) <= set(later) | {EXHAUSTED, "residual surplus"}, where
        if after is not None:
            inactive = _inactive(report, after, rounds) - _inactive(report, this, rounds)
            assert received.get(EXHAUSTED, Fraction(0)) == inactive, where


def _inactive(report: CountReport, round_: RctabRound, rounds: tuple[RctabRound, ...]) -> Fraction:
    """Inactive votes, and in the last round RCTab's final round surplus (the votes left on
    the winners' ballots when the count stops, which RCTab reports as exhausted transfers)."""
    total = sum(round_.inactive.values(), Fraction(0))
    if round_ is rounds[-1]:
        total += Fraction(report.options.get("rctab", {}).get("final_round_surplus", 0))
    return total
