"""``omov roll``: check a roll file, and decide eligibility across rolls with published figures."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.table import Table

from omov.cli import app, console, register_domain_error
from omov.electorate.criteria import PRESETS, EligibilityCriteria, preset
from omov.electorate.dedup import IDENTITY_KEYS
from omov.electorate.eligibility import assess
from omov.electorate.errors import ElectorateError
from omov.electorate.reports import ELIGIBLE, TOTAL, exclusion_table
from omov.electorate.roll import Roll, read_roll
from omov.electorate.schema import Section, parse_column_map, schema_for

register_domain_error("omov.electorate.errors", "ElectorateError")

roll_app = typer.Typer(
    help="Rolls: check one, or decide who may vote with a reason for every exclusion.",
    no_args_is_help=True,
)
app.add_typer(roll_app, name="roll")

MapOption = Annotated[
    list[str] | None,
    typer.Option("--map", help="HEADER=COLUMN: a header in the file for a schema column."),
]
SkipOption = Annotated[
    bool,
    typer.Option(help="Skip bad rows (each is listed) instead of importing nothing."),
]


@roll_app.command("check")
def check_command(
    roll: Annotated[Path, typer.Argument(help="The roll, .csv or .parquet.")],
    section: Annotated[Section, typer.Option(help="Which section's schema applies.")],
    column_map: MapOption = None,
    skip_bad_rows: SkipOption = False,
) -> None:
    """Read a roll against its section's schema; any bad row is named and nothing is imported."""
    loaded = _read(roll, section, column_map, skip_bad_rows)
    console.print(f"{roll}: {len(loaded):,} {section.value} records read")
    _print_skipped(loaded)


@roll_app.command("schema")
def schema_command(
    section: Annotated[Section, typer.Option(help="Which section's columns to show.")],
) -> None:
    """Show the columns a section's roll must (or may) have, and what each means."""
    schema = schema_for(section)
    table = Table(title=f"{section.value} roll (record number: {schema.record_id})")
    for heading in ("column", "kind", "required", "meaning"):
        table.add_column(heading, overflow="fold")
    for column in schema.columns:
        kind = column.kind.value + (f": {', '.join(column.codes)}" if column.codes else "")
        table.add_row(column.name, kind, "yes" if column.required else "no", column.meaning)
    console.print(table)


@roll_app.command("eligibility")
def eligibility_command(
    members: Annotated[Path | None, typer.Option(help="Members roll.")] = None,
    supporters: Annotated[Path | None, typer.Option(help="Registered supporters roll.")] = None,
    affiliates: Annotated[Path | None, typer.Option(help="Affiliated supporters roll.")] = None,
    rulebook: Annotated[
        str,
        typer.Option(
            help="Criteria: a rulebook (shipped id such as labour/2016, or a TOML file), "
            f"or a built-in preset ({', '.join(sorted(PRESETS))})."
        ),
    ] = "labour/2016",
    date: Annotated[
        datetime | None,
        typer.Option(help="Decide as at this moment (default: start of the ballot-issue date)."),
    ] = None,
    identity: Annotated[
        str, typer.Option(help=f"Identity key for de-duplication: {', '.join(IDENTITY_KEYS)}.")
    ] = "email+dob",
    vetting: Annotated[
        Path | None,
        typer.Option(help="CSV of vetting exclusions in force: section,record_id,decision."),
    ] = None,
    skip_bad_rows: SkipOption = False,
    decisions: Annotated[
        Path | None, typer.Option(help="Also write every record's decision to this CSV.")
    ] = None,
) -> None:
    """Decide every record's eligibility and print the exclusion figures per reason and section."""
    criteria = _criteria(rulebook)
    if identity not in IDENTITY_KEYS:
        raise ElectorateError(f"unknown identity key {identity!r}; known: {list(IDENTITY_KEYS)}")
    given = {
        Section.MEMBERS: members,
        Section.SUPPORTERS: supporters,
        Section.AFFILIATES: affiliates,
    }
    rolls = {s: _read(p, s, None, skip_bad_rows) for s, p in given.items() if p is not None}
    if not rolls:
        raise typer.BadParameter("give at least one of --members, --supporters, --affiliates")
    for loaded in rolls.values():
        _print_skipped(loaded)
    moment = date or datetime.combine(criteria.ballot_issue_date, time.min)
    assessment = assess(
        rolls,
        criteria,
        exclusions=_exclusions(vetting),
        as_of=moment,
        identity=IDENTITY_KEYS[identity],
    )
    _print_table(exclusion_table(assessment), f"Eligibility as at {moment:%d %B %Y %H:%M}")
    if decisions is not None:
        assessment.records.drop("identity").write_csv(decisions)
        console.print(f"decisions written to {decisions}")


def _criteria(rulebook: str) -> EligibilityCriteria:
    """Criteria from a rulebook (a shipped id such as ``labour/2016``, or a TOML file), or
    from a built-in preset of the electorate package."""
    if rulebook in PRESETS:
        return preset(rulebook)
    from omov.rules import load_rulebook
    from omov.rules.for_electorate import electorate_criteria

    return electorate_criteria(load_rulebook(rulebook))


def _exclusions(path: Path | None) -> pl.DataFrame | None:
    if path is None:
        return None
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as error:
        raise ElectorateError(f"{path}: not a readable CSV file ({error})") from None
    missing = {"section", "record_id", "decision"} - set(frame.columns)
    if missing:
        raise ElectorateError(f"{path}: row 1: missing column(s) {sorted(missing)}")
    numbered = frame.with_row_index("row", offset=2)
    unknown = numbered.filter(~pl.col("section").is_in([s.value for s in Section]))
    if unknown.height:
        row, section = unknown["row"][0], unknown["section"][0]
        raise ElectorateError(f"{path}: row {row}: unknown section {section!r}")
    return frame


def _read(path: Path, section: Section, pairs: list[str] | None, skip: bool) -> Roll:
    mapping = parse_column_map(pairs or [])
    return read_roll(path, section, column_map=mapping, skip_bad_rows=skip)


def _print_skipped(loaded: Roll) -> None:
    if not loaded.skipped:
        return
    table = Table(title=f"{len(loaded.skipped):,} rows skipped in {loaded.source}")
    for heading in ("row", "column", "reason"):
        table.add_column(heading, overflow="fold")
    for skipped in loaded.skipped[:50]:
        table.add_row(str(skipped.row), skipped.column, skipped.reason)
    console.print(table)
    if len(loaded.skipped) > 50:
        console.print(f"... and {len(loaded.skipped) - 50:,} more")


def _print_table(figures: pl.DataFrame, title: str) -> None:
    table = Table(title=title)
    for column in figures.columns:
        table.add_column(
            column.replace("_", " "), justify="left" if column == "reason" else "right"
        )
    for row in figures.iter_rows():
        label = str(row[0]).replace("_", " ")
        style = "bold" if row[0] in (ELIGIBLE, TOTAL) else None
        table.add_row(label, *(f"{value:,}" for value in row[1:]), style=style)
    console.print(table)
