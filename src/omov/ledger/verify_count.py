"""The verifier's checks of the rulebook, the electorate and the count.

The recount runs the count core on the published board, under the count setup the
bundled rulebook gives, and compares the rendered native JSON with the published report
figure by figure, so a changed tally, a dropped ballot or a changed rule all show up as
the first figure that differs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from omov.count import CountOptions, count
from omov.count.errors import CountError
from omov.count.options import Quota, TieBreakMode
from omov.ledger.bundle import (
    BALLOTS,
    BALLOTS_BLT,
    ELECTORATE,
    MARKER,
    REPORT,
    REPORT_FILES,
    RULEBOOK,
    SECTION_DIR,
    section_blt,
    section_subset,
    sha256_file,
)
from omov.ledger.entries import EntryKind
from omov.ledger.verify import Bundle, Check, _json


def options_from_record(record: Mapping[str, Any]) -> CountOptions:
    """The inverse of ``CountOptions.as_record``."""
    values = dict(record)
    values["tie_break"] = TieBreakMode(
        values.get("tie_break", TieBreakMode.PREVIOUS_ROUNDS_THEN_LOT)
    )
    values["quota"] = Quota(values.get("quota", Quota.DROOP))
    values["meek_omega"] = Fraction(values.get("meek_omega", "1/1000000"))
    values["minimum_votes"] = {int(k): int(v) for k, v in values.get("minimum_votes", {}).items()}
    values["section_weights"] = {
        k: Fraction(v) for k, v in values.get("section_weights", {}).items()
    }
    return CountOptions(**values)


def _setup(bundle: Bundle) -> tuple[str, int, CountOptions]:
    setup = bundle.marker["count"]
    return str(setup["method"]), int(setup["seats"]), options_from_record(setup["options"])


# -- rulebook -------------------------------------------------------------------------
def rulebook_checks(bundle: Bundle) -> Iterator[Check]:
    path = bundle.path(RULEBOOK)
    loaded = bundle.entry(EntryKind.RULEBOOK_LOADED)
    if not path.is_file():
        yield Check("rulebook", RULEBOOK, False, "missing")
        return
    digest = sha256_file(path)
    if loaded is None or loaded["sha256"] != digest:
        yield Check(
            "rulebook",
            RULEBOOK,
            False,
            "its SHA-256 differs from the rulebook-loaded entry in the log",
        )
    else:
        yield Check(
            "rulebook", RULEBOOK, True, f"edition {loaded['edition']}, the one the log records"
        )
    yield from _rulebook_setup(bundle, path)


def _rulebook_setup(bundle: Bundle, path: Path) -> Iterator[Check]:
    """Where the rulebook parses, it must give the count setup the bundle ran with."""
    try:
        from omov.rules.counting import count_setup
        from omov.rules.errors import RulebookError
        from omov.rules.loading import load_rulebook
    except ImportError:
        return
    try:
        setup = count_setup(load_rulebook(path))
    except RulebookError as error:
        yield Check("rulebook", RULEBOOK, False, f"not a valid rulebook: {error}")
        return
    except Exception as error:  # a foreign or truncated file must never give a traceback
        yield Check(
            "rulebook", RULEBOOK, False, f"cannot be read as a rulebook ({type(error).__name__})"
        )
        return
    try:
        method, seats, options = _setup(bundle)
    except (KeyError, TypeError, ValueError) as error:
        yield Check("count setup", MARKER, False, f"unreadable count setup ({error})")
        return
    ours = (method, seats, options.as_record())
    theirs = (setup[0], setup[1], setup[2].as_record())
    if ours != theirs:
        what = _first_difference(
            {"method": theirs[0], "seats": theirs[1], "options": theirs[2]},
            {"method": ours[0], "seats": ours[1], "options": ours[2]},
        )
        yield Check("count setup", RULEBOOK, False, f"the rulebook gives a different count: {what}")
    else:
        yield Check(
            "count setup", RULEBOOK, True, f"{method}, {seats} seat(s), as the rulebook says"
        )


# -- electorate -----------------------------------------------------------------------
def electorate_checks(bundle: Bundle) -> Iterator[Check]:
    data = _json(bundle.path(ELECTORATE))
    try:
        sections: dict[str, dict[str, Any]] = data["sections"]
        totals = data["totals"]
        problems = list(_electorate_problems(bundle, sections, totals))
    except (TypeError, KeyError, AttributeError):
        yield Check("electorate", ELECTORATE, False, "missing or not an electorate statistics file")
        return
    for problem in problems:
        yield Check("electorate", ELECTORATE, False, problem)
    if not problems:
        yield Check(
            "electorate",
            ELECTORATE,
            True,
            f"{totals['eligible']} eligible, {totals['credentials_issued']} credentials; sums hold",
        )


def _electorate_problems(
    bundle: Bundle, sections: dict[str, Any], totals: dict[str, Any]
) -> Iterator[str]:
    for name, s in sections.items():
        if s["on_roll"] - sum(s["excluded"].values()) != s["eligible"]:
            yield f"{name}: on the roll minus exclusions is not the eligible figure"
        if not 0 <= s["credentials_issued"] <= s["eligible"]:
            yield f"{name}: {s['credentials_issued']} credentials for {s['eligible']} eligible"
    for key in ("on_roll", "eligible", "credentials_issued"):
        if sum(s[key] for s in sections.values()) != totals[key]:
            yield f"the sections' {key} do not add up to the total {totals[key]}"
    frozen = bundle.entry(EntryKind.ELECTORATE_FROZEN)
    issued = bundle.entry(EntryKind.CREDENTIALS_ISSUED)
    if frozen is None or dict(frozen["eligible"]) != {
        n: s["eligible"] for n, s in sections.items()
    }:
        yield "eligible electors differ from the electorate-frozen entry in the log"
    if issued is None or dict(issued["issued"]) != {
        n: s["credentials_issued"] for n, s in sections.items()
    }:
        yield "credentials differ from the credentials-issued entry in the log"
    yield from _ballots_within_credentials(bundle, sections)


def _ballots_within_credentials(bundle: Bundle, sections: dict[str, Any]) -> Iterator[str]:
    board = bundle.board
    if board is None:
        return
    import numpy as np

    groups: dict[str, list[str]] = bundle.marker.get("sections", {})
    cast = np.bincount(board.section_ids, minlength=len(board.section_names))
    minimum = int(bundle.marker.get("min_section", 0))
    for i, label in enumerate(board.section_names):
        parts = groups.get(label, [label])
        credentials = sum(sections.get(p, {}).get("credentials_issued", 0) for p in parts)
        if int(cast[i]) > credentials:
            yield f"{label}: {int(cast[i])} ballots but {credentials} credentials issued"
        if 0 < int(cast[i]) < minimum and len(board.section_names) > 1:
            yield f"{label}: {int(cast[i])} ballots, under the minimum {minimum}, not merged"


# -- count ----------------------------------------------------------------------------
def count_checks(bundle: Bundle) -> Iterator[Check]:
    board = bundle.board
    if board is None:
        yield Check("recount", BALLOTS, False, "no readable ballots to recount")
        return
    try:
        method, seats, options = _setup(bundle)
        ballots = board.ballot_set()
        report = count(ballots, method=method, seats=seats, options=options)
    except (CountError, KeyError, TypeError, ValueError) as error:
        yield Check("recount", MARKER, False, f"the count core refuses the bundled count: {error}")
        return
    yield from _report_checks(bundle, report)
    yield from _blt_check(bundle, ballots)


def _report_checks(bundle: Bundle, report: Any) -> Iterator[Check]:
    from omov.count.reports import REPORT_WRITERS, render_report

    run = bundle.entry(EntryKind.COUNT_RUN)
    listed = set(bundle.marker.get("reports", []))
    for name, rel in REPORT_FILES.items():
        path = bundle.path(rel)
        if rel not in listed and not path.exists():
            continue
        if name not in REPORT_WRITERS:
            yield Check("recount", rel, False, f"this omov cannot render {name} reports to compare")
            continue
        if rel == REPORT:
            digest = sha256_file(path) if path.is_file() else ""
            if run is None or run["report_sha256"] != digest:
                yield Check(
                    "recount", rel, False, "its SHA-256 differs from the count-run entry in the log"
                )
        try:
            published = json.loads(path.read_bytes())
        except (OSError, ValueError, UnicodeDecodeError):
            yield Check("recount", rel, False, "missing or not JSON")
            continue
        difference = _first_difference(published, json.loads(render_report(report, name)))
        if difference:
            yield Check("recount", rel, False, f"the recount differs: {difference}")
        else:
            yield Check(
                "recount",
                rel,
                True,
                f"{len(report.rounds)} rounds, every figure reproduced; "
                f"elected {', '.join(report.elected)}",
            )


def _blt_check(bundle: Bundle, ballots: Any) -> Iterator[Check]:
    from omov.count.formats import READERS, read_ballots

    path = bundle.path(BALLOTS_BLT)
    if not path.exists() or "blt" not in READERS:
        return
    try:
        other = read_ballots(path, format="blt")
    except CountError as error:
        yield Check("ballots", BALLOTS_BLT, False, f"not readable: {error}")
        return
    if _unsectioned(ballots) != _unsectioned(other) or ballots.candidates != other.candidates:
        yield Check("ballots", BALLOTS_BLT, False, "the BLT ballots differ from the board")
    else:
        yield Check("ballots", BALLOTS_BLT, True, "the same ballots as the board")
    if len(ballots.section_names) > 1:
        yield from _section_blt_checks(bundle, ballots)


def _section_blt_checks(bundle: Bundle, ballots: Any) -> Iterator[Check]:
    from omov.count.formats import read_ballots

    bad = []
    for i, label in enumerate(ballots.section_names):
        rel = section_blt(i)
        try:
            part = read_ballots(bundle.path(rel), format="blt")
        except CountError as error:
            bad.append(Check("ballots", rel, False, f"not readable: {error}"))
            continue
        if part.title != label or _unsectioned(part) != _unsectioned(section_subset(ballots, i)):
            bad.append(Check("ballots", rel, False, f"differs from the board's section {label!r}"))
    yield from bad
    if not bad:
        n = len(ballots.section_names)
        yield Check("ballots", f"{SECTION_DIR}/", True, f"{n} section files match the board")


def _unsectioned(ballots: Any) -> tuple[bytes, bytes]:
    """Ballots as (unique rankings, weights), with sections and stop reasons left out (BLT
    has neither); rankings padded with one stop code to a common width. ``unique_rows``
    sorts, so two sets of the same ballots give the same bytes."""
    import numpy as np

    from omov.count.compress import unique_rows

    n = ballots.n_candidates
    rankings = np.full((len(ballots.rankings), n + 1), n, dtype=np.int16)
    width = min(ballots.rankings.shape[1], n + 1)
    rankings[:, :width] = np.minimum(ballots.rankings[:, :width], n)
    rows, weights = unique_rows(rankings, ballots.weights)
    return rows.tobytes(), weights.tobytes()


def _first_difference(published: Any, recount: Any, path: str = "") -> str:
    """'' if equal; else the first path where they differ and both values."""
    if isinstance(published, dict) and isinstance(recount, dict):
        for key in list(published) + [k for k in recount if k not in published]:
            if key not in recount or key not in published:
                return f"{path}.{key}: present in only one of published and recount"
            found = _first_difference(published[key], recount[key], f"{path}.{key}")
            if found:
                return found
        return ""
    if isinstance(published, list) and isinstance(recount, list):
        if len(published) != len(recount):
            return f"{path}: {len(published)} items published, {len(recount)} on recount"
        for i, (a, b) in enumerate(zip(published, recount, strict=True)):
            found = _first_difference(a, b, f"{path}[{i}]")
            if found:
                return found
        return ""
    if published != recount:
        return f"{path.lstrip('.')}: published {published!r}, recount {recount!r}"
    return ""
