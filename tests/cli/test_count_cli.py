"""``omov count`` end to end: the real entry point (``omov.cli.main``), run in process with
its arguments, and once as the installed ``.venv/bin/omov`` in a subprocess."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from omov.cli import count_run, main
from omov.count import BallotSet, formats
from omov.count.errors import BallotFileError
from omov.count.formats import read_ballots, write_ballots
from omov.count.reports.native_json import report_from_json
from tests.conftest import REPO


def omov(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["omov", *args])
    try:
        main()
        code = 0
    except SystemExit as done:
        code = int(done.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_counts_a_toi_file_into_a_json_report(monkeypatch, capsys, data_dir, tmp_path):
    out = tmp_path / "report.json"
    ballots = data_dir / "burlington-2009" / "ballots.toi"
    code, _, err = omov(
        monkeypatch, capsys, "count", str(ballots), "-m", "fptp", "-r", "json", "-o", str(out)
    )
    assert (code, err) == (0, "")
    record = report_from_json(out.read_text(encoding="utf-8"))
    assert record["valid_ballots"] == "8980"
    assert record["rounds"][0]["tallies"]["Kurt Wright"] == "2951"  # the official round 1
    assert record["elected"] == ["Kurt Wright"]


def test_csv_and_parquet_written_by_omov_count_the_same(monkeypatch, capsys, tmp_path):
    ballots = BallotSet.from_rankings(
        ["Ann", "Bob", "Cat"], [[0, 1], [1], [2, 0], [0], [1, 2]], weights=[4, 3, 2, 1, 1]
    )
    reports = []
    for name, fmt in (("b.csv", "csv"), ("b.parquet", "parquet"), ("b.csv.gz", "csv")):
        write_ballots(ballots, tmp_path / name, format=fmt)
        code, out, err = omov(
            monkeypatch, capsys, "count", str(tmp_path / name), "-m", "fptp", "-r", "csv"
        )
        assert (code, err) == (0, "")
        reports.append(out)
    assert reports[0] == reports[1] == reports[2]
    assert "1,,candidate,Ann,5,elected" in reports[0]


BAD_INPUTS = [
    ("empty.csv", b"", 1, "empty file"),
    ("dup.csv", b"rank1,rank1\nA,B\n", 1, "column 'rank1' appears twice"),
    ("weights.csv", b"rank1,weight\nA,1\nB,x\n", 3, "bad weight 'x'"),
    ("unknown.csv", b'# candidates: ["A"]\nrank1\nA\nB\n', 4, "unknown candidate 'B'"),
    ("junk.csv", b"rank1\nA\n\x00\xff\xfe" * 10, 3, "binary data"),
    ("ragged.csv", b"rank1,rank2\nA,B\nA,B,C\n", 3, "3 fields"),
    ("bad.toi", b"# NUMBER ALTERNATIVES: 2\n1: 1,3\n", 2, "alternative 3 is outside 1..2"),
    ("tie.soi", b"# NUMBER ALTERNATIVES: 2\n1: {1,2}\n", 2, "a tie"),
]


@pytest.mark.parametrize(("name", "content", "line", "message"), BAD_INPUTS)
def test_bad_input_fails_in_one_line_and_writes_nothing(
    monkeypatch, capsys, tmp_path, name, content, line, message
):
    path = tmp_path / name
    path.write_bytes(content)
    out = tmp_path / "report.json"
    code, stdout, err = omov(monkeypatch, capsys, "count", str(path), "-r", "json", "-o", str(out))
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith(f"error: {path}:{line}: ")
    assert message in err
    assert "Traceback" not in err + stdout
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_an_unknown_format_is_one_line_too(monkeypatch, capsys, tmp_path):
    path = tmp_path / "ballots.xyz"
    path.write_text("rank1\nA\n")
    code, _, err = omov(monkeypatch, capsys, "count", str(path))
    assert code == 2
    assert err.startswith(f"error: {path}: cannot tell the ballot format")
    code, out, err = omov(
        monkeypatch, capsys, "count", str(path), "--format", "csv", "-m", "fptp", "-r", "csv"
    )
    assert (code, err) == (0, "")
    assert "1,,candidate,A,1,elected" in out


def test_a_large_file_reads_with_a_progress_bar_and_counts(monkeypatch, capsys, tmp_path):
    rng = np.random.default_rng(3)
    names = [f"Candidate {n} of the Long Name Party" for n in ("Ann", "Bob", "Cat", "Dee")]
    picks = rng.integers(0, 4, size=(150_000, 2))
    table = pl.DataFrame({f"rank{k + 1}": [names[i] for i in picks[:, k]] for k in range(2)})
    path = tmp_path / "large.csv"
    table.write_csv(path)
    assert path.stat().st_size > 8 * 2**20
    calls: list[tuple[int, int]] = []

    def spy(*args, progress=None, **kwargs):
        def seen(done: int, total: int) -> None:
            calls.append((done, total))
            progress(done, total)

        return read_ballots(*args, progress=seen, **kwargs)

    monkeypatch.setattr(formats, "read_ballots", spy)  # count_run imports it when it reads
    monkeypatch.setattr(count_run, "on_terminal", lambda: True)
    code, out, err = omov(monkeypatch, capsys, "count", str(path), "-m", "fptp", "-r", "csv")
    assert (code, err) == (0, "")
    assert calls
    assert calls[-1] == (path.stat().st_size, path.stat().st_size)
    firsts = np.bincount(picks[:, 0], minlength=4)
    for name, votes in zip(names, firsts, strict=True):
        assert f"1,,candidate,{name},{votes}," in out


def test_the_installed_command_fails_cleanly_on_junk(tmp_path):
    junk = tmp_path / "junk.parquet"
    junk.write_bytes(np.random.default_rng(5).integers(0, 256, 3_000_000, dtype=np.uint8).tobytes())
    out = tmp_path / "out.json"
    done = subprocess.run(
        [str(REPO / ".venv" / "bin" / "omov"), "count", str(junk), "-r", "json", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {junk}: not a Parquet file")
    assert done.stderr.count("\n") == 1
    assert not out.exists()
    assert Path(junk).exists()


def test_an_rctab_config_naming_a_zip_bomb_is_refused_in_one_line(
    monkeypatch, capsys, data_dir, tmp_path
):
    """An ES&S workbook whose sheet would unpack to 64 MiB from under 1 MiB: one line on
    stderr and status 2, no traceback (the limits: tests/count/formats/test_ess_xlsx.py)."""
    import json
    import zipfile

    case = "test_set_allow_only_one_winner_per_round"
    config = json.loads((data_dir / "rctab" / case / f"{case}_config.json").read_text())
    config["cvrFileSources"][0]["filePath"] = "bomb.xlsx"
    (tmp_path / "config.json").write_text(json.dumps(config))
    with (
        zipfile.ZipFile(tmp_path / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as book,
        book.open("xl/worksheets/sheet1.xml", "w") as sheet,
    ):
        for _ in range(64):
            sheet.write(b"<row/>" * (2**20 // 6))
    code, out, err = omov(
        monkeypatch, capsys, "count", "--rctab-config", str(tmp_path / "config.json")
    )
    assert (code, out) == (2, "")
    assert err.startswith("error: "), err
    assert err.count("\n") == 1, err
    assert err.rstrip().endswith("would unpack to over 100 times its stored size (a zip bomb?)")
    assert "Traceback" not in err


@pytest.mark.parametrize("name", ["-", "/dev/stdin"])
def test_the_installed_command_counts_ballots_piped_to_it(name, tmp_path):
    """Standard input (``-``, or ``/dev/stdin`` when it is a pipe) is counted as the same
    file would be; a stream's name tells no format, so ``--format`` is asked for, and a
    fault names the stream and its line."""
    ballots = BallotSet.from_rankings(
        ["Ann", "Bob", "Cat"], [[0, 1], [1], [2, 0], [0], [1, 2]], weights=[4, 3, 2, 1, 1]
    )
    write_ballots(ballots, tmp_path / "b.csv", format="csv")
    text = (tmp_path / "b.csv").read_bytes()
    command = [str(REPO / ".venv" / "bin" / "omov"), "count", "-m", "irv", "-r", "csv"]

    def piped(*args: str, given: bytes = text) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, *args], input=given.decode(), capture_output=True, text=True, timeout=60
        )

    on_file = piped(str(tmp_path / "b.csv"))
    done = piped(name, "-f", "csv")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == on_file.stdout
    assert "2,,candidate,Ann,7,elected" in done.stdout
    unnamed = piped(name)
    assert unnamed.returncode == 2
    assert unnamed.stderr == (
        f"error: {name}: cannot tell the ballot format from the name; give --format "
        "(blt, cdf, csv, parquet, rctab-csv, soi, toi)\n"
    )
    cut = piped(name, "-f", "blt", given=b"3 1\n1 1 2 0\n")
    assert cut.returncode == 2
    assert cut.stderr == f"error: {name}:3: truncated: no line '0' ends the ballots\n"


def test_a_folder_is_refused_as_a_folder_and_a_missing_file_as_missing(tmp_path):
    with pytest.raises(BallotFileError, match=r": is a folder, not a ballot file$"):
        read_ballots(tmp_path, format="blt")
    with pytest.raises(BallotFileError, match=r"nothing\.blt: no such file$"):
        read_ballots(tmp_path / "nothing.blt")


@pytest.mark.parametrize("format", ["csv", "blt"])
def test_the_installed_command_counts_a_gzipped_stream_told_by_its_first_bytes(
    format: str, tmp_path: Path
) -> None:
    """A stream has no name to end in .gz: a gzipped one is told by its first two bytes and
    counted as the same file gzipped (``.csv.gz``, ``.blt.gz``) and unzipped are; a fault
    in it still names the stream and its line."""
    ballots = BallotSet.from_rankings(
        ["Ann", "Bob", "Cat"], [[0, 1], [1], [2, 0], [0], [1, 2]], weights=[4, 3, 2, 1, 1]
    )
    write_ballots(ballots, tmp_path / f"b.{format}", format=format)
    plain = (tmp_path / f"b.{format}").read_bytes()
    command = [str(REPO / ".venv" / "bin" / "omov"), "count", "-m", "irv", "-r", "csv"]

    def run(*args: str, given: bytes = b"") -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([*command, *args], input=given, capture_output=True, timeout=60)

    on_file = run(str(tmp_path / f"b.{format}"))
    assert on_file.returncode == 0
    done = run("-", "-f", format, given=gzip.compress(plain))
    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout == on_file.stdout
    assert b"2,,candidate,Ann,7,elected" in done.stdout
    if format == "blt":
        cut = run("-", "-f", "blt", given=gzip.compress(b"3 1\n1 1 2 0\n"))
        assert cut.returncode == 2
        assert cut.stderr == b"error: -:3: truncated: no line '0' ends the ballots\n"
