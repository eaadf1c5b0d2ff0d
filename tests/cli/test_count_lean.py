"""``omov count``'s lean start (``count_run.lean_count``) and Typer's parse of the same
command line do the same: the same output, error and exit status; what the lean start does
not take, Typer parses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import omov.cli as cli_package
from omov.cli import count_run, main
from omov.cli.lazy import real_command
from tests.conftest import REPO

WARD = REPO / "src" / "omov" / "examples" / "ward.blt"

COMMAND_LINES = [
    [],
    ["-m", "scottish-stv"],
    ["--method=meek", "--report", "csv"],
    ["-m", "wigm", "-r", "json", "--seats", "2"],
    ["-f", "blt", "-m", "ers97", "--quota", "hare", "--decimals", "2"],
    ["-m", "irv", "--seats", "1", "--tie-break", "lot", "--seed", "7", "--batch-elimination"],
    ["-m", "irv", "--seats", "1", "--no-batch-elimination", "--continue-until-two", "-r", "csv"],
    ["-m", "fptp", "--overvote", "skip", "--duplicates", "exhaust", "--max-skipped-ranks", "1"],
    ["-m", "scottish-stv", "--overvote", "exhaust-if-multiple-continuing"],
    ["-m", "nosuch"],
    ["-m", "irv"],
    ["-m", "meek", "-r", "nosuch"],
    ["-m", "meek", "-r", "table", "-o", "out.txt"],
    ["-m", "meek", "--seats", "abc"],
    ["-m", "meek", "--seats", "-2"],
    ["-m", "meek", "--seats", "007"],
    ["-m", "meek", "--seats"],
    ["-m", "meek", "--quota", "HARE"],
    ["-m", "meek", "--format", "toi"],
    ["-m", "meek", "--format", "nosuch"],
    ["-m", "meek", "-m", "wigm"],
    ["-m", "meek", "--nosuch"],
    ["-m", "meek", "-f=blt"],
    ["-m", "meek", "--section-weight", "A=1/2"],
    ["-m", "meek", "--help"],
    ["-m", "meek", "--", "-r"],
]


def omov(monkeypatch, capsys, args: list[str], *, lean: bool) -> tuple[int, str, str]:
    with monkeypatch.context() as patch:
        patch.setattr(sys, "argv", ["omov", "count", *args])
        if not lean:
            patch.setattr(cli_package, "_lean_count", lambda args: None)
        try:
            main()
            code = 0
        except SystemExit as done:
            code = int(done.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("extra", COMMAND_LINES, ids=" ".join)
@pytest.mark.parametrize("file", [WARD, Path("no-such-file.blt")], ids=["ward", "missing"])
def test_the_lean_start_and_typer_do_alike(monkeypatch, capsys, tmp_path, file, extra) -> None:
    monkeypatch.chdir(tmp_path)
    args = [str(file), *extra]
    lean = omov(monkeypatch, capsys, args, lean=True)
    written = sorted(p.name for p in tmp_path.iterdir())
    typer_ = omov(monkeypatch, capsys, args, lean=False)
    assert lean == typer_
    assert sorted(p.name for p in tmp_path.iterdir()) == written


def test_the_lean_start_takes_the_plain_form_and_leaves_the_rest() -> None:
    taken = count_run.parse_plain(["b.blt", "-m", "meek", "--seats=2", "--batch-elimination"])
    assert taken is not None
    file, given = taken
    assert (file, given["method"], given["seats"], given["batch_elimination"]) == (
        Path("b.blt"),
        "meek",
        2,
        True,
    )
    for args in (
        [],
        ["a.blt", "b.blt"],
        ["a.blt", "--help"],
        ["a.blt", "--rctab-config", "c.json"],
        ["--rctab-config", "c.json"],
        ["a.blt", "--seats", "two"],
        ["a.blt", "--quota", "DROOP"],
        ["a.blt", "--format"],
        ["a.blt", "--format", "-m"],
        ["a.blt", "-fblt"],
        ["a.blt", "-f=blt"],
    ):
        assert count_run.parse_plain(args) is None, args


def test_the_lean_start_knows_every_option_typer_declares() -> None:
    """Each option of ``count_cmd``, but the two left to Typer, is in the lean start's
    tables under every name Typer gives it; and the lean start knows no other."""
    command = real_command("count")
    declared: set[str] = set()
    for param in command.params:
        if param.param_type_name == "option":
            declared.update(param.opts, param.secondary_opts)
    left_to_typer = {"--rctab-config", "--section-weight", "--help"}
    assert declared - left_to_typer == set(count_run.VALUED) | set(count_run.FLAGS)
    defaults = {p.name: p.default for p in command.params if p.name not in ("file", "rctab_config")}
    for name, default in defaults.items():
        if name != "section_weight":
            assert count_run.DEFAULTS[name] == default, name


def test_a_plain_count_imports_neither_typer_nor_pydantic_nor_rich() -> None:
    script = (
        "import json, sys\n"
        "from omov.cli import main\n"
        f"sys.argv = ['omov', 'count', {str(WARD)!r}, '-m', 'meek', '-r', 'csv']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as done:\n"
        "    assert done.code == 0, done.code\n"
        "heavy = ('typer', 'pydantic', 'rich', 'polars', 'pyarrow')\n"
        "print(json.dumps(sorted(m for m in heavy if m in sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []
    assert done.stdout.startswith("round,")


def test_a_large_file_into_a_pipe_draws_no_bar(monkeypatch, capsys) -> None:
    monkeypatch.setattr(count_run, "LARGE_FILE", 1)  # the ward's file is "large"
    code, out, err = omov(monkeypatch, capsys, [str(WARD), "-m", "meek", "-r", "csv"], lean=True)
    assert (code, err) == (0, "")
    assert out.startswith("round,")


def test_typer_is_still_the_parser_of_help(monkeypatch, capsys) -> None:
    code, out, _ = omov(monkeypatch, capsys, ["--help"], lean=True)
    assert code == 0
    assert "--tie-break" in out


def test_a_large_file_is_mapped_once_meanwhile_and_read_from_there(
    monkeypatch, capsys, tmp_path: Path
) -> None:
    """A count maps a large BLT or CSV file in a thread while it imports (``mapping``), and
    its reader reads that mapping: the file is mapped once, and the count is the same."""
    from omov.count import mapping
    from omov.count.formats import runs

    assert count_run.MAP_AT_LEAST == runs.MAP_AT_LEAST
    text = WARD.read_text(encoding="utf-8")
    head, rest = text.split("\n", 1)
    ballots, names = rest.split("\n0\n", 1)
    copies = -(-runs.MAP_AT_LEAST // len(ballots)) + 1  # past the size mapped
    large = tmp_path / "large.blt"
    large.write_text(f"{head}\n" + f"{ballots}\n" * copies + f"0\n{names}", encoding="utf-8")
    assert large.stat().st_size >= runs.MAP_AT_LEAST
    mapped: list[Path] = []
    original = mapping._map

    def counted(path: Path, at_least: int) -> tuple[mapping.Text, mapping.Identity]:
        mapped.append(path)
        return original(path, at_least)

    monkeypatch.setattr(mapping, "_map", counted)
    code, out, err = omov(
        monkeypatch, capsys, [str(large), "-m", "irv", "--seats", "1", "-r", "csv"], lean=True
    )
    assert (code, err) == (0, "")
    assert mapped == [large]
    assert mapping._early is None  # taken
    monkeypatch.setattr(mapping, "map_early", lambda path, at_least: None)
    assert (
        omov(
            monkeypatch, capsys, [str(large), "-m", "irv", "--seats", "1", "-r", "csv"], lean=True
        )[1]
        == out
    )
    assert mapped == [large, large]  # mapped by the reader itself


def test_a_count_freezes_its_objects_as_the_process_ends_not_before(monkeypatch, capsys) -> None:
    """Python's collection at shutdown passes over frozen objects: a count freezes them as
    its process ends (an exit function), and an in-process caller keeps its collector."""
    import gc

    code, _, _ = omov(monkeypatch, capsys, [str(WARD), "-m", "meek", "-r", "csv"], lean=True)
    assert code == 0
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    script = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('FROZEN', gc.get_freeze_count()))\n"
        "from omov.cli import main\n"
        f"sys.argv = ['omov', 'count', {str(WARD)!r}, '-m', 'meek', '-r', 'csv']\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    frozen = int(done.stdout.rsplit("FROZEN ", 1)[1])
    assert frozen > 10_000
