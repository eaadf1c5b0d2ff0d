"""``omov count``: read a ballot file, count it, print or write the report."""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from omov.cli import app, console
from omov.count.catalogue import CATALOGUE
from omov.count.errors import CountError
from omov.count.options import CountOptions, Quota, TieBreakMode
from omov.count.policy import BallotPolicy, DuplicateRule, OvervoteRule
from omov.count.reports import REPORT_WRITERS

if TYPE_CHECKING:
    from omov.count import BallotSet, CountReport

# The options' types and help come from light modules (the catalogue of methods, the
# enums of options and policy, the report writers); NumPy and the readers are imported
# when a count runs, so ``omov count --help`` loads neither.
METHOD_HELP = "Counting method: " + ", ".join(CATALOGUE) + "."
REPORT_HELP = ", ".join(["table", *REPORT_WRITERS])

LARGE_FILE = 8 * 2**20


@app.command("count")
def count_command(
    file: Annotated[Path | None, typer.Argument(help="Ballot file.", show_default=False)] = None,
    format: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help="blt|toi|soi|cdf|rctab-csv|csv|parquet (default: from the name)"
        ),
    ] = None,
    method: Annotated[
        str,
        typer.Option("--method", "-m", help=METHOD_HELP),
    ] = "irv",
    seats: Annotated[
        int | None, typer.Option(help="Seats to fill (default: the file's, or 1).")
    ] = None,
    report: Annotated[str, typer.Option("--report", "-r", help=REPORT_HELP)] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here.")] = None,
    rctab_config: Annotated[
        Path | None, typer.Option("--rctab-config", help="Run an RCTab contest config as it is.")
    ] = None,
    tie_break: Annotated[TieBreakMode, typer.Option()] = TieBreakMode.PREVIOUS_ROUNDS_THEN_LOT,
    seed: Annotated[int, typer.Option(help="Seed for any drawing of lots.")] = 0,
    batch_elimination: Annotated[bool, typer.Option()] = False,
    continue_until_two: Annotated[bool, typer.Option()] = False,
    quota: Annotated[Quota, typer.Option()] = Quota.DROOP,
    decimals: Annotated[int | None, typer.Option(help="Decimal places of vote arithmetic.")] = None,
    overvote: Annotated[OvervoteRule, typer.Option()] = OvervoteRule.EXHAUST,
    max_skipped_ranks: Annotated[int | None, typer.Option()] = None,
    duplicates: Annotated[DuplicateRule, typer.Option()] = DuplicateRule.SKIP,
    section_weight: Annotated[
        list[str] | None,
        typer.Option(
            "--section-weight",
            help="SECTION=SHARE, once a section: its share of an electoral college (1/3, 0.5).",
        ),
    ] = None,
) -> None:
    """Count a ballot file round by round, as the rules prescribe."""
    if rctab_config is not None:
        reports = _run_rctab_config(rctab_config)
        if report == "table":
            report = "rctab-json" if output else "table"
    else:
        if file is None:
            raise typer.BadParameter("give a ballot FILE or --rctab-config CONFIG")
        policy = BallotPolicy(
            overvote=overvote, max_skipped_ranks=max_skipped_ranks, duplicates=duplicates
        )
        ballots = _read_with_progress(file, format, policy)
        options = CountOptions(
            tie_break=tie_break,
            seed=seed,
            batch_elimination=batch_elimination,
            continue_until_two=continue_until_two,
            quota=quota,
            decimals=decimals,
            section_weights=_section_weights(section_weight or []),
        )
        from omov.count import count

        wanted = seats or _seats_in_file(ballots)
        reports = [count(ballots, method=method, seats=wanted, options=options)]
    _emit(reports, report, output)


def _read_with_progress(file: Path, format: str | None, policy: BallotPolicy) -> BallotSet:
    from omov.count.formats import read_ballots

    if not file.is_file() or file.stat().st_size < LARGE_FILE:
        return read_ballots(file, format=format, policy=policy)
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(f"reading {file.name}", total=file.stat().st_size)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return read_ballots(file, format=format, policy=policy, progress=advance)


def _section_weights(given: list[str]) -> dict[str, Fraction]:
    """``NAME=SHARE`` pairs (a section's name may hold spaces, not ``=``) as exact shares."""
    weights: dict[str, Fraction] = {}
    for pair in given:
        name, equals, share = pair.rpartition("=")
        if not equals or not name.strip():
            raise typer.BadParameter(
                f"{pair!r} is not SECTION=SHARE", param_hint="--section-weight"
            )
        try:
            weights[name.strip()] = Fraction(share.strip())
        except (ValueError, ZeroDivisionError):
            raise typer.BadParameter(
                f"{share!r} is not a share (1/3, 0.5)", param_hint="--section-weight"
            ) from None
    return weights


def _seats_in_file(ballots: BallotSet) -> int:
    return ballots.seats or 1


def _run_rctab_config(config: Path) -> list[CountReport]:
    from omov.count.rctab_config import run_rctab_config

    return run_rctab_config(config)


def _emit(reports: list[CountReport], report: str, output: Path | None) -> None:
    if report == "table":
        if output is not None:
            raise CountError("a table is for the terminal; choose --report json, rctab-json or csv")
        from omov.cli.tables import print_report

        for one in reports:
            print_report(one, console)
        return
    if report not in REPORT_WRITERS:
        raise CountError(
            f"unknown report {report!r}; known: table, {', '.join(sorted(REPORT_WRITERS))}"
        )
    from omov.count.reports import render_report

    texts = [render_report(one, report) for one in reports]
    if output is None:
        # Written as they are: Rich would read ":Cat:" in a transfer's key as an emoji.
        for text in texts:
            sys.stdout.write(text + "\n")
        return
    _write_atomically(output, texts)


def _write_atomically(output: Path, texts: list[str]) -> None:
    """Write every report or none: a failed count leaves no partial file behind."""
    targets = (
        [output]
        if len(texts) == 1
        else [
            output.with_name(f"{output.stem}_{i}{output.suffix}") for i in range(1, len(texts) + 1)
        ]
    )
    for target, text in zip(targets, texts, strict=True):
        partial = target.with_name(f".{target.name}.partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(target)
