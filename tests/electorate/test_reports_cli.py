"""Reports (personal statement, exclusion table) and the ``omov roll`` commands."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from omov.cli import app
from omov.cli import commands as _commands  # noqa: F401  (registers ``omov roll``)
from omov.electorate import appeals
from omov.electorate.eligibility import Reason, assess
from omov.electorate.errors import ElectorateError, RollError
from omov.electorate.reports import exclusion_table, personal_statement
from omov.electorate.schema import Section
from omov.electorate.synthetic import generate


@pytest.fixture(scope="module")
def small() -> tuple[object, object]:
    electorate = generate(seed=1, scale=0.02)
    return electorate, assess(electorate.rolls, electorate.criteria, vetting=electorate.vetting)


def _first(assessment: object, section: str, reason: str | None) -> str:
    records = assessment.records  # type: ignore[attr-defined]
    wanted = pl.col("reason").is_null() if reason is None else pl.col("reason") == reason
    return str(records.filter(wanted & (pl.col("section") == section))["record_id"][0])


def test_statement_for_an_excluded_person_names_grounds_and_appeal_deadline(small: tuple) -> None:
    electorate, assessment = small
    record_id = _first(assessment, "supporters", "excluded_by_vetting")
    case = next(c for c in electorate.vetting if c.record_id == record_id)
    statement = personal_statement(assessment, "supporters", record_id, vetting=electorate.vetting)
    assert not statement.eligible
    assert f"excluded by vetting decision {case.decision}" in statement.text()
    assert case.grounds.value.replace("_", " ") in statement.text()
    assert statement.appeal_by == appeals.appeal_deadline(case.excluded_at(), 7)
    lodged = appeals.appeal_vetting(
        case, "A9", appeal_days=7, at=case.excluded_at(), actor="me", statement="wrong"
    )
    again = personal_statement(
        assessment, "supporters", record_id, vetting=electorate.vetting, appeals=[lodged]
    )
    assert "Your appeal A9 is lodged." in again.text()


def test_statement_for_a_duplicate_points_at_the_record_that_votes(small: tuple) -> None:
    _, assessment = small
    record_id = _first(assessment, "supporters", "duplicate")
    keeper = assessment.record("supporters", record_id)["duplicate_of"]
    statement = personal_statement(assessment, "supporters", record_id)
    assert keeper.replace(":", " record ") in statement.text()
    assert statement.appeal_by is None
    eligible = personal_statement(assessment, "members", _first(assessment, "members", None))
    assert eligible.eligible
    assert "will receive a ballot" in eligible.text()
    with pytest.raises(ElectorateError, match="no record 'nobody'"):
        personal_statement(assessment, "members", "nobody")


def test_table_lists_every_reason_even_when_zero(small: tuple) -> None:
    _, assessment = small
    table = exclusion_table(
        assessment.__class__(assessment.criteria, datetime(2016, 1, 1), assessment.records.head(0))
    )
    assert table["reason"].to_list() == [*(r.value for r in Reason), "eligible", "total"]
    assert table["total"].sum() == 0


@pytest.fixture(scope="module")
def rolls(tmp_path_factory: pytest.TempPathFactory) -> dict[Section, Path]:
    return generate(seed=3, scale=0.01).write_csv(tmp_path_factory.mktemp("rolls"))


def test_roll_eligibility_prints_the_table(rolls: dict[Section, Path], tmp_path: Path) -> None:
    out = tmp_path / "decisions.csv"
    result = CliRunner().invoke(
        app,
        [
            "roll",
            "eligibility",
            "--members",
            str(rolls[Section.MEMBERS]),
            "--supporters",
            str(rolls[Section.SUPPORTERS]),
            "--affiliates",
            str(rolls[Section.AFFILIATES]),
            "--decisions",
            str(out),
        ],
        terminal_width=200,
    )
    assert result.exit_code == 0, result.output
    assert "not on register" in result.output
    written = pl.read_csv(out)
    total = sum(pl.read_csv(p).height for p in rolls.values())
    assert written.height == total
    assert f"{total:,}" in result.output


def test_roll_check_names_the_bad_row(rolls: dict[Section, Path], tmp_path: Path) -> None:
    ok = CliRunner().invoke(
        app, ["roll", "check", str(rolls[Section.MEMBERS]), "--section", "members"]
    )
    assert ok.exit_code == 0
    assert "records read" in ok.output
    bad = tmp_path / "bad.csv"
    lines = rolls[Section.MEMBERS].read_text().splitlines()
    lines[3] = lines[3].replace("active", "retired")
    bad.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(app, ["roll", "check", str(bad), "--section", "members"])
    assert isinstance(result.exception, RollError)
    assert result.exception.row == 4
    skipped = CliRunner().invoke(
        app,
        ["roll", "check", str(bad), "--section", "members", "--skip-bad-rows"],
        terminal_width=200,
    )
    assert skipped.exit_code == 0
    assert "1 rows skipped" in skipped.output
    assert "retired" in skipped.output


def test_roll_eligibility_applies_a_vetting_file(
    rolls: dict[Section, Path], tmp_path: Path
) -> None:
    supporters = pl.read_csv(rolls[Section.SUPPORTERS], infer_schema=False)
    picked = supporters["application_id"][:3].to_list()
    vetting_file = tmp_path / "vetting.csv"
    pl.DataFrame(
        {"section": ["supporters"] * 3, "record_id": picked, "decision": ["V1", "V2", "V3"]}
    ).write_csv(vetting_file)
    out = tmp_path / "decisions.csv"
    args = ["roll", "eligibility", "--supporters", str(rolls[Section.SUPPORTERS])]
    result = CliRunner().invoke(
        app, [*args, "--vetting", str(vetting_file), "--decisions", str(out)]
    )
    assert result.exit_code == 0, result.output
    decided = pl.read_csv(out).filter(pl.col("record_id").is_in(picked))
    assert sorted(decided["decision"].to_list()) == ["V1", "V2", "V3"]
    # a record that failed an automatic check keeps that reason: vetting comes after it
    assert set(decided["reason"].to_list()) <= {
        "excluded_by_vetting",
        "not_on_register",
        "payment_failed",
        "under_age",
        "applied_outside_window",
    }
    bad = tmp_path / "bad_vetting.csv"
    bad.write_text("section,record_id,decision\nsupporters,RS1,V1\nmembrs,L1,V2\n")
    refused = CliRunner().invoke(app, [*args, "--vetting", str(bad)])
    assert isinstance(refused.exception, ElectorateError)
    assert "row 3: unknown section 'membrs'" in str(refused.exception)


def test_roll_schema_lists_the_columns() -> None:
    result = CliRunner().invoke(
        app, ["roll", "schema", "--section", "supporters"], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    for column in ("application_id", "applied_at", "payment_status", "on_register"):
        assert column in result.output
    for code in ("paid", "failed", "pending", "refunded"):  # Rich may fold the list
        assert code in result.output


def test_roll_eligibility_reads_criteria_from_the_rulebook(rolls: dict[Section, Path]) -> None:
    """The shipped Labour 2016 rulebook and the electorate package's own 2016 preset are
    two readings of the same sources; they must exclude the same people."""
    given = [
        "--members",
        str(rolls[Section.MEMBERS]),
        "--supporters",
        str(rolls[Section.SUPPORTERS]),
        "--affiliates",
        str(rolls[Section.AFFILIATES]),
    ]
    outputs = {}
    for rulebook in ("labour/2016", "labour-2016"):
        result = CliRunner().invoke(
            app, ["roll", "eligibility", *given, "--rulebook", rulebook], terminal_width=200
        )
        assert result.exit_code == 0, result.output
        outputs[rulebook] = result.output
    assert outputs["labour/2016"] == outputs["labour-2016"]
    refused = CliRunner().invoke(app, ["roll", "eligibility", *given, "--rulebook", "nope/1"])
    assert refused.exit_code != 0
