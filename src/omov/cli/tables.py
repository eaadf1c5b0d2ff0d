"""The round-by-round table a returning officer reads in the terminal."""

from __future__ import annotations

from fractions import Fraction

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from omov.count.report import CountReport, Transfer, format_votes


def print_report(report: CountReport, console: Console) -> None:
    console.print(report_table(report))
    for round_ in report.rounds:
        for transfer in round_.transfers:
            line = transfer_line(transfer, report.decimals)
            console.print(f"Round {round_.number}: {line}", markup=False, highlight=False)
    for round_ in report.rounds:
        for tie in round_.tie_breaks:
            console.print(
                f"Round {round_.number}: tie for {tie.purpose} between "
                f"{', '.join(tie.tied)}; {tie.chosen} chosen by {tie.resolved_by}.",
                markup=False,
                highlight=False,
            )
    for name in report.sections:
        console.print(section_table(report, name))
    for note in report.notes:
        console.print(f"Note: {note}", markup=False)
    elected = escape(", ".join(report.elected) or "nobody")
    console.print(f"[bold]Elected:[/bold] {elected}", highlight=False)


def transfer_line(transfer: Transfer, decimals: int | None) -> str:
    """One surplus or exclusion and where its votes went (they show in the next round)."""
    what = (
        f"surplus of {transfer.source}"
        if transfer.kind == "surplus"
        else f"{transfer.source} excluded"
    )
    if transfer.transfer_value is not None:
        what += f" (transfer value {format_votes(transfer.transfer_value, decimals)})"
    moved = ", ".join(f"{format_votes(v, decimals)} to {dest}" for dest, v in transfer.to.items())
    return f"{what}: {moved or 'nothing moves'}"


def report_table(report: CountReport) -> Table:
    title = escape(report.title or "Count")
    quota = f", quota {format_votes(report.quota, report.decimals)}" if report.quota else ""
    table = Table(
        title=f"{title}: {report.method}, {report.seats} seat(s), "
        f"{format_votes(report.valid_ballots, None)} valid ballots{quota}"
    )
    table.add_column("Candidate", style="bold")
    for round_ in report.rounds:
        table.add_column(f"R{round_.number}", justify="right")
    for name in report.candidates:
        cells = []
        for round_ in report.rounds:
            votes = round_.tallies.get(name)
            cell = "" if votes is None else format_votes(votes, report.decimals)
            if name in round_.elected:
                cell = f"[green]{cell} ✔[/green]"
            elif name in round_.excluded:
                cell = f"[red]{cell} ✘[/red]"
            cells.append(cell)
        table.add_row(escape(name), *cells)
    table.add_section()
    table.add_row(
        "Inactive", *(format_votes(r.inactive_total, report.decimals) for r in report.rounds)
    )
    if any(r.residual_surplus for r in report.rounds):
        table.add_row(
            "Residual", *(format_votes(r.residual_surplus, report.decimals) for r in report.rounds)
        )
    if any(r.threshold is not None for r in report.rounds):
        table.add_row(
            "Threshold",
            *(
                "" if r.threshold is None else format_votes(r.threshold, report.decimals)
                for r in report.rounds
            ),
        )
    return table


def section_table(report: CountReport, section: str) -> Table:
    """One section's votes in every round, each with its share of the section's continuing
    votes in that round, as Labour publishes them."""
    table = Table(title=f"{escape(section)}: every round")
    table.add_column("Candidate", style="bold")
    rounds = [r for r in report.rounds if section in r.sections]
    for round_ in rounds:
        table.add_column(f"R{round_.number}", justify="right")
        table.add_column("%", justify="right")
    for name in report.candidates:
        cells: list[str] = []
        for round_ in rounds:
            figures = round_.sections[section]
            votes = figures.tallies.get(name)
            if votes is None:
                cells += ["", ""]
                continue
            total = sum(figures.tallies.values(), Fraction(0))
            cells += [format_votes(votes, report.decimals), percent(votes, total)]
        table.add_row(escape(name), *cells)
    table.add_section()
    inactive = [(format_votes(r.sections[section].inactive, report.decimals), "") for r in rounds]
    table.add_row("Inactive", *(cell for pair in inactive for cell in pair))
    return table


def percent(part: Fraction, whole: Fraction) -> str:
    """``part`` as a percentage of ``whole`` to one decimal place, halves rounded up (exact
    arithmetic: a float would round 12.25 either way), or "-" of nothing."""
    if not whole:
        return "-"
    tenths = (1000 * part / whole + Fraction(1, 2)).__floor__()
    return f"{tenths // 10}.{tenths % 10}"
