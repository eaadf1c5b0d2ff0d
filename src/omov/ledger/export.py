"""Export a verified bundle's ballots for an independent recount.

``omov verify --export DIR`` writes what other tabulators read:

- ``ballots.blt``: every ballot, with the seats the rulebook gives and the candidates the
  log says withdrew (BLT's negative ids), titled as the log titles the contest;
- ``ballots-rctab.csv``: RCTab's generic CSV, one row per ballot (id, published section,
  then the rank given to each candidate);
- ``rctab-config.json``: an RCTab contest configuration reading that CSV, with the
  rulebook's method, seats, tie-break (and its seed) and overvote rule, and the withdrawn
  candidates excluded, where RCTab has the rule (``rctab_rules`` says which it lacks).

Values come from the log and the rulebook (``Evidence.facts`` and ``Evidence.setup``),
never from what the bundle declares. The board keeps each ranking up to where it stops
(an overvote, say), not the marks past it, so the exports carry the same truncation and
RCTab's overvote rule is "exhaust immediately": the rankings, rounds and winners agree,
while another tabulator may file a stopped ballot under another inactive category.
"""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omov.count.options import CountOptions, Quota, TieBreakMode
from omov.ledger.board import Board
from omov.ledger.errors import BundleError

if TYPE_CHECKING:
    from omov.ledger.verify.evidence import Evidence

BLT = "ballots.blt"
RCTAB_CSV = "ballots-rctab.csv"
RCTAB_CONFIG = "rctab-config.json"

RCTAB_TIE_BREAKS = {
    TieBreakMode.PREVIOUS_ROUNDS_THEN_LOT: "previousRoundCountsThenRandom",
    TieBreakMode.CANDIDATE_ORDER: "useCandidateOrder",
    TieBreakMode.LOT: "random",
}
"""omov's tie-breaks RCTab has (RCTab has no 'earliest round, then lot')."""
RCTAB_METHODS = {"irv": "singleWinnerMajority", "wigm": "multiWinnerAllowMultipleWinnersPerRound"}
"""omov's methods RCTab counts (RCTab has no Scottish STV, ERS97, Meek, FPTP or college)."""


def export_bundle(evidence: Evidence, directory: Path) -> list[Path]:
    """Write the exports; ``BundleError`` if the bundle's ballots or facts are unreadable."""
    board, facts, setup = evidence.board, evidence.facts, evidence.setup
    if board is None or facts is None or setup is None or evidence.ballots is None:
        raise BundleError("nothing to export: the ballots, the log or the rulebook is unreadable")
    directory.mkdir(parents=True, exist_ok=True)
    from omov.count.formats.blt import write_blt

    blt = directory / BLT
    write_blt(replace(evidence.ballots, title=facts.title, seats=setup.seats), blt)
    rctab = directory / RCTAB_CSV
    write_rctab_csv(board, rctab)
    written = [blt, rctab]
    rules = rctab_rules(setup.method, setup.seats, setup.options)
    if rules is not None:
        config = rctab_config(facts.title, board.candidates, facts.withdrawn, rules)
        target = directory / RCTAB_CONFIG
        target.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n")
        written.append(target)
    return written


def rctab_rules(method: str, seats: int, options: CountOptions) -> dict[str, Any] | None:
    """RCTab's ``rules`` for the rulebook's count, or None where RCTab lacks the method or
    the tie-break."""
    mode = RCTAB_METHODS.get(method)
    tie_break = RCTAB_TIE_BREAKS.get(options.tie_break)
    if mode is None or tie_break is None or options.minimum_votes or options.stop_at:
        return None
    return {
        "tiebreakMode": tie_break,
        "overvoteRule": "exhaustImmediately",
        "winnerElectionMode": mode,
        "randomSeed": str(options.seed),
        "numberOfWinners": str(seats),
        "decimalPlacesForVoteArithmetic": str(options.decimals or 4),
        "minimumVoteThreshold": "0",
        "maxSkippedRanksAllowed": "unlimited",
        "maxRankingsAllowed": "max",
        "nonIntegerWinningThreshold": not options.whole_threshold,
        "doesFirstRoundDetermineThreshold": False,
        "hareQuota": options.quota is Quota.HARE,
        "batchElimination": options.batch_elimination,
        "continueUntilTwoCandidatesRemain": options.continue_until_two,
        "stopTabulationEarlyAfterRound": "",
        "exhaustOnDuplicateCandidate": True,
        "treatBlankAsUndeclaredWriteIn": False,
        "rulesDescription": "exported by omov verify from the bundle's rulebook",
    }


def rctab_config(
    title: str, candidates: tuple[str, ...], withdrawn: tuple[str, ...], rules: dict[str, Any]
) -> dict[str, Any]:
    return {
        "tabulatorVersion": "2.0.1",  # the first RCTab with the generic CSV provider
        "outputSettings": {
            "contestName": title,
            "outputDirectory": "output",
            "contestDate": "",
            "contestJurisdiction": "",
            "contestOffice": "",
            "tabulateByBatch": False,
            "tabulateByPrecinct": False,
            "generateCdfJson": False,
        },
        "cvrFileSources": [
            {
                "filePath": RCTAB_CSV,
                "contestId": "",
                "firstVoteColumnIndex": "3",
                "firstVoteRowIndex": "2",
                "idColumnIndex": "1",
                "batchColumnIndex": "",
                "precinctColumnIndex": "2",
                "overvoteDelimiter": "",
                "provider": "genericCsv",
                "overvoteLabel": "",
                "skippedRankLabel": "",
                "undeclaredWriteInLabel": "",
                "treatBlankAsUndeclaredWriteIn": False,
            }
        ],
        "candidates": [
            {"name": name, "excluded": name in withdrawn, "aliases": []} for name in candidates
        ],
        "rules": rules,
    }


def write_rctab_csv(board: Board, path: Path) -> None:
    n = len(board.candidates)
    if any(name in ("ballot_id", "section") for name in board.candidates):
        raise BundleError("a candidate named like a CSV id column cannot be exported")
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("w", newline="", encoding="utf-8") as stream:
        out = csv.writer(stream)
        out.writerow(["ballot_id", "section", *board.candidates])
        ids = board.ids.tobytes().hex()
        # The dtype's width, not len(board.ids[0]): NumPy drops an id's trailing zero bytes
        # when it hands one out as a bytes object.
        width = 2 * board.ids.dtype.itemsize
        for k, (section, ranking) in enumerate(
            zip(board.section_ids.tolist(), board.rankings.tolist(), strict=True)
        ):
            cells = [""] * n
            for rank, candidate in enumerate(c for c in ranking if c < n):
                cells[candidate] = str(rank + 1)
            out.writerow([ids[k * width : (k + 1) * width], board.section_names[section], *cells])
    partial.replace(path)
