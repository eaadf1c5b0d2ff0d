"""RCTab's own test cases: our rctab-json report must equal RCTab's expected detailed report.

Every case in tests/data/rctab whose cast vote records we read is run from its config
as it is (``run_rctab_config``) and compared structurally with RCTab's
``*_expected_detailed_report.json``, ignoring only ``generatedBy`` and ``GeneratedDate``
(RCTab's own harness ignores the same). The Minneapolis cases' CVRs are large ES&S
spreadsheets; to keep the suite fast, a small adapter below reads their CSV conversions in
tests/data/minneapolis (precinct, rank1..3, count) with the config's own labels, and
one test runs the 2013 mayor's config as it is, spreadsheet and all.

Upstream cases not copied into tests/data/rctab, with the reason:
"""

from __future__ import annotations

import gzip
import io
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from omov.count.errors import BallotFileError
from omov.count.rctab_config import (
    ballots_from_records,
    count_contest,
    load_rctab_config,
    records_from_names,
    run_rctab_config,
)
from omov.count.reports.rctab_json import rctab_document
from tests.count.reports.rcvis import assert_rcvis_accepts

CONFIG_CASES = [
    "test_set_0_skipped_first_choice",
    "test_set_1_exhaust_at_overvote",
    "test_set_2_overvote_skip_to_next",
    "test_set_3_skipped_choice_exhaust",
    "test_set_4_skipped_choice_next",
    "test_set_5_two_skipped_choice_exhaust",
    "test_set_6_duplicate_exhaust",
    "test_set_7_duplicate_skip_to_next",
    "test_set_8_multi_cdf",
    "aliases_cdf_json",
    "test_set_multi_winner_fractional_threshold",
    "test_set_multi_winner_whole_threshold",
    "generic_csv_test",
    "csv_missing_header_test",
    "2015_portland_mayor",
    "minneapolis_multi_seat_threshold",
    "test_set_allow_only_one_winner_per_round",
    "clear_ballot_kansas_primary",
    "clear_ballot_with_inline_comma",
    "dominion_alaska",
    "dominion_multi_file",
    "dominion_no_precinct_data",
    "dominion_wyoming",
    "2024_alaska_dominion",
]
"""Cases whose CVRs are NIST CDF JSON, RCTab generic CSV, Clear Ballot CSV, Dominion JSON
or small ES&S spreadsheets: run from the config as it is."""

MINNEAPOLIS_CASES = {
    "2013_minneapolis_mayor": "2013_minneapolis_mayor_cvr.csv.gz",
    "2013_minneapolis_park": "2013_minneapolis_park_at_large_cvr.csv.gz",
    "2013_minneapolis_park_hare": "2013_minneapolis_park_at_large_cvr.csv.gz",
    "2013_minneapolis_park_bottoms_up": "2013_minneapolis_park_at_large_cvr.csv.gz",
    "2013_minneapolis_park_sequential": "2013_minneapolis_park_at_large_cvr.csv.gz",
    "2017_minneapolis_mayor": "2017_minneapolis_mayor_cvr.csv.gz",
}
"""Cases whose ES&S CVR spreadsheet we read from its CSV conversion."""

LEFT_OUT = {
    "2018_maine_governor_primary": "the CVR is absent from the snapshot",
    "conversions_from_cdf": "a CVR conversion test (no detailed report)",
    "conversions_from_dominion": "a CVR conversion test (no detailed report)",
    "conversions_from_ess": "a CVR conversion test (no detailed report)",
}
EXPECTED_ONLY = ["2018_maine_governor_primary"]
"""Left out above, but RCTab's expected report is copied: tests/count/reports reads every
report RCTab wrote (rcvformats must accept them)."""
__doc__ = (__doc__ or "") + "".join(f"- {case}: {why}\n" for case, why in LEFT_OUT.items())


def _comparable(document: dict[str, Any]) -> dict[str, Any]:
    document = json.loads(json.dumps(document))
    document.get("config", {}).pop("generatedBy", None)
    document.pop("GeneratedDate", None)
    return document


def _expected(case_dir: Path, name: str) -> dict[str, Any]:
    return _comparable(json.loads((case_dir / name).read_text(encoding="utf-8")))


@pytest.mark.parametrize("case", CONFIG_CASES)
def test_config_case_matches_rctab(data_dir: Path, case: str) -> None:
    case_dir = data_dir / "rctab" / case
    reports = run_rctab_config(case_dir / f"{case}_config.json")
    assert len(reports) == 1
    assert_rcvis_accepts(reports[0])
    expected = _expected(case_dir, f"{case}_expected_detailed_report.json")
    assert _comparable(rctab_document(reports[0])) == expected


def _minneapolis_ballots(data_dir: Path, case: str, by_precinct: set[str] | None = None) -> Any:
    """The config's ballots, read from the CSV conversion of its ES&S spreadsheet; with
    ``by_precinct``, those precincts become sections (the rest one "other" section)."""
    contest = load_rctab_config(data_dir / "rctab" / case / f"{case}_config.json")
    (source,) = contest.sources
    path = data_dir / "minneapolis" / MINNEAPOLIS_CASES[case]
    frame = pl.read_csv(io.BytesIO(gzip.decompress(path.read_bytes())), infer_schema=False)
    ranks = frame.select([c for c in frame.columns if c.startswith("rank")]).fill_null("")
    records = records_from_names(
        ranks.to_numpy(),
        overvote_label=str(source["overvoteLabel"]),
        skipped_label=str(source["skippedRankLabel"]),
        weights=frame["count"].cast(pl.Int64).to_numpy(),
        sections=None
        if by_precinct is None
        else [p if p in by_precinct else "other" for p in frame["precinct"].to_list()],
    )
    return contest, ballots_from_records(contest, [(path, records)])


@pytest.mark.parametrize("case", sorted(MINNEAPOLIS_CASES))
def test_minneapolis_case_matches_rctab(data_dir: Path, case: str) -> None:
    contest, ballots = _minneapolis_ballots(data_dir, case)
    reports = count_contest(contest, ballots)
    case_dir = data_dir / "rctab" / case
    if contest.sequential:
        names = [f"{case}_{i}_expected_detailed_report.json" for i in range(1, len(reports) + 1)]
    else:
        names = [f"{case}_expected_detailed_report.json"]
    assert len(reports) == len(names)
    for report, name in zip(reports, names, strict=True):
        assert_rcvis_accepts(report)
        assert _comparable(rctab_document(report)) == _expected(case_dir, name), name


@pytest.mark.parametrize("case", ["2013_minneapolis_mayor", "2017_minneapolis_mayor"])
def test_per_precinct_tallies_match_rctab_tabulate_by_precinct(data_dir: Path, case: str) -> None:
    """RCTab's "Tabulate by Precinct" reports: every round's tallies and inactive ballots
    within one precinct, which our per-section figures must reproduce."""
    folder = data_dir / "rctab" / case / "Tabulate by Precinct"
    expected = {}
    for path in sorted(folder.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        expected[document["config"]["precinct"]] = document["results"]
    assert expected
    contest, ballots = _minneapolis_ballots(data_dir, case, set(expected))
    (report,) = count_contest(contest, ballots)
    for precinct, rounds in expected.items():
        assert len(report.rounds) == len(rounds)
        for ours, theirs in zip(report.rounds, rounds, strict=True):
            figures = ours.sections[precinct]
            assert {k: str(v) for k, v in figures.tallies.items()} == theirs["tally"]
            inactive = sum(int(v) for v in theirs["inactiveBallots"].values())
            assert figures.inactive == inactive, (precinct, ours.number)


def test_multi_seat_per_precinct_figures_match_rctab(data_dir: Path) -> None:
    """WIGM per section against RCTab's per-precinct report: earlier winners hold what the
    precinct's ballots kept with them; inactive includes the final round surplus."""
    case_dir = data_dir / "rctab" / "minneapolis_multi_seat_threshold"
    (report,) = run_rctab_config(case_dir / "minneapolis_multi_seat_threshold_config.json")
    name = "minneapolis_multi_seat_threshold_expected_pc2_precinct_detailed_report.json"
    expected = json.loads((case_dir / "Tabulate by Precinct" / name).read_text(encoding="utf-8"))
    assert len(report.rounds) == len(expected["results"])
    for ours, theirs in zip(report.rounds, expected["results"], strict=True):
        figures = ours.sections["pc2"]
        assert figures.tallies == {k: Fraction(v) for k, v in theirs["tally"].items()}
        inactive = sum(Fraction(v) for v in theirs["inactiveBallots"].values())
        assert figures.inactive == inactive, ours.number


def test_mayor_2013_runs_from_its_config_and_spreadsheet_as_they_are(data_dir: Path) -> None:
    case_dir = data_dir / "rctab" / "2013_minneapolis_mayor"
    (report,) = run_rctab_config(case_dir / "2013_minneapolis_mayor_config.json")
    expected = _expected(case_dir, "2013_minneapolis_mayor_expected_detailed_report.json")
    assert _comparable(rctab_document(report)) == expected


def test_mayor_2013_is_hodges_in_round_33(data_dir: Path) -> None:
    contest, ballots = _minneapolis_ballots(data_dir, "2013_minneapolis_mayor")
    (report,) = count_contest(contest, ballots)
    assert report.elected == ("BETSY HODGES",)
    assert len(report.rounds) == 33
    assert ballots.blank_ballots == 639


def test_every_copied_case_is_run(data_dir: Path) -> None:
    cases = {p.name for p in (data_dir / "rctab").iterdir() if p.is_dir() and p.name != "_shared"}
    assert cases == set(CONFIG_CASES) | set(MINNEAPOLIS_CASES) | set(EXPECTED_ONLY)
    for case in EXPECTED_ONLY:
        assert [p.name for p in (data_dir / "rctab" / case).iterdir()] == [
            f"{case}_expected_detailed_report.json"
        ]


def test_unknown_candidate_in_a_cdf_file_names_the_file(tmp_path: Path, data_dir: Path) -> None:
    case_dir = data_dir / "rctab" / "test_set_1_exhaust_at_overvote"
    cvr = json.loads((case_dir / "test_set_1_exhaust_at_overvote_cvr.json").read_text())
    selection = cvr["CVR"][3]["CVRSnapshot"][0]["CVRContest"][0]["CVRContestSelection"][0]
    selection["ContestSelectionId"] = "cs-nobody"
    (tmp_path / "cvr.json").write_text(json.dumps(cvr))
    config = json.loads((case_dir / "test_set_1_exhaust_at_overvote_config.json").read_text())
    config["cvrFileSources"][0]["filePath"] = "cvr.json"
    (tmp_path / "config.json").write_text(json.dumps(config))
    with pytest.raises(BallotFileError) as error:
        run_rctab_config(tmp_path / "config.json")
    assert "cvr.json" in str(error.value)
    assert "CVR 4" in str(error.value)
    assert "cs-nobody" in str(error.value)
