"""Equal rankings: what a paper that ranks several candidates at one rank means under a
counting method, which the method's rule decides, not the ballot file.

A ballot set keeps a file's equal rankings as it found them (``BallotSet.equal_groups``:
BLT's ``b=c``). Each method registers what they mean under its rule:

- ``SPLIT``: the paper's value at that rank is shared equally among the continuing
  candidates ranked there, and each share goes on past the rank by itself (Meek, as
  Droop counts it; the method reads the groups itself).
- ``OVERVOTE``: an equal ranking is an overvote, read under the ballot set's overvote rule
  (``--overvote``): the paper stops there (``exhaust``; the Scottish rules' and ERS97's
  "void for uncertainty": non-transferable from that point), passes over it (``skip``),
  or counts for its one continuing candidate and stops if several continue
  (``exhaust-if-multiple-continuing``). RCTab-style IRV, WIGM, the Scottish rules, ERS97,
  first past the post and the college have no equal rankings, so they read them so.
- ``REFUSED``: the rule gives equal rankings no meaning, so the count is refused.

``read_for`` turns a ballot set into what a method reads and says, in a line for the
report, how many papers it affected.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt

from omov.count.ballots import BallotSet, Inactive, OvervoteRule
from omov.count.catalogue import EqualRankings
from omov.count.compress import unique_rows
from omov.count.errors import MethodError

_READINGS = {
    OvervoteRule.EXHAUST: "each stops counting at its equal ranking",
    OvervoteRule.SKIP: "each passes over its equal ranking",
    OvervoteRule.EXHAUST_IF_MULTIPLE_CONTINUING: (
        "each counts for the one continuing candidate of its equal ranking, and stops "
        "for good if several continue"
    ),
}


def ranking_equal(ballots: BallotSet) -> npt.NDArray[np.bool_]:
    """The rows that rank candidates equal somewhere."""
    if not ballots.equal_groups:
        return np.zeros(ballots.n_unique, dtype=np.bool_)
    return np.asarray((ballots.rankings >= ballots.group_code(0)).any(axis=1))


def read_for(ballots: BallotSet, method: str, meaning: EqualRankings) -> tuple[BallotSet, str]:
    """``ballots`` as ``method`` reads them, and a note on the papers its equal rankings
    affected ("" if none has one)."""
    equal = ranking_equal(ballots)
    if not equal.any():
        return ballots, ""
    papers = int(ballots.weights[equal].sum())
    counted = f"{papers} papers rank" if papers != 1 else "1 paper ranks"
    counted += " candidates equal"
    if meaning is EqualRankings.REFUSED:
        raise MethodError(
            f"{method} gives equal rankings no meaning, and {counted}; count them by a method "
            "that does (meek shares them equally; irv reads them as overvotes)"
        )
    if meaning is EqualRankings.SPLIT:
        shared = "the continuing candidates ranked equal share each such paper equally"
        return ballots, f"{counted}: {method} reads them as its rule does: {shared}"
    rule = ballots.policy.overvote
    note = f"{counted}: {method} reads an equal ranking as an overvote ({rule}): {_READINGS[rule]}"
    return as_overvotes(ballots, equal), note


def as_overvotes(ballots: BallotSet, equal: npt.NDArray[np.bool_]) -> BallotSet:
    """The ballot set with its equal rankings read as overvotes under its overvote rule;
    ``equal``: the rows that have one."""
    rule = ballots.policy.overvote
    if rule is OvervoteRule.EXHAUST_IF_MULTIPLE_CONTINUING:
        # The kernel reads overvote groups so; a row that meets several continuing
        # candidates jumps to the last column, which holds the OVERVOTE stop for good.
        sticky = np.full((ballots.n_unique, 1), ballots.stop(Inactive.OVERVOTE), np.int16)
        return dataclasses.replace(
            ballots,
            rankings=np.hstack([ballots.rankings, sticky]),
            overvote_groups=ballots.equal_groups,
            equal_groups=(),
        )
    rankings = np.array(ballots.rankings, order="C")  # a copy to read the rows into
    first_group = ballots.group_code(0)
    for row in np.flatnonzero(equal):
        cells = rankings[row]
        if rule is OvervoteRule.EXHAUST:
            at = int(np.argmax(cells >= first_group))
            cells[at:] = ballots.stop(Inactive.OVERVOTE)
        else:
            kept = cells[cells < first_group]
            cells[: len(kept)] = kept
            cells[len(kept) :] = kept[-1]  # the row's stop, repeated as padding
    keys, weights = unique_rows(np.column_stack([ballots.section_ids, rankings]), ballots.weights)
    used = _columns_used(keys[:, 1:], ballots.n_candidates)
    return dataclasses.replace(
        ballots,
        rankings=np.ascontiguousarray(keys[:, 1 : 1 + used]),
        weights=weights,
        section_ids=keys[:, 0].copy(),
        equal_groups=(),
    )


def _columns_used(rankings: npt.NDArray[np.int16], n_candidates: int) -> int:
    """Columns up to and including the first stop of the longest ranking (every clean
    ranking has one)."""
    if not len(rankings):
        return 1
    return int(np.argmax(rankings >= n_candidates, axis=1).max()) + 1
