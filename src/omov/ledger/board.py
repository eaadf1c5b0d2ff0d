"""The ballot board: every ballot, published so that nothing tells when it was cast.

Each ballot carries a random id drawn when it was cast, and the board lists ballots
sorted by that id, with no timestamps, so the order of the board says nothing about the
order of casting (and so nothing about who cast it). Trackers are random too. In
``inclusion`` mode the board lists them apart from the ballots, sorted, so a tracker
shows only that a ballot was counted, not how it voted (it cannot be sold). In
``content`` mode each ballot row carries its tracker, for bodies that prefer each voter
seeing their own ranking counted over protection against vote buying.

Small sections (fewer ballots than the rulebook's minimum) are merged into another
section before anything is published or counted, so nobody is identified by section.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from omov.count.ballots import BallotSet
from omov.ledger.errors import BundleError
from omov.ledger.merkle import leaf_hashes_of_rows, root_of_hashes

MIN_SECTION_DEFAULT = 10
ID_BYTES = 16
TRACKER_BYTES = 10  # 80 bits: 16 base32 characters, unguessable and short enough to read out
TRACKER_WIDTH = 32
"""Bytes a tracker takes in a content-mode board leaf (zero-padded; ours take 19)."""


class TrackerMode(StrEnum):
    INCLUSION = "inclusion"
    CONTENT = "content"


def new_tracker() -> str:
    """A fresh tracker, shown to the voter as four groups of base32 (``ABCD-EFGH-...``)."""
    text = base64.b32encode(secrets.token_bytes(TRACKER_BYTES)).decode()
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def normalise_tracker(text: str) -> str:
    """What a voter types, read generously: case, spaces and dashes do not matter."""
    letters = "".join(ch for ch in text.upper() if ch.isalnum())
    return "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))


def merge_small_sections(counts: Mapping[str, int], minimum: int) -> dict[str, str]:
    """Original section -> published section label.

    Sections with at least ``minimum`` ballots stand alone. The small ones are pooled;
    if the pool reaches the minimum it stands as one section, otherwise it joins the
    smallest section that stands alone (or everything is one section).
    """
    small = sorted(s for s, n in counts.items() if 0 < n < minimum)
    large = sorted((n, s) for s, n in counts.items() if n >= minimum or n == 0)
    mapping = {s: s for s in counts}
    if not small:
        return mapping
    pooled = sum(counts[s] for s in small)
    nonempty = [s for n, s in large if n > 0]
    if len(small) > 1 and pooled >= minimum:
        group = small
    elif nonempty:
        group = [nonempty[0], *small]
    else:
        group = [*small, *(s for _, s in large)]
    label = " + ".join(group)
    for s in group:
        mapping[s] = label
    return mapping


def published_sections(mapping: Mapping[str, str]) -> dict[str, list[str]]:
    """Each published section label with the sections merged into it, for the bundle."""
    groups: dict[str, list[str]] = {}
    for original, label in mapping.items():
        groups.setdefault(label, []).append(original)
    return {label: sorted(parts) for label, parts in sorted(groups.items())}


def relabel_sections(ballots: BallotSet, mapping: Mapping[str, str]) -> BallotSet:
    """The same ballots with each section replaced by its published label."""
    if not ballots.section_names:
        return ballots
    labels = tuple(dict.fromkeys(mapping.get(s, s) for s in ballots.section_names))
    lookup = np.array(
        [labels.index(mapping.get(s, s)) for s in ballots.section_names], dtype=np.int16
    )
    from omov.count.compress import unique_rows

    keys = np.column_stack([lookup[ballots.section_ids], ballots.rankings]).astype(np.int16)
    rows, weights = unique_rows(keys, ballots.weights)
    return BallotSet(
        candidates=ballots.candidates,
        rankings=np.ascontiguousarray(rows[:, 1:]),
        weights=weights,
        section_names=labels,
        section_ids=rows[:, 0].copy(),
        withdrawn=ballots.withdrawn,
        blank_ballots=ballots.blank_ballots,
        title=ballots.title,
        seats=ballots.seats,
    )


@dataclass(frozen=True, eq=False)
class Board:
    """One row per ballot, sorted by ``ids``; rankings as in a ``BallotSet`` (with stops)."""

    candidates: tuple[str, ...]
    section_names: tuple[str, ...]
    ids: npt.NDArray[np.bytes_]
    """Random ballot ids, ``ID_BYTES`` each, ascending."""
    section_ids: npt.NDArray[np.int16]
    rankings: npt.NDArray[np.int16]
    trackers: tuple[str, ...]
    """Sorted. In content mode ``row_trackers`` says which ballot each belongs to."""
    mode: TrackerMode = TrackerMode.INCLUSION
    row_trackers: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        return len(self.ids)

    def leaf_hashes(self) -> list[bytes]:
        """One Merkle leaf per ballot row: id, section and ranking as fixed-width bytes, and
        in content mode the row's tracker too, so that two rows cannot swap trackers (and a
        voter see someone else's ranking) under the root the log holds."""
        return leaf_hashes_of_rows(self.row_bytes(), self.row_size)

    @property
    def row_size(self) -> int:
        tracker = TRACKER_WIDTH if self.mode is TrackerMode.CONTENT else 0
        return ID_BYTES + 2 + 2 * int(self.rankings.shape[1]) + tracker

    def row_bytes(self) -> bytes:
        width = self.rankings.shape[1]
        fields = [("id", f"S{ID_BYTES}"), ("s", ">i2"), ("r", ">i2", (width,))]
        content = self.mode is TrackerMode.CONTENT
        if content:
            fields.append(("t", f"S{TRACKER_WIDTH}"))
        rows = np.empty(self.size, dtype=fields)
        rows["id"], rows["s"], rows["r"] = self.ids, self.section_ids, self.rankings
        if content:
            if len(self.row_trackers) != self.size:
                raise BundleError("in content mode every ballot row carries its tracker")
            encoded = [t.encode() for t in self.row_trackers]
            if any(len(t) > TRACKER_WIDTH for t in encoded):
                raise BundleError(f"a tracker is longer than {TRACKER_WIDTH} characters")
            rows["t"] = encoded
        return rows.tobytes()

    def root(self) -> bytes:
        return root_of_hashes(self.leaf_hashes())

    def trackers_text(self) -> bytes:
        """``trackers.txt``: one tracker a line, sorted."""
        return "".join(f"{t}\n" for t in self.trackers).encode()

    def trackers_sha256(self) -> str:
        """The list is bound into the log by one digest: a voter checks their tracker
        against the whole published list, so no per-tracker proof is needed."""
        return hashlib.sha256(self.trackers_text()).hexdigest()

    def ballot_set(self, withdrawn: frozenset[int] = frozenset()) -> BallotSet:
        """The board's ballots, compressed for a count (``withdrawn``: the candidates the
        log says withdrew, by index)."""
        from omov.count.compress import unique_rows

        keys = np.column_stack([self.section_ids, self.rankings]).astype(np.int16)
        rows, weights = unique_rows(keys, None)
        return BallotSet(
            candidates=self.candidates,
            rankings=np.ascontiguousarray(rows[:, 1:]),
            weights=weights,
            section_names=self.section_names,
            section_ids=rows[:, 0].copy(),
            withdrawn=withdrawn,
        )


def random_ids(n: int) -> npt.NDArray[np.bytes_]:
    return np.frombuffer(secrets.token_bytes(ID_BYTES * n), dtype=f"S{ID_BYTES}").copy()


def board_from_cast(
    ballots: BallotSet,
    *,
    ids: npt.NDArray[np.bytes_],
    row_order: npt.NDArray[np.intp],
    trackers: Sequence[str],
    mode: TrackerMode,
) -> Board:
    """Publish cast ballots: ``row_order[k]`` is the unique-ranking row of the k-th ballot
    cast, ``ids[k]`` and ``trackers[k]`` what it was given. Cast order is then dropped."""
    n = len(row_order)
    if len(ids) != n or len(trackers) != n:
        raise BundleError("every cast ballot needs one id and one tracker")
    if len(np.unique(ids)) != n or len(set(trackers)) != n:
        raise BundleError("ballot ids and trackers must be unique")
    order = np.argsort(ids, kind="stable")
    rows = row_order[order]
    sections = ballots.section_ids if ballots.section_names else np.zeros(n, np.int16)
    row_trackers = tuple(trackers[i] for i in order) if mode is TrackerMode.CONTENT else ()
    return Board(
        candidates=ballots.candidates,
        section_names=ballots.section_names or ("all",),
        ids=ids[order],
        section_ids=sections[rows].astype(np.int16) if ballots.section_names else sections,
        rankings=ballots.rankings[rows],
        trackers=tuple(sorted(trackers)),
        mode=mode,
        row_trackers=row_trackers,
    )


@dataclass(frozen=True)
class CastPaper:
    """One ballot as the web app stores it: no elector, no time."""

    ballot_id: bytes
    """``ID_BYTES`` random bytes (``random_ids``), drawn when the ballot was cast."""
    section: str
    ranking: Sequence[int]
    """Candidate indices in order of preference."""
    tracker: str


def board_from_papers(
    candidates: Sequence[str],
    papers: Sequence[CastPaper],
    *,
    mode: TrackerMode = TrackerMode.INCLUSION,
    min_section: int = MIN_SECTION_DEFAULT,
) -> tuple[Board, dict[str, str]]:
    """The board of stored ballots, small sections merged; also section -> published label."""
    n, count = len(candidates), len(papers)
    counts: dict[str, int] = {}
    for paper in papers:
        counts[paper.section] = counts.get(paper.section, 0) + 1
    mapping = merge_small_sections(counts, min_section)
    labels = tuple(dict.fromkeys(mapping[s] for s in sorted(counts))) or ("all",)
    width = max((len(p.ranking) for p in papers), default=0) + 1
    rankings = np.full((count, width), n, dtype=np.int16)  # n: the 'exhausted' stop code
    for k, paper in enumerate(papers):
        if len(set(paper.ranking)) != len(paper.ranking) or not all(
            0 <= c < n for c in paper.ranking
        ):
            raise BundleError(f"ballot {paper.ballot_id.hex()}: not a ranking of the candidates")
        rankings[k, : len(paper.ranking)] = paper.ranking
    ids = np.array([p.ballot_id for p in papers], dtype=f"S{ID_BYTES}")
    if any(len(p.ballot_id) != ID_BYTES for p in papers):
        raise BundleError(f"a ballot id is {ID_BYTES} random bytes")
    sections = np.array([labels.index(mapping[p.section]) for p in papers], dtype=np.int16)
    ballots = BallotSet(
        candidates=tuple(candidates),
        rankings=rankings,
        weights=np.ones(count, dtype=np.int64),
        section_names=labels,
        section_ids=sections,
    )
    board = board_from_cast(
        ballots,
        ids=ids,
        row_order=np.arange(count, dtype=np.intp),
        trackers=[p.tracker for p in papers],
        mode=mode,
    )
    return board, mapping
