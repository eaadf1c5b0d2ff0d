"""Running an RCTab contest config as it is.

An RCTab config (``*_config.json``) names its cast vote record files (``cvrFileSources``,
relative to the config), its candidates with aliases and exclusions, and its rules. We
read the files, map every name through the aliases (an unknown name is an error, as in
RCTab), turn the rules into a ``BallotPolicy``, ``CountOptions`` and a counting method, and
count. The report carries the config's contest, date, jurisdiction and office in
``CountReport.options["rctab_config"]`` so the rctab-json writer can emit them.

Multi-pass IRV ("sequential") fills seats one IRV at a time, each pass excluding the
winners of the passes before; it returns one report per pass, as RCTab does.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from omov.count.ballots import BLANK, BallotPolicy, BallotSet, DuplicateRule, OvervoteRule
from omov.count.errors import BallotFileError, CountError
from omov.count.formats.cdf import CastVoteRecords, parse_cdf
from omov.count.formats.clear_ballot import parse_clear_ballot
from omov.count.formats.dominion import parse_dominion
from omov.count.formats.ess_xlsx import parse_ess_xlsx, records_from_names
from omov.count.formats.rctab_csv import parse_rctab_csv
from omov.count.methods import count
from omov.count.methods.irv import UNDECLARED_WRITE_INS
from omov.count.options import CountOptions, Quota, TieBreakMode
from omov.count.report import CountReport

__all__ = [
    "RctabContest",
    "ballots_from_records",
    "count_contest",
    "load_rctab_config",
    "read_sources",
    "records_from_names",
    "run_rctab_config",
]

_TIE_BREAKS = {
    "random": TieBreakMode.LOT,
    "generatePermutation": TieBreakMode.LOT,
    "useCandidateOrder": TieBreakMode.CANDIDATE_ORDER,
    "previousRoundCountsThenRandom": TieBreakMode.PREVIOUS_ROUNDS_THEN_LOT,
    # Interactive modes ask an officer only when a tie arises; with no one to ask we fall
    # back to the nearest rule that needs no answer (the report records each tie-break).
    "stopCountingAndAsk": TieBreakMode.LOT,
    "previousRoundCountsThenAsk": TieBreakMode.PREVIOUS_ROUNDS_THEN_LOT,
}
_OVERVOTE_RULES = {
    "exhaustImmediately": OvervoteRule.EXHAUST,
    "alwaysSkipToNextRank": OvervoteRule.SKIP,
    # Needs the candidates of each overvote: a cast vote record reader that keeps only
    # the fact of an overvote makes the ballots refuse it, naming the rule.
    "exhaustIfMultipleContinuing": OvervoteRule.EXHAUST_IF_MULTIPLE_CONTINUING,
}
_METHODS = {
    "singleWinnerMajority": "irv",
    "multiWinnerAllowMultipleWinnersPerRound": "wigm",
    "multiWinnerAllowOnlyOneWinnerPerRound": "wigm-one-per-round",
    "bottomsUp": "wigm-bottoms-up",
    "multiPassIrv": "irv",
}


@dataclass(frozen=True)
class RctabContest:
    """An RCTab config, read and checked, ready to count."""

    path: Path
    meta: Mapping[str, str]
    candidates: tuple[str, ...]
    excluded: frozenset[int]
    lookup: Mapping[str, int]
    """Candidate name or alias -> candidate id."""
    sources: tuple[Mapping[str, Any], ...]
    policy: BallotPolicy
    options: CountOptions
    method: str
    seats: int
    sequential: bool
    by_precinct: bool
    """outputSettings.tabulateByPrecinct: tally every round per precinct (as sections)."""
    passes: int
    """Multi-pass IRV: how many passes (seats)."""


def run_rctab_config(path: Path) -> list[CountReport]:
    contest = load_rctab_config(path)
    return count_contest(contest, read_sources(contest))


def load_rctab_config(path: Path) -> RctabContest:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BallotFileError(path, None, f"cannot read the RCTab config: {error}") from None
    rules: Mapping[str, Any] = raw.get("rules", {})
    output: Mapping[str, Any] = raw.get("outputSettings", {})
    sources = tuple(raw.get("cvrFileSources", []))
    candidates, excluded, lookup = _candidates(path, raw.get("candidates", []), sources)
    mode = str(rules.get("winnerElectionMode", "singleWinnerMajority"))
    if mode not in _METHODS:
        raise CountError(f"{path}: winnerElectionMode {mode!r} is not supported")
    _refuse_unsupported(path, rules)
    seats = _whole(rules.get("numberOfWinners"), 1)
    return RctabContest(
        path=Path(path),
        meta={
            "contest": str(output.get("contestName", "")),
            "date": str(output.get("contestDate", "")),
            "jurisdiction": str(output.get("contestJurisdiction", "")),
            "office": str(output.get("contestOffice", "")),
        },
        candidates=candidates,
        excluded=excluded,
        lookup=lookup,
        sources=sources,
        policy=_policy(rules, len(candidates)),
        options=_options(path, rules),
        method=_METHODS[mode],
        seats=1 if mode in ("singleWinnerMajority", "multiPassIrv") else seats,
        sequential=mode == "multiPassIrv",
        by_precinct=bool(output.get("tabulateByPrecinct")),
        passes=seats,
    )


def read_sources(contest: RctabContest) -> BallotSet:
    """Every cast vote record file of the config, joined, with names mapped to candidates."""
    records = [_read_source(contest, source) for source in contest.sources]
    return ballots_from_records(contest, records)


def ballots_from_records(
    contest: RctabContest, records: Sequence[tuple[Path, CastVoteRecords]]
) -> BallotSet:
    """Join the files' ballots, names mapped to the config's candidates. When every file
    labels its rows (``CastVoteRecords.sections``), the labels become electorate sections, so
    each round is also tallied per label, as RCTab's "tabulate by precinct" does."""
    width = max((r.grid.shape[1] for _, r in records), default=1)
    grids, weights = [], []
    labels = [r.sections for _, r in records]
    for path, record in records:
        ids = np.array([_candidate_id(contest, path, name) for name in record.names] + [0])
        grid = np.full((len(record.grid), width), BLANK, dtype=np.int16)
        cells = record.grid
        mapped = np.where(cells >= 0, ids[np.clip(cells, 0, None)], cells)
        grid[:, : cells.shape[1]] = mapped
        grids.append(grid)
        weights.append(
            np.ones(len(grid), dtype=np.int64) if record.weights is None else record.weights
        )
    section_names: tuple[str, ...] = ()
    section_ids = None
    if records and all(label is not None for label in labels):
        every = [name for label in labels for name in label or ()]
        section_names = tuple(sorted(set(every)))
        lookup = {name: i for i, name in enumerate(section_names)}
        section_ids = np.array([lookup[name] for name in every], dtype=np.int16)
    return BallotSet.from_grid(
        contest.candidates,
        np.vstack(grids) if grids else np.zeros((0, 1), dtype=np.int16),
        weights=np.concatenate(weights) if weights else None,
        section_ids=section_ids,
        section_names=section_names,
        withdrawn=contest.excluded,
        policy=contest.policy,
        title=contest.meta["contest"],
    )


def count_contest(contest: RctabContest, ballots: BallotSet) -> list[CountReport]:
    """Count as the config says; one report, or one per pass for multi-pass IRV."""
    if not contest.sequential:
        return [
            _with_meta(
                contest,
                count(ballots, method=contest.method, seats=contest.seats, options=contest.options),
            )
        ]
    reports: list[CountReport] = []
    winners: set[int] = set()
    for _ in range(contest.passes):
        pass_ballots = dataclasses.replace(
            ballots, withdrawn=ballots.withdrawn | frozenset(winners)
        )
        report = count(pass_ballots, method="irv", options=contest.options)
        reports.append(_with_meta(contest, report))
        winners |= {contest.candidates.index(name) for name in report.elected}
    return reports


# -- config pieces -------------------------------------------------------------------------
def _candidates(
    path: Path, entries: Sequence[Mapping[str, Any]], sources: Sequence[Mapping[str, Any]]
) -> tuple[tuple[str, ...], frozenset[int], dict[str, int]]:
    names: list[str] = []
    excluded: set[int] = set()
    lookup: dict[str, int] = {}
    for entry in entries:
        name = str(entry.get("name", "")).strip()
        if not name or name in lookup:
            raise CountError(f"{path}: candidate {name!r} is missing or named twice")
        lookup[name] = len(names)
        for alias in entry.get("aliases") or []:
            lookup[str(alias)] = len(names)
        if entry.get("excluded"):
            excluded.add(len(names))
        names.append(name)
    labels = {str(s.get("undeclaredWriteInLabel") or "") for s in sources} - {""}
    if labels:
        uwi = len(names)
        names.append(UNDECLARED_WRITE_INS)
        lookup.update(dict.fromkeys(labels, uwi))
    return tuple(names), frozenset(excluded), lookup


def _refuse_unsupported(path: Path, rules: Mapping[str, Any]) -> None:
    if _whole(rules.get("minimumVoteThreshold"), 0) > 0:
        raise CountError(f"{path}: minimumVoteThreshold is not supported")
    if str(rules.get("stopTabulationEarlyAfterRound") or "").strip():
        raise CountError(f"{path}: stopTabulationEarlyAfterRound is not supported")
    if rules.get("doesFirstRoundDetermineThreshold"):
        raise CountError(f"{path}: doesFirstRoundDetermineThreshold is not supported")


def _policy(rules: Mapping[str, Any], n_candidates: int) -> BallotPolicy:
    skipped = str(rules.get("maxSkippedRanksAllowed", "unlimited"))
    rankings = str(rules.get("maxRankingsAllowed", "max"))
    return BallotPolicy(
        overvote=_OVERVOTE_RULES.get(str(rules.get("overvoteRule")), OvervoteRule.SKIP),
        max_skipped_ranks=int(skipped) if skipped.isdigit() else None,
        duplicates=DuplicateRule.EXHAUST
        if rules.get("exhaustOnDuplicateCandidate")
        else DuplicateRule.SKIP,
        max_rankings=int(rankings) if rankings.isdigit() else None,
    )


def _options(path: Path, rules: Mapping[str, Any]) -> CountOptions:
    mode = str(rules.get("tiebreakMode", "useCandidateOrder"))
    if mode not in _TIE_BREAKS:
        raise CountError(f"{path}: tiebreakMode {mode!r} is not supported")
    return CountOptions(
        tie_break=_TIE_BREAKS[mode],
        seed=_whole(rules.get("randomSeed"), 0),
        batch_elimination=bool(rules.get("batchElimination")),
        continue_until_two=bool(rules.get("continueUntilTwoCandidatesRemain")),
        quota=Quota.HARE if rules.get("hareQuota") else Quota.DROOP,
        whole_threshold=not rules.get("nonIntegerWinningThreshold"),
        decimals=_whole(rules.get("decimalPlacesForVoteArithmetic"), 4),
    )


def _whole(value: Any, default: int) -> int:
    text = str(value if value is not None else "").strip()
    return int(text) if text.lstrip("-").isdigit() else default


def _read_source(contest: RctabContest, source: Mapping[str, Any]) -> tuple[Path, CastVoteRecords]:
    path = (contest.path.parent / str(source.get("filePath", ""))).resolve()
    provider = str(source.get("provider", ""))
    if provider == "cdf":
        return path, parse_cdf(path, str(source.get("contestId") or "") or None)
    if provider == "genericCsv":
        return path, parse_rctab_csv(
            path,
            first_vote_column=_whole(source.get("firstVoteColumnIndex"), 2),
            first_vote_row=_whole(source.get("firstVoteRowIndex"), 2),
            precinct_column=_precinct_column(contest, source),
        )
    if provider == "dominion":
        return path, parse_dominion(path, str(source.get("contestId") or ""))
    if provider == "clearBallot":
        return path, parse_clear_ballot(path, str(source.get("contestId") or ""))
    if provider == "ess":
        return path, parse_ess_xlsx(
            path,
            first_vote_column=_whole(source.get("firstVoteColumnIndex"), 2),
            first_vote_row=_whole(source.get("firstVoteRowIndex"), 2),
            ranks=contest.policy.max_rankings,
            overvote_label=str(source.get("overvoteLabel") or ""),
            skipped_label=str(source.get("skippedRankLabel") or ""),
            precinct_column=_precinct_column(contest, source),
        )
    raise CountError(f"{contest.path}: {provider or 'unnamed'} cast vote records are not supported")


def _precinct_column(contest: RctabContest, source: Mapping[str, Any]) -> int | None:
    column = _whole(source.get("precinctColumnIndex"), 0)
    return column if contest.by_precinct and column > 0 else None


def _candidate_id(contest: RctabContest, path: Path, name: str) -> int:
    found = contest.lookup.get(name)
    if found is None:
        raise BallotFileError(path, None, f"candidate {name!r} is not in the RCTab config")
    return found


def _with_meta(contest: RctabContest, report: CountReport) -> CountReport:
    return dataclasses.replace(
        report, options={**report.options, "rctab_config": dict(contest.meta)}
    )
