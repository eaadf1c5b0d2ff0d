"""Ballot sets: ranked ballots compressed once into unique rankings with weights.

A reader produces a *rank grid*: one row per ballot, one column per rank, each cell a
candidate id, ``BLANK`` (no mark at that rank) or ``OVERVOTE`` (more than one candidate
marked at that rank). ``BallotSet.from_grid`` applies a ``BallotPolicy`` (how to read
skipped ranks, overvotes and repeated candidates) and compresses the ballots into unique
*clean rankings* with weights. Every count then works on unique rankings, so its cost
follows the number of distinct rankings, not the number of ballots.

A clean ranking lists candidate ids in order of preference and ends in a *stop code*
``n_candidates + reason``: the point at which the ballot becomes inactive and why
(``Inactive``). Padding after the stop repeats it. Keeping the stop in the row lets the
counting kernels tell "ran out of choices" from "reached an overvote" with one
``bincount`` and no special cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from omov.count.errors import BallotError
from omov.count.policy import N_STOPS as N_STOPS
from omov.count.policy import BallotPolicy as BallotPolicy
from omov.count.policy import DuplicateRule as DuplicateRule
from omov.count.policy import Inactive as Inactive
from omov.count.policy import OvervoteRule as OvervoteRule

if TYPE_CHECKING:
    from omov.count.papers import Checked

BLANK = -1
"""Rank grid cell: no candidate marked at this rank."""
OVERVOTE = -2
"""Rank grid cell: more than one candidate marked at this rank."""
OVERVOTE_GROUP_BASE = -3
"""Rank grid cell ``OVERVOTE_GROUP_BASE - g``: the candidates of ``overvote_groups[g]`` marked
at this rank. Readers that know which candidates were overvoted write these (the
exhaust-if-multiple-continuing rule needs them); under the other rules they read as
``OVERVOTE``."""

RankArray = npt.NDArray[np.int16]
WeightArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class BallotSet:
    """Unique clean rankings with weights, optionally labelled with an electorate section.

    ``rankings[i]`` is a clean ranking (candidate ids, then stop codes) held by ``weights[i]``
    ballots of section ``section_ids[i]``. Rows are unique by (ranking, section). The array
    is contiguous in either order: readers that build it rank by rank hand it over
    column-major (one contiguous array per rank, as the counting kernels read it).

    Under the exhaust-if-multiple-continuing overvote rule a ranking may also hold *group
    codes* ``n_candidates + N_STOPS + g`` (``overvote_groups[g]`` marked at one rank), which
    the kernel resolves against the continuing candidates each round. Then the last column
    of every row is the OVERVOTE stop: a ballot that reaches a group with several continuing
    candidates jumps there, so it stays exhausted as RCTab keeps it. Without groups (every
    other rule) rankings hold candidate ids and stop codes only.
    """

    candidates: tuple[str, ...]
    rankings: RankArray
    weights: WeightArray
    section_names: tuple[str, ...] = ()
    section_ids: npt.NDArray[np.int16] = field(default_factory=lambda: np.zeros(0, dtype=np.int16))
    withdrawn: frozenset[int] = frozenset()
    """Candidates withdrawn before the count (BLT's negative ids): never continuing."""
    blank_ballots: int = 0
    """Ballots with no mark at all (RCTab's undervotes); not part of the valid poll."""
    title: str = ""
    seats: int | None = None
    """Seats to fill, where the ballot file says (BLT's header)."""
    overvote_groups: tuple[frozenset[int], ...] = ()
    """Candidates marked together at one rank, by group code (see above)."""
    equal_groups: tuple[frozenset[int], ...] = ()
    """Candidates a paper ranks equal (BLT's ``b=c``), by group code as for overvote groups
    (a ballot set holds one kind or the other): kept as the file gives them, and read by
    each method as its rule says (``omov.count.equal``)."""
    policy: BallotPolicy = field(default_factory=BallotPolicy)
    """The policy the papers were read under (its overvote rule reads equal rankings for
    the methods that take them as overvotes)."""
    tie_order: tuple[int, ...] = ()
    """The order in which lots fall, where the ballot file declares one (BLT's ``[tie]``):
    every candidate id once. A tie the rules leave to lot goes to the earliest here."""
    annotations: tuple[str, ...] = ()
    """Lines the ballot file adds after its title (a source, a comment), as metadata."""
    notes: tuple[str, ...] = ()
    """What the reader read but did not apply (an option of another tabulator), in words
    for the count report."""

    def __post_init__(self) -> None:
        if self.rankings.ndim != 2 or len(self.rankings) != len(self.weights):
            raise BallotError("rankings and weights do not line up")
        if not (self.rankings.flags.c_contiguous or self.rankings.flags.f_contiguous):
            object.__setattr__(self, "rankings", np.ascontiguousarray(self.rankings))
        if len(self.section_ids) != len(self.weights):
            object.__setattr__(self, "section_ids", np.zeros(len(self.weights), dtype=np.int16))

    # -- sizes -------------------------------------------------------------------------
    @property
    def n_candidates(self) -> int:
        return len(self.candidates)

    @property
    def n_unique(self) -> int:
        return len(self.weights)

    @property
    def total(self) -> int:
        """Number of valid ballots (sum of weights)."""
        return int(self.weights.sum())

    @property
    def n_sections(self) -> int:
        return max(1, len(self.section_names))

    def standing(self) -> set[int]:
        """Candidates in the count: every candidate but those withdrawn (a new set, for
        the method to narrow as candidates are elected or excluded)."""
        return set(range(self.n_candidates)) - self.withdrawn

    def stop(self, reason: Inactive) -> int:
        """The stop code for ``reason`` as it appears in ``rankings``."""
        return self.n_candidates + int(reason)

    def group_code(self, group: int) -> int:
        """The code of ``overvote_groups[group]`` (or ``equal_groups[group]``) as it
        appears in ``rankings``."""
        return self.n_candidates + N_STOPS + group

    def first_preferences(self) -> WeightArray:
        """Ballots per candidate at their first mark (stop codes excluded)."""
        counts = np.bincount(
            self.rankings[:, 0], weights=self.weights, minlength=self.n_candidates + N_STOPS
        )
        return counts[: self.n_candidates].astype(np.int64)

    def ranking_names(self, row: int) -> list[str]:
        """The candidates of one unique ranking, in order, for messages and writers."""
        return [self.candidates[c] for c in self.rankings[row] if c < self.n_candidates]

    # -- construction ------------------------------------------------------------------
    @classmethod
    def from_rankings(
        cls,
        candidates: Sequence[str],
        rankings: Sequence[Sequence[int]],
        *,
        weights: Sequence[int] | None = None,
        sections: Sequence[str] | None = None,
        policy: BallotPolicy | None = None,
        title: str = "",
        overvote_groups: Sequence[frozenset[int]] = (),
        equal_groups: Sequence[frozenset[int]] = (),
    ) -> BallotSet:
        """Build from small Python lists (tests, web forms). Ids index ``candidates``;
        ``OVERVOTE_GROUP_BASE - g`` marks ``overvote_groups[g]`` (or ranks
        ``equal_groups[g]`` equal) at one rank."""
        width = max((len(r) for r in rankings), default=0)
        grid = np.full((len(rankings), max(width, 1)), BLANK, dtype=np.int16)
        for i, ranking in enumerate(rankings):
            grid[i, : len(ranking)] = ranking
        section_names: tuple[str, ...] = ()
        section_ids = None
        if sections is not None:
            section_names = tuple(dict.fromkeys(sections))
            lookup = {name: i for i, name in enumerate(section_names)}
            section_ids = np.array([lookup[s] for s in sections], dtype=np.int16)
        return cls.from_grid(
            candidates,
            grid,
            weights=None if weights is None else np.asarray(weights, dtype=np.int64),
            section_ids=section_ids,
            section_names=section_names,
            policy=policy,
            title=title,
            overvote_groups=overvote_groups,
            equal_groups=equal_groups,
        )

    @classmethod
    def from_grid(
        cls,
        candidates: Sequence[str],
        grid: npt.NDArray[np.integer],
        *,
        weights: npt.NDArray[np.integer] | None = None,
        section_ids: npt.NDArray[np.integer] | None = None,
        section_names: Sequence[str] = (),
        withdrawn: frozenset[int] = frozenset(),
        policy: BallotPolicy | None = None,
        title: str = "",
        seats: int | None = None,
        overvote_groups: Sequence[frozenset[int]] = (),
        equal_groups: Sequence[frozenset[int]] = (),
    ) -> BallotSet:
        """Compress a rank grid (one row per ballot) under ``policy``; group cells
        ``OVERVOTE_GROUP_BASE - g`` name the candidates ``overvote_groups[g]``, or those of
        ``equal_groups[g]`` (a reader gives one kind or the other)."""
        from omov.count.compress import compress_grid

        return compress_grid(
            cls,
            tuple(candidates),
            grid,
            weights=weights,
            section_ids=section_ids,
            section_names=tuple(section_names),
            withdrawn=withdrawn,
            policy=policy or BallotPolicy(),
            title=title,
            seats=seats,
            overvote_groups=tuple(overvote_groups),
            equal_groups=tuple(equal_groups),
        )

    @classmethod
    def from_codes(
        cls,
        candidates: Sequence[str],
        codes: npt.NDArray[np.int16],
        *,
        weights: npt.NDArray[np.int64],
        section_ids: npt.NDArray[np.integer] | None = None,
        section_names: Sequence[str] = (),
        withdrawn: frozenset[int] = frozenset(),
        policy: BallotPolicy | None = None,
        title: str = "",
        seats: int | None = None,
        checked: Checked | None = None,
    ) -> BallotSet:
        """Compress rows a reader has grouped itself: distinct, in order, as cell codes
        (``compress.compress_codes``), so they are not grouped again; ``codes`` is taken
        over (it may become the rankings). ``checked``: the papers checked already."""
        from omov.count.compress import compress_codes

        return compress_codes(
            cls,
            tuple(candidates),
            codes,
            weights=weights,
            section_ids=section_ids,
            section_names=tuple(section_names),
            withdrawn=withdrawn,
            policy=policy or BallotPolicy(),
            title=title,
            seats=seats,
            checked=checked,
        )
