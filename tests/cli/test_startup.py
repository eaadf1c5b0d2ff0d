"""``omov`` starts light: building the command line, ``omov --help`` and the help of commands
import neither Polars, NumPy, Django nor the rules engine, which the commands import when
they run. (Typer itself imports pydantic to parse a command's options: ``omov count`` parses its
plain form without it, ``count_run``.)"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer import _click as click
from typer.core import TyperGroup

from omov.cli import app
from omov.cli import commands as _commands  # noqa: F401  (registers the commands)
from omov.cli.catalogue import COMMANDS, ROOT_HELP
from omov.cli.lazy import LAZY, StandIn, StandInGroup, real_command
from omov.count.catalogue import CATALOGUE
from omov.count.methods import HOMES as METHOD_HOMES

HEAVY = ("polars", "numpy", "django", "pyarrow", "omov.count", "omov.electorate", "omov.rules")

SCRIPT = """
import json, sys
from omov.cli import main
sys.argv = ["omov", *sys.argv[1:]]
try:
    main()
    status = 0
except SystemExit as exit:
    status = exit.code or 0
heavy = json.loads(sys.stdin.read())
print("\\nLOADED " + json.dumps([status, sorted(m for m in heavy if m in sys.modules)]))
"""


def heavy_loaded(*args: str, watched: tuple[str, ...] = HEAVY) -> list[str]:
    """The heavy modules (those ``watched``) loaded by running ``omov ARGS`` in a fresh
    interpreter, which must succeed (a command that does not exist exits 2 and fails the
    test)."""
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args],
        input=json.dumps(watched),
        capture_output=True,
        text=True,
        check=True,
    )
    marker = done.stdout.rsplit("\nLOADED ", 1)
    assert len(marker) == 2, done.stdout + done.stderr
    status, loaded = json.loads(marker[1])
    assert status == 0, done.stdout + done.stderr
    return list(loaded)


def test_building_the_app_imports_no_heavy_package() -> None:
    script = (
        "import sys, typer\n"
        "from omov.cli import app, commands\n"
        "typer.main.get_command(app)\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["verify", "--help"],
        ["rules", "--help"],
        ["rules", "explain", "--help"],
        ["ledger", "--help"],
        ["bundle", "--help"],
        ["serve", "--help"],
    ],
)
def test_help_imports_no_heavy_package(args: list[str]) -> None:
    assert heavy_loaded(*args) == []


def test_explaining_a_rulebook_imports_neither_polars_nor_django() -> None:
    events = Path(__file__).parents[1] / "rules" / "events" / "labour-2016.yaml"
    loaded = heavy_loaded("rules", "explain", "labour/2016", "--events", str(events))
    assert "omov.rules" in loaded  # it ran
    assert not {"polars", "pyarrow", "django", "omov.electorate"} & set(loaded)


def test_the_help_of_count_lists_the_catalogue_without_counting_code() -> None:
    """``omov count --help`` reads the catalogue of methods (a light module of
    ``omov.count``), not the registry, which imports NumPy."""
    assert heavy_loaded("count", "--help") == ["omov.count"]


def test_checking_a_rulebook_loads_no_counting_code() -> None:
    """The rulebook's methods are checked against the catalogue, not the registry."""
    loaded = heavy_loaded("rules", "check", "labour/2016")
    assert "omov.rules" in loaded  # it ran
    assert not {"numpy", "polars", "pyarrow", "django"} & set(loaded)


def test_a_lazily_registered_command_loads_what_it_needs(tmp_path: Path) -> None:
    ballots = tmp_path / "b.csv"
    ballots.write_text("rank1\nA\n", encoding="utf-8")
    assert {"numpy", "omov.count"} <= set(heavy_loaded("count", str(ballots)))
    assert {"polars", "omov.electorate"} <= set(heavy_loaded("roll", "schema", "--help"))


@pytest.mark.parametrize("name", sorted(LAZY))
def test_a_stand_in_lists_the_real_command_help(name: str) -> None:
    real = real_command(name)
    assert not isinstance(real, StandIn | StandInGroup)
    assert isinstance(real, TyperGroup) == LAZY[name].group
    assert LAZY[name].help == real.help
    rebuilt = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    assert not isinstance(rebuilt, StandIn | StandInGroup)  # the real one took its place


def test_a_command_that_does_not_exist_fails_the_check() -> None:
    with pytest.raises(AssertionError):
        heavy_loaded("no-such-command", "--help")


def test_the_help_of_count_names_every_method() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, "count", "--help"],
        input="[]",
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    words = set(re.findall(r"[\w-]+", done.stdout))
    assert set(CATALOGUE) <= words
    assert {"wigm-one-per-round", "wigm-bottoms-up"} <= words


def _first_paragraph(text: str | None) -> str:
    return " ".join((text or "").split("\n\n")[0].split())


def test_the_plain_root_help_lists_what_the_app_lists() -> None:
    """``omov --help`` is printed from ``omov.cli.catalogue`` without Typer: it must name
    the app's commands, in its order, with the help Typer would show."""
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    context = click.Context(group)
    listed = []
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None
        listed.append((name, _first_paragraph(command.short_help or command.help)))
    assert listed == [(name, _first_paragraph(text)) for name, text in COMMANDS]
    assert _first_paragraph(group.help) == ROOT_HELP


def test_the_root_help_is_printed_without_typer_or_rich() -> None:
    script = (
        "import sys\n"
        "from omov.cli import main\n"
        "sys.argv = ['omov', '--help']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as done:\n"
        "    assert done.code == 0, done.code\n"
        "heavy = ('typer', 'rich', 'click', 'numpy', 'pydantic')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    *help_lines, loaded = done.stdout.strip().splitlines()
    assert loaded == "[]"
    text = "\n".join(help_lines)
    assert all(f"  {name} " in text for name, _ in COMMANDS)


IMPORTTIME = "import sys\nfrom omov.cli import main\nsys.argv = ['omov', *sys.argv[1:]]\nmain()\n"


def imported_by(*args: str) -> set[str]:
    """The top-level packages ``omov ARGS`` imports, as ``python -X importtime`` lists
    them (names, not times), from a run that must succeed."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", IMPORTTIME, *args],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = (line for line in done.stderr.splitlines() if line.startswith("import time:"))
    names = {line.rsplit("|", 1)[-1].strip() for line in lines}
    return {name.split(".")[0] for name in names} - {"import time:"}


BLT = '3 1\n1 1 2 0\n1 2 0\n1 3 1 0\n0\n"A"\n"B"\n"C"\n"t"\n'
RCTAB = "BallotID,A,B,C\nb1,1,2,\nb2,,1,\nb3,2,,1\n"
TYPER = ("typer", "pydantic")
LEAN = ("typer", "pydantic", "rich")


@pytest.mark.parametrize(
    ("args", "loads", "never"),
    [
        (["--help"], set(), {"polars", "pyarrow", "django", "pydantic", "numpy", "typer", "rich"}),
        (["count", "--help"], {"typer"}, {"polars", "pyarrow", "django", "numpy"}),
        (["rules", "check", "labour/2016"], {"pydantic"}, {"polars", "pyarrow", "django", "numpy"}),
        # A count's options are parsed without Typer (and so pydantic): ``count_run``.
        (["count", "{blt}"], {"numpy", "rich"}, {"polars", "pyarrow", "django", *TYPER}),
        (["count", "{blt}", "-r", "csv"], {"numpy"}, {"polars", "pyarrow", "django", *LEAN}),
        (["count", "{rctab}", "-f", "rctab-csv"], {"numpy"}, {"polars", "pyarrow", *TYPER}),
    ],
)
def test_each_command_imports_what_its_path_uses(
    tmp_path: Path, args: list[str], loads: set[str], never: set[str]
) -> None:
    (tmp_path / "b.blt").write_text(BLT, encoding="utf-8")
    (tmp_path / "cvr.csv").write_text(RCTAB, encoding="utf-8")
    files = {"blt": tmp_path / "b.blt", "rctab": tmp_path / "cvr.csv"}
    imported = imported_by(*(arg.format(**files) for arg in args))
    assert loads <= imported
    assert not never & imported, sorted(never & imported)


NOT_FOR_ONE_COUNT = (
    *(f"omov.count.methods.{home}" for home in METHOD_HOMES.values() if home != "irv"),
    "omov.count.reports.native_json",
    "omov.count.reports.rctab_json",
    "concurrent.futures",
    "logging",
    "random",
    "gzip",
    "tempfile",
    "numpy.random",
    "numpy.ma",
)
"""Modules a count of a plain file by IRV, to a CSV report, does not need: each costs a
command-line count (a process of its own) time before it reads a ballot."""


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("b.blt", '3 1\n1 1 2 0\n2 3 0\n0\n"A"\n"B"\n"C"\n'),
        ("b.csv", '# candidates: ["A", "B", "C"]\nrank1,rank2\nA,B\nC,\n'),
        ("b.rctab.csv", "BallotID,A,B,C\nb1,1,2,\nb2,,,1\n"),
    ],
)
def test_a_count_loads_one_method_and_one_report_writer(
    name: str, text: str, tmp_path: Path
) -> None:
    ballots = tmp_path / name
    ballots.write_text(text, encoding="utf-8")
    fmt = ["--format", "rctab-csv"] if name.endswith(".rctab.csv") else []
    args = ["count", str(ballots), *fmt, "--method", "irv", "--report", "csv"]
    watched = (*NOT_FOR_ONE_COUNT, "omov.count.methods.irv", "omov.count.reports.csv_report")
    assert heavy_loaded(*args, watched=watched) == [
        "omov.count.methods.irv",
        "omov.count.reports.csv_report",
    ]
