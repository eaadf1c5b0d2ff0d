"""Reports (personal statement, exclusion table) and the ``omov roll`` commands."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from omov.cli import app, console
from omov.cli import commands as _commands  # noqa: F401  (registers ``omov roll``)
from omov.electorate import appeals
from omov.electorate.eligibility import Reason, assess
from omov.electorate.errors import ElectorateError, RollError
from omov.electorate.reports import exclusion_table, personal_statement
from omov.electorate.synthetic import generate
from tests.conftest import REPO


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
    record_id = _first(assessment, "registered-supporters", "excluded_by_vetting")
    case = next(c for c in electorate.vetting if c.record_id == record_id)
    statement = personal_statement(
        assessment, "registered-supporters", record_id, vetting=electorate.vetting
    )
    assert not statement.eligible
    assert f"excluded by vetting decision {case.decision}" in statement.text()
    assert f"ground {case.grounds.code}: {case.grounds.statement}" in statement.text()
    assert statement.appeal_by == appeals.appeal_deadline(case.excluded_at(), 7)
    lodged = appeals.appeal_vetting(
        case, "A9", appeal_days=7, at=case.excluded_at(), actor="me", statement="wrong"
    )
    again = personal_statement(
        assessment, "registered-supporters", record_id, vetting=electorate.vetting, appeals=[lodged]
    )
    assert "Your appeal A9 is lodged." in again.text()


def test_statement_for_a_duplicate_points_at_the_record_that_votes(small: tuple) -> None:
    _, assessment = small
    record_id = _first(assessment, "registered-supporters", "duplicate")
    keeper = assessment.record("registered-supporters", record_id)["duplicate_of"]
    statement = personal_statement(assessment, "registered-supporters", record_id)
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
def rolls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return generate(seed=3, scale=0.01).write_csv(tmp_path_factory.mktemp("rolls"))


def test_roll_eligibility_prints_the_table(rolls: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "decisions.csv"
    result = CliRunner().invoke(
        app,
        [
            "roll",
            "eligibility",
            "--members",
            str(rolls["members"]),
            "--supporters",
            str(rolls["registered-supporters"]),
            "--affiliates",
            str(rolls["affiliated-supporters"]),
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


def test_roll_check_names_the_bad_row(rolls: dict[str, Path], tmp_path: Path) -> None:
    ok = CliRunner().invoke(app, ["roll", "check", str(rolls["members"]), "--section", "members"])
    assert ok.exit_code == 0
    assert "records read" in ok.output
    bad = tmp_path / "bad.csv"
    lines = rolls["members"].read_text().splitlines()
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
    assert "status: is not one of active/lapsed/suspended" in skipped.output
    assert "retired" not in skipped.output  # row and column only: never a member's data


def test_roll_eligibility_applies_a_vetting_file(rolls: dict[str, Path], tmp_path: Path) -> None:
    supporters = pl.read_csv(rolls["registered-supporters"], infer_schema=False)
    picked = supporters["application_id"][:3].to_list()
    vetting_file = tmp_path / "vetting.csv"
    pl.DataFrame(
        {
            "section": ["registered-supporters"] * 3,
            "record_id": picked,
            "decision": ["V1", "V2", "V3"],
        }
    ).write_csv(vetting_file)
    out = tmp_path / "decisions.csv"
    args = ["roll", "eligibility", "--supporters", str(rolls["registered-supporters"])]
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
    bad.write_text("section,record_id,decision\nregistered-supporters,RS1,V1\nmembrs,L1,V2\n")
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
    assert "follow them to every record in every section" in result.output


def test_roll_eligibility_reads_criteria_from_the_rulebook(rolls: dict[str, Path]) -> None:
    """The shipped Labour 2016 rulebook and the electorate package's own 2016 preset are
    two readings of the same sources; they must exclude the same people."""
    given = [
        "--members",
        str(rolls["members"]),
        "--supporters",
        str(rolls["registered-supporters"]),
        "--affiliates",
        str(rolls["affiliated-supporters"]),
    ]
    outputs = {}
    for rulebook in ("labour/2016", "labour-2016"):
        result = CliRunner().invoke(
            app, ["roll", "eligibility", *given, "--rulebook", rulebook], terminal_width=200
        )
        assert result.exit_code == 0, result.output
        outputs[rulebook] = result.output

    def without_sources(text: str) -> list[str]:  # the two name their sources differently
        return [line.split(" (")[0] if ": " in line else line for line in text.splitlines()]

    assert without_sources(outputs["labour/2016"]) == without_sources(outputs["labour-2016"])
    refused = CliRunner().invoke(app, ["roll", "eligibility", *given, "--rulebook", "nope/1"])
    assert refused.exit_code != 0


def test_roll_eligibility_prints_every_date_a_check_used(
    rolls: dict[str, Path], tmp_path: Path
) -> None:
    """One line per date, with where it came from; a date the NEC sets for the contest
    (an events file, as `omov rules explain` reads) replaces the edition's."""
    given = [
        "--members",
        str(rolls["members"]),
        "--supporters",
        str(rolls["registered-supporters"]),
    ]
    shipped = CliRunner().invoke(app, ["roll", "eligibility", *given], terminal_width=200)
    assert shipped.exit_code == 0, shipped.output
    lines = shipped.output.splitlines()
    assert lines[0].startswith("members: joined on or before 12 January 2016 (labour/2016, Ch4 Cl")
    assert lines[1].startswith("registered-supporters: applied from 18 July 2016 17:00 (")
    assert lines[2].startswith("registered-supporters: applied until 20 July 2016 17:00 (")
    assert lines[3].startswith("registered-supporters: aged 18 or over on 20 July 2016 (the ")
    assert lines[4].startswith("vetting: as it stood at the start of 22 August 2016 (")
    assert not any(line.startswith("affiliated-supporters:") for line in lines)  # no roll given
    events = tmp_path / "events.yaml"
    events.write_text(
        "events:\n"
        "  - {type: date-set, at: 2016-07-12, what: freeze-date, value: 2016-03-01, by: the NEC}\n"
    )
    later = CliRunner().invoke(
        app, ["roll", "eligibility", *given, "--events", str(events)], terminal_width=200
    )
    assert later.exit_code == 0, later.output
    first = later.output.splitlines()[0]
    assert first == (
        "members: joined on or before 01 March 2016 (set by the NEC, "
        "Ch4 Cl II.2.C.vii (the precise eligibility criteria are defined by the NEC))"
    )
    table = lambda text: text.split("Eligibility as at")[1]  # noqa: E731
    assert table(later.output) != table(shipped.output)  # fewer joined after the freeze


def test_roll_template_is_the_sections_columns_and_reads_back(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["roll", "template", "--rulebook", "labour/2016", "--section", "registered-supporters"]
    )
    assert result.exit_code == 0, result.output
    header = result.output.splitlines()[0].split(",")
    assert header[:3] == ["application_id", "email", "date_of_birth"]
    path = tmp_path / "template.csv"
    path.write_text(result.output)
    checked = CliRunner().invoke(app, ["roll", "check", str(path), "--roll", "supporters"])
    assert checked.exit_code == 0, checked.output
    assert "1 supporters records read" in checked.output
    refused = CliRunner().invoke(
        app, ["roll", "template", "--rulebook", "snp/2023", "--section", "registered-supporters"]
    )
    assert "snp/2023 has no section 'registered-supporters'; its sections: members" in str(
        refused.exception
    )


def test_roll_eligibility_json_gives_figures_per_section_and_reason(
    rolls: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = [
        "roll",
        "eligibility",
        "--roll",
        f"affiliated-supporters={rolls['affiliated-supporters']}",
        "--members",
        str(rolls["members"]),
        "--supporters",
        str(rolls["registered-supporters"]),
    ]
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)  # JSON and nothing else
    assert (record["format"], record["version"]) == ("omov-eligibility", 1)
    assert record["as_of"] == "2016-08-22T00:00:00"
    sections = record["sections"]
    # the order of the options: each --roll as given, then --members, --supporters
    assert [s["section"] for s in sections] == [
        "affiliated-supporters",
        "members",
        "registered-supporters",
    ]
    for section in sections:
        assert list(section["excluded"]) == [reason.value for reason in Reason]
        assert section["records"] == pl.read_csv(rolls[section["section"]]).height
        assert section["eligible"] + sum(section["excluded"].values()) == section["records"]
    total = record["total"]
    assert total["records"] == sum(s["records"] for s in sections)
    assert total["excluded"]["duplicate"] == sum(s["excluded"]["duplicate"] for s in sections)
    assert sections[1]["excluded"]["joined_after_freeze"] > 0
    assert {d["section"] for d in record["dates_used"]} == {
        *(s["section"] for s in sections),
        "vetting",
    }
    monkeypatch.setattr(console, "width", 200)  # the table's headings unabridged
    table = CliRunner().invoke(app, args).output
    header = next(line for line in table.splitlines() if "reason" in line)
    assert [cell.strip() for cell in header.split("┃")[1:-1]] == [
        "reason",
        "affiliated-supporters",
        "members",
        "registered-supporters",
        "total",
    ]
    eligible = next(line for line in table.splitlines() if line.startswith("│ eligible"))
    assert [cell.strip() for cell in eligible.split("│")[2:-1]] == [
        f"{figure:,}" for figure in (*(s["eligible"] for s in sections), total["eligible"])
    ]


@pytest.mark.parametrize("name", ["-", "/dev/stdin"])
def test_the_installed_command_checks_a_roll_piped_to_it(
    name: str, rolls: dict[str, Path], tmp_path: Path
) -> None:
    """``omov roll check`` reads standard input (``-``, or ``/dev/stdin`` when it is a pipe)
    as ``omov count`` does: CSV as the same file reads, Parquet told by its first bytes,
    a bad row named by the stream's name and the row; a folder is refused as a folder."""
    command = [str(REPO / ".venv" / "bin" / "omov"), "roll", "check", "--roll", "members"]

    def piped(source: str, given: bytes) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, source], input=given, capture_output=True, timeout=60, check=False
        )

    text = rolls["members"].read_bytes()
    records = len(text.splitlines()) - 1
    done = piped(name, text)
    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout.decode().split() == [
        f"{name}:",
        f"{records:,}",
        "members",
        "records",
        "read",
    ]
    parquet = tmp_path / "members.parquet"
    pl.read_csv(rolls["members"], infer_schema=False).write_parquet(parquet)
    done = piped(name, parquet.read_bytes())
    assert (done.returncode, done.stderr) == (0, b"")
    assert f"{records:,} members records read" in done.stdout.decode()
    lines = text.decode().splitlines()
    lines[3] = lines[3].replace("active", "retired")
    bad = piped(name, ("\n".join(lines) + "\n").encode())
    assert bad.returncode == 2
    assert bad.stderr.decode().startswith(f"error: {name}: row 4: status: ")
    assert "retired" not in bad.stderr.decode()
    folder = piped(str(tmp_path), b"")
    assert folder.returncode == 2
    assert folder.stderr.decode() == f"error: {tmp_path}: is a folder, not a roll file\n"
