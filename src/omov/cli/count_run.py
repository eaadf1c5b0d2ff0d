"""``omov count``'s work, and its lean start: no Typer, no pydantic, no Rich unless a table
or a progress bar is shown.

Typer builds a pydantic validator for each of a command's options before running it: for
``omov count``'s sixteen options that costs more CPU than reading a BLT file of 10^6
ballots. So ``main`` first offers the command line to ``lean_count``, which takes the plain
form (a file and options spelled as ``omov count --help`` lists them, each at most once,
with valid values) and returns ``None`` for anything else: help, ``--rctab-config``,
``--section-weight``, an unknown option or a value it would have to refuse. Typer then
parses that command line, so a usage error reads as Typer writes it. Both run
``count_file``, so a count is the same whichever parsed it
(``tests/cli/test_count_lean.py``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omov.count.errors import CountError
from omov.count.mapping import forget_early, map_early
from omov.count.options import CountOptions, Quota, TieBreakMode
from omov.count.policy import BallotPolicy, DuplicateRule, OvervoteRule
from omov.count.reports import REPORT_WRITERS

if TYPE_CHECKING:
    from fractions import Fraction

    from rich.console import Console

    from omov.count import BallotSet, CountReport

LARGE_FILE = 8 * 2**20
"""A file this large is read under a progress bar, when the output is a terminal."""


def count_file(
    file: Path,
    *,
    format: str | None,
    method: str,
    seats: int | None,
    policy: BallotPolicy,
    options: CountOptions,
) -> CountReport:
    """Read ``file`` and count it; the seats are the file's unless given (else 1)."""
    large = file.is_file() and file.stat().st_size >= LARGE_FILE
    shown = large and on_terminal()  # a bar drawn into a pipe is noise in the report
    if not shown and _mapped_by_its_reader(file, format):
        # Meanwhile (NumPy and the count's modules are imported next): ``mapping``.
        map_early(file, MAP_AT_LEAST)
    try:
        from omov.count import count

        ballots = _read_with_progress(file, format, policy, shown=shown)
    finally:
        forget_early()
    return count(ballots, method=method, seats=seats or ballots.seats or 1, options=options)


MAPPED_FORMATS = ("blt", "csv", "rctab-csv")
"""The formats whose readers map a large file (``formats.runs.file_bytes``)."""
MAP_AT_LEAST = 1 << 20
"""As ``formats.runs.MAP_AT_LEAST`` (a test checks), which imports NumPy."""


def _mapped_by_its_reader(file: Path, format: str | None) -> bool:
    if format is not None:
        return format in MAPPED_FORMATS
    suffixes = [suffix.lower() for suffix in file.suffixes]
    return bool(suffixes) and suffixes[-1] in (".blt", ".csv")


def _read_with_progress(
    file: Path, format: str | None, policy: BallotPolicy, *, shown: bool
) -> BallotSet:
    """The ballots, read under a progress bar if it is ``shown``."""
    from omov.count.formats import read_ballots

    if not shown:
        return read_ballots(file, format=format, policy=policy)
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=stdout_console(),
        transient=True,
    ) as bar:
        task = bar.add_task(f"reading {file.name}", total=file.stat().st_size)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return read_ballots(file, format=format, policy=policy, progress=advance)


def on_terminal() -> bool:
    """Whether the output is a person's terminal (where a progress bar is shown)."""
    return sys.stdout.isatty()


def stdout_console() -> Console:
    """``omov.cli.console``, made without building the Typer app when it is not built."""
    built = sys.modules["omov.cli"].__dict__.get("console")
    if built is not None:
        return built  # type: ignore[no-any-return]
    from omov.cli import make_console

    return make_console(stderr=False)


def emit(reports: list[CountReport], report: str, output: Path | None) -> None:
    """Print the reports (a table, or a report format's text), or write them to ``output``."""
    if report == "table":
        if output is not None:
            raise CountError("a table is for the terminal; choose --report json, rctab-json or csv")
        from omov.cli.tables import print_report

        console = stdout_console()
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


# -- the lean start ------------------------------------------------------------------------
def _whole(text: str) -> int | None:
    """A whole number as plainly written (no sign, no leading zero), or ``None``: Typer then
    reads or refuses it."""
    plain = text.isascii() and text.isdigit() and len(text) < 19
    return int(text) if plain and (text == "0" or not text.startswith("0")) else None


def _one_of(kind: Callable[[str], Any], values: Sequence[str]) -> Callable[[str], Any]:
    return lambda text: kind(text) if text in values else None


Convert = Callable[[str], Any]
VALUED: dict[str, tuple[str, Convert]] = {
    "--format": ("format", str),
    "-f": ("format", str),
    "--method": ("method", str),
    "-m": ("method", str),
    "--seats": ("seats", _whole),
    "--report": ("report", str),
    "-r": ("report", str),
    "--output": ("output", Path),
    "-o": ("output", Path),
    "--tie-break": ("tie_break", _one_of(TieBreakMode, [m.value for m in TieBreakMode])),
    "--seed": ("seed", _whole),
    "--quota": ("quota", _one_of(Quota, [q.value for q in Quota])),
    "--decimals": ("decimals", _whole),
    "--overvote": ("overvote", _one_of(OvervoteRule, [o.value for o in OvervoteRule])),
    "--max-skipped-ranks": ("max_skipped_ranks", _whole),
    "--duplicates": ("duplicates", _one_of(DuplicateRule, [d.value for d in DuplicateRule])),
}
"""The options that take a value, as ``count_cmd`` declares them (``test_count_lean``
checks the two agree), with the conversion Typer would make of a valid value."""
FLAGS: dict[str, tuple[str, bool]] = {
    "--batch-elimination": ("batch_elimination", True),
    "--no-batch-elimination": ("batch_elimination", False),
    "--continue-until-two": ("continue_until_two", True),
    "--no-continue-until-two": ("continue_until_two", False),
}
DEFAULTS: dict[str, Any] = {
    "format": None,
    "method": "irv",
    "seats": None,
    "report": "table",
    "output": None,
    "tie_break": TieBreakMode.PREVIOUS_ROUNDS_THEN_LOT,
    "seed": 0,
    "batch_elimination": False,
    "continue_until_two": False,
    "quota": Quota.DROOP,
    "decimals": None,
    "overvote": OvervoteRule.EXHAUST,
    "max_skipped_ranks": None,
    "duplicates": DuplicateRule.SKIP,
}


def parse_plain(args: Sequence[str]) -> tuple[Path, dict[str, Any]] | None:
    """The file and options of ``omov count ARGS`` in its plain form, or ``None``."""
    given: dict[str, Any] = {}
    files: list[Path] = []
    rest = list(args)
    while rest:
        word = rest.pop(0)
        if not word.startswith("-") and word.strip():
            files.append(Path(word))
            continue
        flag, equals, value = word.partition("=") if word.startswith("--") else (word, "", "")
        if not equals and flag in VALUED and rest and not rest[0].startswith("-"):
            value = rest.pop(0)
        elif not equals and flag in FLAGS:
            name, on = FLAGS[flag]
            if name in given:
                return None
            given[name] = on
            continue
        if flag not in VALUED or not value:
            return None
        name, convert = VALUED[flag]
        converted = convert(value)
        if converted is None or name in given:
            return None
        given[name] = converted
    return (files[0], DEFAULTS | given) if len(files) == 1 else None


def lean_count(args: Sequence[str]) -> bool:
    """Run ``omov count ARGS`` if it is in the plain form; ``False`` leaves it to Typer."""
    parsed = parse_plain(args)
    if parsed is None:
        return False
    file, given = parsed
    report = count_file(
        file,
        format=given["format"],
        method=given["method"],
        seats=given["seats"],
        policy=BallotPolicy(
            overvote=given["overvote"],
            max_skipped_ranks=given["max_skipped_ranks"],
            duplicates=given["duplicates"],
        ),
        options=count_options(given),
    )
    emit([report], given["report"], given["output"])
    return True


def count_options(
    given: dict[str, Any], section_weights: dict[str, Fraction] | None = None
) -> CountOptions:
    return CountOptions(
        tie_break=given["tie_break"],
        seed=given["seed"],
        batch_elimination=given["batch_elimination"],
        continue_until_two=given["continue_until_two"],
        quota=given["quota"],
        decimals=given["decimals"],
        section_weights=section_weights or {},
    )
