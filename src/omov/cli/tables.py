"""The round-by-round table a returning officer reads in the terminal."""

from __future__ import annotations

from rich.console import Console
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
                f"{', '.join(tie.tied)}; {tie.chosen} chosen by {tie.resolved_by}."
            )
    for name in report.sections:
        console.print(section_table(report, name))
    for note in report.notes:
        console.print(f"Note: {note}", markup=False)
    console.print(f"[bold]Elected:[/bold] {', '.join(report.elected) or 'nobody'}")


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
    title = report.title or "Count"
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
        table.add_row(name, *cells)
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
    """One section's share of the final round, with percentages, as Labour publishes it."""
    final = report.final_round
    figures = final.sections[section]
    total = sum(figures.tallies.values())
    table = Table(title=f"{section}: final round")
    table.add_column("Candidate", style="bold")
    table.add_column("Votes", justify="right")
    table.add_column("%", justify="right")
    for name, votes in figures.tallies.items():
        share = f"{100 * votes / total:.1f}" if total else "-"
        table.add_row(name, format_votes(votes, report.decimals), share)
    return table
