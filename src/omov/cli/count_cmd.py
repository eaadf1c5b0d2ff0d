"""``omov count``: read a ballot file, count it, print or write the report."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from omov.cli import app
from omov.cli.count_run import count_file, emit
from omov.count.catalogue import CATALOGUE
from omov.count.options import CountOptions, Quota, TieBreakMode
from omov.count.policy import BallotPolicy, DuplicateRule, OvervoteRule
from omov.count.reports import REPORT_WRITERS

if TYPE_CHECKING:
    from omov.count import CountReport

# The options' types and help come from light modules (the catalogue of methods, the
# enums of options and policy, the report writers); NumPy and the readers are imported
# when a count runs, so ``omov count --help`` loads neither.
METHOD_HELP = "Counting method: " + ", ".join(CATALOGUE) + "."
REPORT_HELP = ", ".join(["table", *REPORT_WRITERS])


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
        options = CountOptions(
            tie_break=tie_break,
            seed=seed,
            batch_elimination=batch_elimination,
            continue_until_two=continue_until_two,
            quota=quota,
            decimals=decimals,
            section_weights=_section_weights(section_weight or []),
        )
        reports = [
            count_file(
                file, format=format, method=method, seats=seats, policy=policy, options=options
            )
        ]
    emit(reports, report, output)


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


def _run_rctab_config(config: Path) -> list[CountReport]:
    from omov.count.rctab_config import run_rctab_config

    return run_rctab_config(config)
