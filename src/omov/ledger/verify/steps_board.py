"""The board (the published ballots) and the trackers, against the log.

The board must hold exactly the ballots the log says were cast: as many as the close
entry says, in the sections the close entry's counts and the rulebook's minimum give
(merged where small), under the candidates the ballot-opened entry named, with the Merkle
root the results-published entry holds, in strictly ascending order of random id (a
duplicated or reordered row breaks the order), and one tracker each.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from omov.ledger.board import Board, merge_small_sections, normalise_tracker, published_sections
from omov.ledger.bundle import BALLOTS, TRACKERS
from omov.ledger.logged import LoggedFacts
from omov.ledger.verify.check import Check, Options, failed, passed
from omov.ledger.verify.evidence import Evidence


def board(evidence: Evidence, options: Options) -> Iterator[Check]:
    found, facts = evidence.board, evidence.facts
    if found is None or facts is None:
        return
    problems = list(board_problems(found, facts))
    for problem in problems:
        yield failed("ballots", BALLOTS, problem)
    if not problems:
        yield passed(
            "ballots",
            BALLOTS,
            f"{found.size} ballots in {len(found.section_names)} published section(s); "
            "the board's root is the one in the log",
        )
    yield from _tracker_list(found, facts)


def expected_sections(facts: LoggedFacts) -> dict[str, int]:
    """Published section label -> ballots, as the close entry and the minimum give."""
    cast = {s: n for s, n in facts.cast.items() if n > 0}
    groups = published_sections(merge_small_sections(cast, facts.min_section))
    return {label: sum(cast[p] for p in parts) for label, parts in groups.items()}


def board_problems(found: Board, facts: LoggedFacts) -> Iterator[str]:
    if found.candidates != facts.candidates:
        yield "the board's candidates are not the ballot-opened entry's, by name and order"
    if found.mode.value != facts.trackers:
        yield f"the board is in {found.mode} mode; the log says {facts.trackers}"
    ids = found.ids
    if found.size > 1 and not bool((ids[1:] > ids[:-1]).all()):
        yield "ballots are not in strictly ascending order of random id (reordered or duplicated)"
    counts = {"board": found.size, "ballot-closed": facts.ballots}
    counts["results-published"] = facts.published_ballots
    if len(set(counts.values())) != 1:
        yield f"ballot counts differ: {counts}"
    per_label = np.bincount(found.section_ids, minlength=len(found.section_names))
    board_sections = {
        label: int(n) for label, n in zip(found.section_names, per_label.tolist(), strict=True)
    }
    wanted = expected_sections(facts)
    shown = {label: n for label, n in board_sections.items() if n > 0}
    if shown != wanted:
        yield f"published sections {shown} are not those the log gives {wanted}"
    if found.root().hex() != facts.board_root:
        yield "the board's Merkle root differs from the results-published entry"


def _tracker_list(found: Board, facts: LoggedFacts) -> Iterator[Check]:
    trackers = found.trackers
    if not strictly_rising(trackers) or len(trackers) != found.size:
        yield failed(
            "trackers",
            TRACKERS,
            f"{len(trackers)} trackers for {found.size} ballots, or not sorted and unique",
        )
    elif found.trackers_sha256() != facts.trackers_sha256:
        yield failed("trackers", TRACKERS, "the SHA-256 differs from the results-published entry")
    elif found.row_trackers and sorted(found.row_trackers) != list(trackers):
        yield failed("trackers", BALLOTS, "the board's tracker column differs from trackers.txt")
    else:
        yield passed("trackers", TRACKERS, f"{len(trackers)} trackers, one per ballot")


def strictly_rising(texts: tuple[str, ...]) -> bool:
    """Sorted and unique, compared in bulk (a million trackers: one NumPy comparison)."""
    values = np.array(texts, dtype=str)
    return bool((values[1:] > values[:-1]).all())


def tracker(evidence: Evidence, options: Options) -> Iterator[Check]:
    """``--tracker T``: the voter's tracker is on the board (with its ranking in content
    mode, which the board's root binds to the row)."""
    if options.tracker is None:
        return
    wanted = normalise_tracker(options.tracker)
    found = evidence.board
    if found is None or wanted not in set(found.trackers):
        yield failed("your tracker", TRACKERS, f"{wanted} is not on the board")
        return
    if found.row_trackers:
        row = found.row_trackers.index(wanted)
        n = len(found.candidates)
        ranking = [found.candidates[c] for c in found.rankings[row] if c < n]
        yield passed(
            "your tracker",
            BALLOTS,
            f"{wanted} is on the board, ranking {' > '.join(ranking) or '(none)'}",
        )
        return
    yield passed("your tracker", TRACKERS, f"{wanted} is on the board")
