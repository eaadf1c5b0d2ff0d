"""``omov rules check|explain``: a rulebook validated and shown resolved; events explained."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.tree import Tree

from omov.cli import app, console, register_domain_error

if TYPE_CHECKING:
    from omov.rules import Decision, Rulebook

# The rules engine (pydantic, and the count core it checks methods against) is imported
# inside each command, so that listing or asking for help imports none of it.
register_domain_error("omov.rules.errors", "RulesError")

rules_app = typer.Typer(help="Check rulebooks and explain what they decide.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

RULEBOOK_HELP = "A rulebook: a TOML file, or a shipped id such as labour/2016."


@rules_app.command("check")
def check_command(
    rulebook: Annotated[str, typer.Argument(help=RULEBOOK_HELP, show_default=False)],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the resolved rulebook as JSON.")
    ] = False,
) -> None:
    """Validate a rulebook and print it resolved (defaults filled in, thresholds worked out)."""
    from omov.rules import load_rulebook

    book = load_rulebook(rulebook)
    if as_json:
        _write_json(book.model_dump(mode="json"))
        return
    console.print(
        Panel(
            f"[bold]{escape(book.title)}[/bold]\n{escape(book.organisation_name)} · edition "
            f"{escape(book.edition)} · schema {book.schema_version} · {escape(book.citation)}",
            title=f"{book.id}: valid",
            border_style="green",
        )
    )
    if book.nominations:
        console.print(_thresholds(book))
    if book.voting is not None or book.shortlist is not None:
        console.print(_count_setup(book))
    console.print(_tree(book))


def _thresholds(book: Rulebook) -> Table:
    from omov.rules.nominations import threshold

    table = Table(title="Nomination thresholds")
    for column in ("Rule", "Needs", "Arithmetic", "Clause"):
        table.add_column(column)
    for name, rule in book.nominations.items():
        for requirement in rule.requirements:
            needed = threshold(book, requirement)
            bodies = "+".join(book.short(b) for b in requirement.bodies)
            spread = (
                f", from {requirement.min_distinct_units} units"
                if requirement.min_distinct_units
                else ""
            )
            table.add_row(
                name,
                f"{needed.required} of {bodies}{spread}",
                needed.arithmetic,
                requirement.citation,
            )
        if rule.supporting is not None and rule.supporting.gates_ballot:
            for route in rule.supporting.routes:
                needed = threshold(book, route)
                table.add_row(
                    f"{name} (supporting, any one)",
                    route.description or "route",
                    needed.arithmetic,
                    route.citation,
                )
    return table


def _count_setup(book: Rulebook) -> Table:
    from omov.count import CountOptions
    from omov.rules import count_setup

    table = Table(title="Count core")
    for column in ("Stage", "Method", "Seats", "Options"):
        table.add_column(column)
    stages = (["shortlist"] if book.shortlist else []) + (["ballot"] if book.voting else [])
    for stage in stages:
        method, seats, options = count_setup(book, stage=stage)
        defaults = CountOptions().as_record()
        record = {k: v for k, v in options.as_record().items() if v != defaults.get(k)}
        shown = json.dumps(record) if record else "defaults"
        table.add_row(stage, method, str(seats), escape(shown))
    return table


def _tree(book: Rulebook) -> Tree:
    tree = Tree(f"[bold]{book.id}[/bold] resolved")
    data = book.model_dump(mode="json", exclude_none=True)
    for key, value in data.items():
        if value in ({}, [], "") or not isinstance(value, dict | list):
            continue
        _branch(tree.add(f"[bold]{key}[/bold]"), value)
    return tree


def _branch(node: Tree, value: Any) -> None:
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        if item in ({}, [], ""):
            continue
        if isinstance(item, dict | list) and not _flat_list(item):
            _branch(node.add(f"[cyan]{escape(str(key))}[/cyan]"), item)
        else:
            shown = ", ".join(map(str, item)) if isinstance(item, list) else str(item)
            node.add(f"[cyan]{escape(str(key))}[/cyan] = {escape(shown)}")


def _flat_list(item: Any) -> bool:
    return isinstance(item, list) and all(not isinstance(x, dict | list) for x in item)


@rules_app.command("explain")
def explain_command(
    rulebook: Annotated[str, typer.Argument(help=RULEBOOK_HELP, show_default=False)],
    events: Annotated[Path, typer.Option("--events", "-e", help="Events file (YAML).")],
    reading: Annotated[
        str | None, typer.Option(help="Reading of a disputed rule (e.g. nec-2016).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the decisions as JSON (docs/cli.md).")
    ] = False,
) -> None:
    """Replay events under a rulebook and print each decision with the clause it rests on."""
    from omov.rules import explain, load_events, load_rulebook

    book = load_rulebook(rulebook)
    replay = load_events(events, timezone=book.timezone)
    if reading is not None:
        replay = replay.model_copy(
            update={"contest": replay.contest.model_copy(update={"reading": reading})}
        )
    decisions = explain(book, replay)
    if as_json:
        _write_json(decisions_record(book.id, reading, decisions))
        return
    _print_decisions(book, decisions)


DECISIONS_FORMAT = "omov-decisions"
DECISIONS_VERSION = 1


def decisions_record(
    rulebook: str, reading: str | None, decisions: list[Decision]
) -> dict[str, Any]:
    """``omov rules explain --json``: the decisions in the order they were made, each with
    the same keys (``Decision.as_record``), under a marker and version (docs/cli.md)."""
    return {
        "format": DECISIONS_FORMAT,
        "version": DECISIONS_VERSION,
        "rulebook": rulebook,
        "reading": reading,
        "decisions": [decision.as_record() for decision in decisions],
    }


def _write_json(record: Any) -> None:
    """JSON as it is, for a program to read (not Rich's highlighted rendering)."""
    sys.stdout.write(json.dumps(record, indent=2, ensure_ascii=False) + "\n")


def _print_decisions(book: Rulebook, decisions: list[Decision]) -> None:
    """One block per decision: what, when, the clause; then why and the sums."""
    console.print(f"[bold]{book.id}[/bold]: {len(decisions)} decisions")
    for number, decision in enumerate(decisions, 1):
        when = f" [dim]{decision.at:%d %b %Y %H:%M}[/dim]" if decision.at else ""
        console.print(
            f"\n[bold]{number}. {escape(decision.summary)}[/bold]{when}\n"
            f"   [green]{escape(decision.citation)}[/green]",
            highlight=False,
        )
        console.print(f"   {escape(decision.explanation)}", highlight=False)
        if decision.arithmetic:
            console.print(f"   [cyan]{escape(decision.arithmetic)}[/cyan]", highlight=False)
