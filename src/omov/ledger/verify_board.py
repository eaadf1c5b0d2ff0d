"""The verifier's checks of the board (the published ballots) and the tracker list.

The board must hold exactly the ballots the log says were cast (its Merkle root is in the
results-published entry), in strictly ascending order of random id (a duplicated or
reordered row breaks the order), with one tracker per ballot.
"""

from __future__ import annotations

from collections.abc import Iterator

from omov.ledger.board import Board, normalise_tracker
from omov.ledger.board_file import read_board
from omov.ledger.bundle import BALLOTS, ENTRIES, TRACKERS
from omov.ledger.entries import Entry, EntryKind
from omov.ledger.errors import BundleError
from omov.ledger.verify import Bundle, Check


def read_trackers(bundle: Bundle) -> tuple[str, ...]:
    text = bundle.path(TRACKERS).read_text(encoding="utf-8")
    return tuple(text.splitlines())


def board_checks(bundle: Bundle) -> Iterator[Check]:
    try:
        trackers = read_trackers(bundle)
        bundle.board = read_board(bundle.path(BALLOTS), trackers)
    except (OSError, UnicodeDecodeError, BundleError) as error:
        yield Check(
            "ballots",
            BALLOTS if not isinstance(error, UnicodeDecodeError) else TRACKERS,
            False,
            str(error),
        )
        return
    board = bundle.board
    published = bundle.entry(EntryKind.RESULTS_PUBLISHED)
    closed = bundle.entry(EntryKind.BALLOT_CLOSED)
    ids = board.ids
    if board.size > 1 and not bool((ids[1:] > ids[:-1]).all()):
        yield Check(
            "ballots",
            BALLOTS,
            False,
            "ballots are not in strictly ascending order of random id (reordered or duplicated)",
        )
    if published is None or closed is None:
        yield Check(
            "ballots", ENTRIES, False, "the log has no ballot-closed or results-published entry"
        )
        return
    counts = {
        "board": board.size,
        "ballot-closed": closed["ballots"],
        "results-published": published["ballots"],
    }
    if len(set(counts.values())) != 1:
        yield Check("ballots", BALLOTS, False, f"ballot counts differ: {counts}")
    if board.root().hex() != published["board_root"]:
        yield Check(
            "ballots",
            BALLOTS,
            False,
            "the board's Merkle root differs from the results-published entry",
        )
    else:
        yield Check(
            "ballots",
            BALLOTS,
            True,
            f"{board.size} ballots; the board's root is the one in the log",
        )
    yield from _tracker_list(board, published)


def _tracker_list(board: Board, published: Entry) -> Iterator[Check]:
    trackers = board.trackers
    if list(trackers) != sorted(set(trackers)) or len(trackers) != board.size:
        yield Check(
            "trackers",
            TRACKERS,
            False,
            f"{len(trackers)} trackers for {board.size} ballots, or not sorted and unique",
        )
    elif board.trackers_sha256() != published["trackers_sha256"]:
        yield Check(
            "trackers",
            TRACKERS,
            False,
            "the trackers' SHA-256 differs from the results-published entry",
        )
    elif board.row_trackers and sorted(board.row_trackers) != list(trackers):
        yield Check(
            "trackers", BALLOTS, False, "the board's tracker column differs from trackers.txt"
        )
    else:
        yield Check("trackers", TRACKERS, True, f"{len(trackers)} trackers, one per ballot")


def tracker_check(bundle: Bundle, tracker: str) -> Check:
    wanted = normalise_tracker(tracker)
    board = bundle.board
    if board is None or wanted not in set(board.trackers):
        return Check("your tracker", TRACKERS, False, f"{wanted} is not on the board")
    if board.row_trackers:
        row = board.row_trackers.index(wanted)
        ranking = [board.candidates[c] for c in board.rankings[row] if c < len(board.candidates)]
        return Check(
            "your tracker",
            BALLOTS,
            True,
            f"{wanted} is on the board, ranking {' > '.join(ranking) or '(none)'}",
        )
    return Check("your tracker", TRACKERS, True, f"{wanted} is on the board")
