"""The recount and the published reports and BLT files.

The recount runs the count core on the board, under the count setup the bundled rulebook
gives (never the marker's), with the candidates the log says withdrew, and compares it
with each report the count-run entry lists (by digest) figure by figure, and with the
count-run entry's method, seats and winners. The BLT files must hold exactly the board's
ballots, the rulebook's seats and the log's withdrawn candidates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from omov.count import CountReport, count
from omov.count.ballots import BallotSet
from omov.count.errors import CountError
from omov.count.labels import blt_text
from omov.ledger.bundle import (
    BALLOTS,
    BALLOTS_BLT,
    ENTRIES,
    REPORT,
    REPORT_FILES,
    SECTION_DIR,
    section_blt,
    section_subset,
)
from omov.ledger.errors import BundleError
from omov.ledger.verify.blt import read_strict_blt
from omov.ledger.verify.check import Check, Options, failed, passed
from omov.ledger.verify.compare import first_difference
from omov.ledger.verify.evidence import Evidence, json_file


def recount(evidence: Evidence, options: Options) -> Iterator[Check]:
    ballots, facts, setup = evidence.ballots, evidence.facts, evidence.setup
    if ballots is None or facts is None or setup is None:
        yield failed("recount", BALLOTS, "no ballots, log facts and rulebook to recount with")
        return
    try:
        report = count(ballots, method=setup.method, seats=setup.seats, options=setup.options)
    except CountError as error:
        yield failed("recount", BALLOTS, f"the count core refuses the rulebook's count: {error}")
        return
    logged = {"method": facts.method, "seats": facts.seats, "elected": list(facts.elected)}
    recounted = {"method": setup.method, "seats": setup.seats, "elected": list(report.elected)}
    if (difference := first_difference(logged, recounted)) != "":
        yield failed("recount", ENTRIES, f"the count-run entry is not the recount: {difference}")
    yield from _reports(evidence, report)


def _reports(evidence: Evidence, report: CountReport) -> Iterator[Check]:
    from omov.count.reports import REPORT_WRITERS, render_report

    assert evidence.facts is not None
    listed = evidence.facts.reports
    if REPORT not in listed:
        yield failed("recount", REPORT, "the count-run entry lists no native report to compare")
    for rel in sorted(set(listed) - set(REPORT_FILES.values())):
        yield failed("recount", rel, "the count-run entry lists a report this format has not")
    for name, rel in REPORT_FILES.items():
        data = evidence.files.get(rel)
        if rel not in listed:
            if data is not None:
                yield failed("recount", rel, "a report the count-run entry does not list")
            continue
        if data is None or hashlib.sha256(data).hexdigest() != listed[rel]:
            yield failed("recount", rel, "missing, or its SHA-256 differs from the count-run entry")
            continue
        if name not in REPORT_WRITERS:
            yield failed("recount", rel, f"this omov cannot render {name} reports to compare")
            continue
        yield _compare(evidence, rel, render_report(report, name), report)


def _compare(evidence: Evidence, rel: str, rendered: str, report: CountReport) -> Check:
    from omov.ledger import strict_json

    try:
        published = json_file(evidence.files, rel)
    except BundleError as error:
        return failed("recount", rel, str(error).removeprefix(f"{rel}: "))
    difference = first_difference(published, strict_json.loads(rendered.encode(), source=rel))
    if difference:
        return failed("recount", rel, f"the recount differs: {difference}")
    return passed(
        "recount",
        rel,
        f"{len(report.rounds)} rounds, every figure reproduced; "
        f"elected {', '.join(report.elected)}",
    )


def blt(evidence: Evidence, options: Options) -> Iterator[Check]:
    ballots, facts, setup = evidence.ballots, evidence.facts, evidence.setup
    if ballots is None or facts is None or setup is None:
        return
    expected = (facts.title, setup.seats, facts.withdrawn_ids)
    yield _blt_file(evidence, BALLOTS_BLT, ballots, expected, "the same ballots as the board")
    if len(ballots.section_names) < 2:
        return
    bad = []
    for i, label in enumerate(ballots.section_names):
        part = section_subset(ballots, i)
        check = _blt_file(
            evidence, section_blt(i), part, (label, setup.seats, facts.withdrawn_ids), ""
        )
        if not check.ok:
            bad.append(check)
    yield from bad
    if not bad:
        n = len(ballots.section_names)
        yield passed("ballots", f"{SECTION_DIR}/", f"{n} section files match the board")


def _blt_file(
    evidence: Evidence,
    rel: str,
    ballots: BallotSet,
    expected: tuple[str, int, frozenset[int]],
    message: str,
) -> Check:
    data = evidence.files.get(rel)
    if data is None:
        return failed("ballots", rel, "missing")
    try:
        read = read_strict_blt(data)
    except BundleError as error:
        return failed("ballots", rel, f"not the bundle's BLT form: {error}")
    title, seats, withdrawn = expected
    # BLT has no escape for a quote: the writer puts a typographic one (omov.count.labels).
    if read.names != tuple(blt_text(name) for name in ballots.candidates):
        return failed("ballots", rel, "its candidates are not the log's, by name and order")
    if (read.title, read.seats, read.withdrawn) != (blt_text(title), seats, withdrawn):
        return failed(
            "ballots",
            rel,
            "its title, seats or withdrawn candidates are not the log's and rulebook's",
        )
    n = ballots.n_candidates
    if unsectioned(read.rankings, read.weights, n) != unsectioned(
        ballots.rankings, ballots.weights, n
    ):
        return failed("ballots", rel, "the BLT ballots differ from the board")
    return passed("ballots", rel, message or "matches the board")


def unsectioned(rankings: Any, weights: Any, n: int) -> tuple[bytes, bytes]:
    """Ballots as (unique rankings, weights), with sections and stop reasons left out (BLT
    has neither); rankings padded with one stop code to a common width. ``unique_rows``
    sorts, so two sets of the same ballots give the same bytes."""
    from omov.count.compress import unique_rows

    padded = np.full((len(rankings), n + 1), n, dtype=np.int16)
    width = min(rankings.shape[1], n + 1)
    padded[:, :width] = np.minimum(rankings[:, :width], n)
    rows, summed = unique_rows(padded, np.asarray(weights, dtype=np.int64))
    return rows.tobytes(), summed.tobytes()
