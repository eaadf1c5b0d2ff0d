"""`omov verify` takes the bundle's zip as the results page serves it (the files under one
folder), a zip of the files themselves, and the directory either was unzipped into; a zip
is read as strictly as a directory."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from omov.ledger.errors import BundleError
from omov.ledger.verify import Check, archive, verify_bundle
from tests.ledger.test_bundle import run_cli


def _zip(bundle: Path, target: Path, *, folder: str = "contest-1-bundle") -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
            rel = path.relative_to(bundle).as_posix()
            out.write(path, f"{folder}/{rel}" if folder else rel)
    return target


def _lines(checks: list[Check]) -> list[str]:
    return [c.line() for c in checks]


@pytest.mark.parametrize("folder", ["contest-1-bundle", ""])
def test_the_zip_verifies_as_the_directory_does(
    bundle_dir: Path, tmp_path: Path, folder: str
) -> None:
    from_dir = verify_bundle(bundle_dir)
    from_zip = verify_bundle(_zip(bundle_dir, tmp_path / "bundle.zip", folder=folder))
    assert all(c.ok for c in from_zip)
    assert _lines(from_zip) == _lines(from_dir)


def test_the_directory_the_zip_was_unzipped_into_verifies(bundle_dir: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(_zip(bundle_dir, tmp_path / "bundle.zip")) as archived:
        archived.extractall(tmp_path / "unzipped")
    checks = verify_bundle(tmp_path / "unzipped")
    assert checks
    assert all(c.ok for c in checks)
    assert _lines(checks) == _lines(verify_bundle(bundle_dir))


def test_the_cli_takes_the_zip(
    bundle_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_cli(["verify", str(_zip(bundle_dir, tmp_path / "b.zip"))], monkeypatch) == 0
    assert "checks hold" in capsys.readouterr().out


@pytest.mark.parametrize("zipped", [True, False])
def test_the_cli_reads_a_results_bundle_once(
    bundle_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zipped: bool
) -> None:
    """Telling a petition's count from a contest's results reads names, not the files:
    each member or file is read once, by the results' verify."""
    from omov.ledger.verify import files

    target = _zip(bundle_dir, tmp_path / "b.zip") if zipped else bundle_dir
    reads: list[str] = []
    member, regular = archive._read_member, files.read_regular
    monkeypatch.setattr(
        archive,
        "_read_member",
        lambda zipped, info: reads.append(info.filename) or member(zipped, info),
    )
    monkeypatch.setattr(
        files, "read_regular", lambda path: reads.append(str(path)) or regular(path)
    )
    assert run_cli(["verify", str(target)], monkeypatch) == 0
    assert reads
    assert len(reads) == len(set(reads))


def test_a_changed_member_fails_the_checks_the_directory_fails(
    bundle_dir: Path, tmp_path: Path
) -> None:
    zipped = _zip(bundle_dir, tmp_path / "b.zip", folder="")
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(zipped) as src, zipfile.ZipFile(damaged, "w") as out:
        for member in src.infolist():
            data = src.read(member)
            if member.filename == "report.json":
                data = data[: len(data) // 2]
            out.writestr(member, data)
    failed = [c for c in verify_bundle(damaged) if not c.ok]
    assert failed
    assert {c.file for c in failed} >= {"report.json"}


def _with_member(zipped: Path, target: Path, name: str, mode: int, data: bytes) -> Path:
    with zipfile.ZipFile(zipped) as src, zipfile.ZipFile(target, "w") as out:
        for member in src.infolist():
            out.writestr(member, src.read(member))
        extra = zipfile.ZipInfo(name)
        extra.create_system = 3
        extra.external_attr = mode << 16
        out.writestr(extra, data)
    return target


@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize(
    ("name", "mode", "why"),
    [
        ("signatures/evil.json", stat.S_IFLNK | 0o777, "a symbolic link, not a regular file"),
        ("trackers2.txt", stat.S_IFIFO | 0o644, "a named pipe, not a regular file"),
        ("../outside.txt", stat.S_IFREG | 0o644, "a path outside the bundle"),
        ("/etc/cron.d/x", stat.S_IFREG | 0o644, "a path outside the bundle"),
        ("trackers.txt", stat.S_IFREG | 0o644, "in the zip twice"),
        ("a/b/c/d/e/f/g/h/i/j.txt", stat.S_IFREG | 0o644, "nested more than 8 folders deep"),
    ],
)
def test_a_member_that_is_not_a_plain_file_is_refused(
    bundle_dir: Path, tmp_path: Path, name: str, mode: int, why: str
) -> None:
    zipped = _zip(bundle_dir, tmp_path / "b.zip", folder="")
    target = _with_member(zipped, tmp_path / "odd.zip", name, mode, b"/etc/passwd")
    lines = [c.line() for c in verify_bundle(target) if not c.ok]
    assert f"FAIL files: {name}: {why}" in lines, lines  # one line: the member, its fault
    assert not (tmp_path / "outside.txt").exists()


@pytest.mark.parametrize("case", ["not-a-zip", "no-marker", "too-big"])
def test_a_zip_that_is_no_bundle_is_one_line(
    case: str,
    bundle_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "x.zip"
    if case == "not-a-zip":
        target.write_text("holiday photos\n")
    elif case == "no-marker":
        with zipfile.ZipFile(target, "w") as out:
            out.writestr("photos/beach.jpg", b"\xff\xd8")
    else:
        _zip(bundle_dir, target)
        monkeypatch.setattr(archive, "MAX_UNPACKED", 1000)
    with pytest.raises(BundleError):
        verify_bundle(target)
    assert run_cli(["verify", str(target)], monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:")
    assert str(target) in err
    assert err.strip().count("\n") == 0
    assert "Traceback" not in err


# -- zip bombs: refused from the zip's directory before any member is read ---------------------


def _bomb(bundle: Path, target: Path) -> Path:
    """The demo bundle's zip with its trackers replaced by 64 MiB of newlines packed into some
    64 KiB (over 1,000 times)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
            rel = path.relative_to(bundle).as_posix()
            if rel != "trackers.txt":
                out.write(path, f"contest-1-bundle/{rel}")
        with out.open("contest-1-bundle/trackers.txt", "w") as trackers:
            for _ in range(64):
                trackers.write(b"\n" * 2**20)
    assert target.stat().st_size < 2**20
    return target


def _nothing_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading any member fails the test: a refusal must come before a member is read."""

    def read(*args: object) -> bytes:
        raise AssertionError("a member was read")

    monkeypatch.setattr(archive, "_read_member", read)


def test_a_zip_bomb_is_refused_before_any_member_is_read(
    bundle_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = _bomb(bundle_dir, tmp_path / "bomb.zip")
    _nothing_read(monkeypatch)
    with pytest.raises(BundleError) as refused:
        verify_bundle(target)
    assert str(refused.value) == (
        f"{target}: refused: a member of the zip would unpack to over 100 times its packed"
        " size (a zip bomb?)"
    )


def test_the_cli_refuses_a_zip_bomb_in_one_line(
    bundle_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = _bomb(bundle_dir, tmp_path / "bomb.zip")
    assert run_cli(["verify", str(target)], monkeypatch) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"error: {target}: refused: ")
    assert err.count("\n") == 1, err
    assert err.rstrip().endswith("(a zip bomb?)")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("limit", "value", "message"),
    [
        ("MAX_MEMBERS", 5, r"refused: the zip holds over 5 entries$"),
        ("MAX_UNPACKED", 2**30, r"refused: the zip's files would unpack to over 1 GiB$"),
    ],
)
def test_a_zip_over_the_entry_or_size_limit_is_refused(
    bundle_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    limit: str,
    value: int,
    message: str,
) -> None:
    """Lowered limits (the demo bundle holds 13 files and 1 MiB: a real 40,000 entries or
    16 GiB would take minutes to make); with 1 GiB the demo's zip is declared to hold a
    member of 1 GiB, packed honestly no tighter than it is (the directory is rewritten)."""
    monkeypatch.setattr(archive, limit, value)
    target = _zip(bundle_dir, tmp_path / "b.zip")
    if limit == "MAX_UNPACKED":
        with zipfile.ZipFile(target) as zipped:
            member = zipped.getinfo("contest-1-bundle/ballots.parquet")
        _declare(target, member, file_size=2**30, compress_size=2**30)
    _nothing_read(monkeypatch)
    with pytest.raises(BundleError, match=message):
        verify_bundle(target)


def _declare(target: Path, member: zipfile.ZipInfo, **fields: int) -> None:
    """Rewrite a member's sizes or CRC in the zip's local header and central directory (a
    hostile zip's header says what its maker likes)."""
    local = {"crc": 14, "compress_size": 18, "file_size": 22}
    central = {"crc": 16, "compress_size": 20, "file_size": 24}
    data = bytearray(target.read_bytes())
    name = member.filename.encode()
    at = member.header_offset
    assert data[at : at + 4] == b"PK\x03\x04"
    assert data[at + 30 : at + 30 + len(name)] == name
    entry = data.index(b"PK\x01\x02")  # the central directory's first entry, then the next
    while data[entry + 46 : entry + 46 + len(name)] != name:
        entry = data.index(b"PK\x01\x02", entry + 46)
    for field, value in fields.items():
        data[at + local[field] : at + local[field] + 4] = value.to_bytes(4, "little")
        data[entry + central[field] : entry + central[field] + 4] = value.to_bytes(4, "little")
    target.write_bytes(bytes(data))


def test_a_member_that_holds_more_than_its_header_declares_is_refused(
    bundle_dir: Path, tmp_path: Path
) -> None:
    """The trackers' header declares their first 100 bytes, with those bytes' CRC: zipfile
    alone would hand back the 100 bytes and pass them; read past the declared size, the
    member is refused by name."""
    import zlib

    target = _zip(bundle_dir, tmp_path / "b.zip", folder="")
    trackers = (bundle_dir / "trackers.txt").read_bytes()
    assert len(trackers) > 100
    with zipfile.ZipFile(target) as zipped:
        member = zipped.getinfo("trackers.txt")
    _declare(target, member, file_size=100, crc=zlib.crc32(trackers[:100]))
    with zipfile.ZipFile(target) as zipped:
        assert zipped.read("trackers.txt") == trackers[:100]  # what zipfile alone gives
    refused = [c for c in verify_bundle(target) if not c.ok and c.name == "files"]
    assert [c.file for c in refused] == ["trackers.txt"]
    assert "holds more than the 100 bytes its zip entry declares" in refused[0].line()


def test_the_encrypted_demo_bundle_is_within_the_limits(
    encrypted_bundle_dir: Path, tmp_path: Path
) -> None:
    """The encrypted demo's zip (its ballot boxes and trustees' messages hardly pack) passes
    the checks and verifies as its directory does; the plain demo's zip is checked by the
    tests above."""
    zipped = _zip(encrypted_bundle_dir, tmp_path / "encrypted.zip")
    with zipfile.ZipFile(zipped) as opened:
        archive._refuse_a_bomb(zipped, opened.infolist())  # raises if refused
    from_zip = verify_bundle(zipped, workers=2)
    assert [c.line() for c in from_zip if not c.ok] == []
    assert _lines(from_zip) == _lines(verify_bundle(encrypted_bundle_dir, workers=2))
