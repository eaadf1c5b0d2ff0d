"""``omov roll``: check a roll file, print a section's template, and decide eligibility
across rolls with published figures and every date a check used."""

from __future__ import annotations

import json
import sys
from datetime import datetime, time
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.table import Table

from omov.cli import app, console, register_domain_error
from omov.electorate.criteria import PRESETS, EligibilityCriteria, preset
from omov.electorate.dedup import IDENTITY_KEYS
from omov.electorate.eligibility import DISQUALIFYING, assess
from omov.electorate.errors import ElectorateError
from omov.electorate.reports import ELIGIBLE, TOTAL, exclusion_table
from omov.electorate.roll import Roll, read_roll
from omov.electorate.schema import RollKind, parse_column_map, schema_for, template_csv

register_domain_error("omov.electorate.errors", "ElectorateError")
register_domain_error("omov.rules.errors", "RulesError")

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
KindOption = Annotated[
    RollKind, typer.Option("--roll", "--section", help="Which kind of roll (its columns).")
]
RulebookOption = Annotated[
    str,
    typer.Option(
        help="Criteria: a rulebook (shipped id such as labour/2016, or a TOML file), "
        f"or a built-in preset ({', '.join(sorted(PRESETS))})."
    ),
]

PEOPLE_NOT_RECORDS = (
    "One person, many records: records are the same person when their identity key "
    "matches (email and date of birth) or they carry the same membership number (a "
    "member's own, or the one a supporter quotes). Grounds about the person ("
    + ", ".join(sorted(r.value for r in DISQUALIFYING))
    + ") follow them to every record in every section; grounds about a record (a date, a "
    "payment, the register) stay with that record. Of a person's records that pass, one "
    "votes: the section first in the rulebook's order (members first)."
)


@roll_app.command("check")
def check_command(
    roll: Annotated[
        Path, typer.Argument(help="The roll, .csv or .parquet, or - for standard input.")
    ],
    kind: KindOption,
    column_map: MapOption = None,
    skip_bad_rows: SkipOption = False,
) -> None:
    """Read a roll against its kind's columns; any bad row is named and nothing imported."""
    loaded = _read(roll, kind, column_map, skip_bad_rows)
    console.print(f"{roll}: {len(loaded):,} {kind.value} records read")
    _print_skipped(loaded)


@roll_app.command("schema")
def schema_command(kind: KindOption) -> None:
    """Show the columns a roll must (or may) have, what each means, and how records of one
    person are joined."""
    schema = schema_for(kind)
    table = Table(title=f"{kind.value} roll (record number: {schema.record_id})")
    for heading in ("column", "kind", "required", "meaning"):
        table.add_column(heading, overflow="fold")
    for column in schema.columns:
        codes = column.kind.value + (f": {', '.join(column.codes)}" if column.codes else "")
        table.add_row(column.name, codes, "yes" if column.required else "no", column.meaning)
    console.print(table)
    console.print(PEOPLE_NOT_RECORDS)


@roll_app.command("template")
def template_command(
    rulebook: Annotated[str, typer.Option(help="A shipped rulebook id or a TOML file.")],
    section: Annotated[str, typer.Option(help="The rulebook's section (e.g. members).")],
) -> None:
    """Print the CSV template of a section's roll: its header and one example row."""
    from omov.rules import load_rulebook

    book = load_rulebook(rulebook)
    if section not in book.sections:
        known = ", ".join(book.sections) or "none"
        raise ElectorateError(f"{book.id} has no section {section!r}; its sections: {known}")
    sys.stdout.write(template_csv(book.sections[section].roll.value))


@roll_app.command("eligibility")
def eligibility_command(
    roll: Annotated[
        list[str] | None,
        typer.Option(help="SECTION=PATH: a section's roll (repeat for each section)."),
    ] = None,
    members: Annotated[Path | None, typer.Option(help="The members' roll.")] = None,
    supporters: Annotated[Path | None, typer.Option(help="The supporters' roll.")] = None,
    affiliates: Annotated[Path | None, typer.Option(help="The affiliates' roll.")] = None,
    rulebook: RulebookOption = "labour/2016",
    events: Annotated[
        Path | None,
        typer.Option(help="Events (YAML) setting this contest's dates, as `omov rules explain`."),
    ] = None,
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
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Print the figures and dates as JSON (docs/cli.md), nothing else."
        ),
    ] = False,
) -> None:
    """Decide every record's eligibility; print every date a check used, then the exclusion
    figures per reason and section (sections in the order of the options: each --roll as
    given, then --members, --supporters, --affiliates)."""
    criteria = _criteria(rulebook, events)
    if identity not in IDENTITY_KEYS:
        raise ElectorateError(f"unknown identity key {identity!r}; known: {list(IDENTITY_KEYS)}")
    given = _given(criteria, roll or [], members, supporters, affiliates)
    rolls = {
        name: _read(path, criteria.section(name).roll, None, skip_bad_rows)
        for name, path in given.items()
    }
    moment = date or datetime.combine(criteria.ballot_issue_date, time.min)
    assessment = assess(
        rolls,
        criteria,
        exclusions=_exclusions(vetting, criteria),
        as_of=moment,
        identity=IDENTITY_KEYS[identity],
    )
    sections = list(given)
    figures = exclusion_table(assessment).select("reason", *sections, TOTAL)
    dates = [used for used in criteria.dates_used() if used.section in rolls]
    dates.sort(key=lambda used: sections.index(used.section))
    dates += [used for used in criteria.dates_used() if used.section == "vetting"]
    if decisions is not None:
        assessment.records.drop("identity").write_csv(decisions)
    if as_json:
        from omov.cli.roll_json import eligibility_record

        record = eligibility_record(
            rulebook=rulebook,
            as_of=moment,
            sections=sections,
            figures=figures,
            dates=dates,
            rolls=rolls,
        )
        sys.stdout.write(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
        return
    for loaded in rolls.values():
        _print_skipped(loaded)
    for used in dates:
        console.print(used.line(), highlight=False)
    _print_table(figures, f"Eligibility as at {moment:%d %B %Y %H:%M}")
    if decisions is not None:
        console.print(f"decisions written to {decisions}")


def _given(
    criteria: EligibilityCriteria,
    pairs: list[str],
    members: Path | None,
    supporters: Path | None,
    affiliates: Path | None,
) -> dict[str, Path]:
    """Each section's roll: ``SECTION=PATH`` pairs, and the shorthand options, each meaning
    the one section kept on that kind of roll."""
    given: dict[str, Path] = {}
    for pair in pairs:
        name, sep, path = pair.partition("=")
        if not sep or not name.strip() or not path.strip():
            raise ElectorateError(f"--roll {pair!r} is not SECTION=PATH")
        given[criteria.section(name.strip()).name] = Path(path.strip())
    shorthand = {RollKind.MEMBERS: members, RollKind.SUPPORTERS: supporters}
    shorthand[RollKind.AFFILIATES] = affiliates
    for kind, given_path in shorthand.items():
        if given_path is None:
            continue
        names = [s.name for s in criteria.sections if s.roll is kind]
        if len(names) != 1:
            found = ", ".join(names) or "none"
            raise ElectorateError(
                f"--{kind.value}: the rules have {len(names)} sections on a {kind.value} "
                f"roll ({found}); name one with --roll SECTION=PATH"
            )
        given[names[0]] = given_path
    if not given:
        raise typer.BadParameter("give each section's roll: --roll SECTION=PATH")
    return given


def _criteria(rulebook: str, events: Path | None) -> EligibilityCriteria:
    """Criteria from a rulebook (a shipped id such as ``labour/2016``, or a TOML file) with
    the dates ``events`` set, or from a built-in preset of the electorate package."""
    if rulebook in PRESETS:
        if events is not None:
            raise ElectorateError("--events needs a rulebook, not a preset")
        return preset(rulebook)
    from omov.rules import load_events, load_rulebook
    from omov.rules.engine import run
    from omov.rules.for_electorate import electorate_criteria

    book = load_rulebook(rulebook)
    contest = run(book, load_events(events, timezone=book.timezone)) if events else None
    return electorate_criteria(book, contest)


def _exclusions(path: Path | None, criteria: EligibilityCriteria) -> pl.DataFrame | None:
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
    unknown = numbered.filter(~pl.col("section").is_in(list(criteria.names)))
    if unknown.height:
        row, section = unknown["row"][0], unknown["section"][0]
        raise ElectorateError(f"{path}: row {row}: unknown section {section!r}")
    return frame


def _read(path: Path, kind: RollKind, pairs: list[str] | None, skip: bool) -> Roll:
    mapping = parse_column_map(pairs or [])
    return read_roll(path, kind, column_map=mapping, skip_bad_rows=skip)


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
