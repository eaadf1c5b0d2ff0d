"""The other outputs a person or a program reads, against stored texts a reviewer can
read: ``omov rules explain`` (its text and ``--json``), ``omov rules check`` and
``omov roll eligibility`` (its table and ``--json``) on a seeded synthetic electorate.

Regenerate after a deliberate change, and review the diff:

    OMOV_UPDATE_GOLDEN=1 .venv/bin/pytest -q tests/cli/test_outputs_golden.py
"""

from __future__ import annotations

from pathlib import Path

import pytest

from omov.electorate.synthetic import generate
from tests.cli.test_count_golden import compare, run

EXPECTED = Path(__file__).parent / "golden" / "expected-commands"
EVENTS = Path(__file__).parents[1] / "rules" / "events" / "labour-2016.yaml"


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_rules_explain(monkeypatch, capsys, as_json: bool) -> None:
    args = ["rules", "explain", "labour/2016", "--events", str(EVENTS)]
    actual = run(monkeypatch, capsys, *args, *(["--json"] if as_json else []))
    compare(EXPECTED / f"rules-explain-labour-2016.{'json' if as_json else 'txt'}", actual)


def test_rules_check(monkeypatch, capsys) -> None:
    actual = run(monkeypatch, capsys, "rules", "check", "labour/2016")
    compare(EXPECTED / "rules-check-labour-2016.txt", actual)


@pytest.fixture(scope="module")
def rolls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return generate(seed=3, scale=0.01).write_csv(tmp_path_factory.mktemp("rolls"))


@pytest.mark.parametrize("as_json", [False, True], ids=["table", "json"])
def test_roll_eligibility(monkeypatch, capsys, rolls: dict[str, Path], as_json: bool) -> None:
    folder = next(iter(rolls.values())).parent
    monkeypatch.chdir(folder)  # the rolls by their names: the output names no machine path
    args = ["roll", "eligibility", "--members", "members.csv"]
    args += ["--supporters", "registered-supporters.csv"]
    args += ["--affiliates", "affiliated-supporters.csv"]
    actual = run(monkeypatch, capsys, *args, *(["--json"] if as_json else []))
    compare(EXPECTED / f"roll-eligibility.{'json' if as_json else 'txt'}", actual)
