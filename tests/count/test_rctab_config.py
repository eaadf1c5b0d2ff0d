"""Running RCTab configs: rules mapped to our policy and options; what we refuse, clearly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from omov.count.ballots import DuplicateRule, OvervoteRule
from omov.count.errors import BallotError, BallotFileError, CountError
from omov.count.options import Quota, TieBreakMode
from omov.count.rctab_config import load_rctab_config, run_rctab_config

CASE = "test_set_7_duplicate_skip_to_next"


def _config(data_dir: Path, tmp_path: Path, case: str = CASE, **rules: Any) -> Path:
    case_dir = data_dir / "rctab" / case
    config = json.loads((case_dir / f"{case}_config.json").read_text())
    config["rules"].update(rules)
    config["cvrFileSources"][0]["filePath"] = str(case_dir / f"{case}_cvr.json")
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return path


def test_rules_become_policy_options_and_method(data_dir: Path, tmp_path: Path) -> None:
    contest = load_rctab_config(
        _config(
            data_dir,
            tmp_path,
            tiebreakMode="previousRoundCountsThenRandom",
            overvoteRule="exhaustImmediately",
            exhaustOnDuplicateCandidate=True,
            maxSkippedRanksAllowed="unlimited",
            maxRankingsAllowed="max",
            winnerElectionMode="multiWinnerAllowOnlyOneWinnerPerRound",
            numberOfWinners="2",
            hareQuota=True,
            nonIntegerWinningThreshold=True,
            decimalPlacesForVoteArithmetic="3",
            randomSeed="42",
        )
    )
    assert contest.method == "wigm-one-per-round"
    assert contest.seats == 2
    assert contest.policy.overvote is OvervoteRule.EXHAUST
    assert contest.policy.duplicates is DuplicateRule.EXHAUST
    assert contest.policy.max_skipped_ranks is None
    assert contest.policy.max_rankings is None
    assert contest.options.tie_break is TieBreakMode.PREVIOUS_ROUNDS_THEN_LOT
    assert contest.options.seed == 42
    assert contest.options.quota is Quota.HARE
    assert not contest.options.whole_threshold
    assert contest.options.decimals == 3


def test_the_report_carries_the_configs_contest_details(data_dir: Path) -> None:
    case_dir = data_dir / "rctab" / CASE
    (report,) = run_rctab_config(case_dir / f"{CASE}_config.json")
    assert report.options["rctab_config"]["contest"] == "Test Set 6"  # (sic: RCTab's config)
    assert report.options["rctab_config"]["jurisdiction"] == "TestSets_Single_winner"


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"minimumVoteThreshold": "5"}, "minimumVoteThreshold"),
        ({"winnerElectionMode": "bottomsUpUsingPercentageThreshold"}, "winnerElectionMode"),
        ({"tiebreakMode": "coinToss"}, "tiebreakMode"),
    ],
)
def test_unsupported_rules_are_refused_by_name(
    data_dir: Path, tmp_path: Path, rules: dict[str, str], message: str
) -> None:
    with pytest.raises(CountError, match=message):
        run_rctab_config(_config(data_dir, tmp_path, **rules))


def test_a_name_missing_from_the_config_is_an_error(data_dir: Path, tmp_path: Path) -> None:
    path = _config(data_dir, tmp_path)
    config = json.loads(path.read_text())
    config["candidates"] = config["candidates"][1:]
    path.write_text(json.dumps(config))
    with pytest.raises(BallotFileError, match="is not in the RCTab config"):
        run_rctab_config(path)


def test_an_unreadable_config_fails_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text("{ not json")
    with pytest.raises(BallotFileError) as error:
        run_rctab_config(path)
    assert "cannot read the RCTab config" in str(error.value)
    assert "\n" not in str(error.value)


def test_exhaust_if_multiple_continuing_runs_where_no_paper_is_overvoted(
    data_dir: Path, tmp_path: Path
) -> None:
    rule = "exhaustIfMultipleContinuing"
    contest = load_rctab_config(_config(data_dir, tmp_path, overvoteRule=rule))
    assert contest.policy.overvote is OvervoteRule.EXHAUST_IF_MULTIPLE_CONTINUING
    (report,) = run_rctab_config(_config(data_dir, tmp_path, overvoteRule=rule))
    (skipping,) = run_rctab_config(_config(data_dir, tmp_path, overvoteRule="alwaysSkipToNextRank"))
    assert report.rounds == skipping.rounds


def test_exhaust_if_multiple_continuing_refuses_overvotes_without_their_candidates(
    data_dir: Path, tmp_path: Path
) -> None:
    """The CDF reader keeps only the fact of an overvote, so the rule cannot be applied."""
    config = _config(
        data_dir,
        tmp_path,
        case="test_set_1_exhaust_at_overvote",
        overvoteRule="exhaustIfMultipleContinuing",
    )
    with pytest.raises(BallotError, match="exhaust-if-multiple-continuing"):
        run_rctab_config(config)
