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
    ],
)
def test_a_member_that_is_not_a_plain_file_is_refused(
    bundle_dir: Path, tmp_path: Path, name: str, mode: int, why: str
) -> None:
    zipped = _zip(bundle_dir, tmp_path / "b.zip", folder="")
    target = _with_member(zipped, tmp_path / "odd.zip", name, mode, b"/etc/passwd")
    lines = [c.line() for c in verify_bundle(target) if not c.ok]
    assert any(why in line for line in lines), lines
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
        monkeypatch.setattr(archive, "MAX_ZIP_BYTES", 1000)
    with pytest.raises(BundleError):
        verify_bundle(target)
    assert run_cli(["verify", str(target)], monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:")
    assert str(target) in err
    assert err.strip().count("\n") == 0
    assert "Traceback" not in err
