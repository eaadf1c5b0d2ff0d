"""The demo contest's bundle verifies, and `omov verify` refuses what is not a bundle."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from omov.cli import main
from omov.ledger.keys import SigningKey
from omov.ledger.verify import verify_bundle
from tests.ledger.conftest import DemoContest


def run_cli(args: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(sys, "argv", ["omov", *args])
    try:
        main()
    except SystemExit as done:
        return int(done.code or 0)
    return 0


def test_the_demo_bundle_verifies_every_check(bundle_dir: Path) -> None:
    checks = verify_bundle(bundle_dir)
    assert [c.line() for c in checks if not c.ok] == []
    names = {c.name for c in checks}
    assert {"manifest", "signature", "countersignature", "log consistency", "rulebook"} <= names
    assert {"count setup", "electorate", "ballots", "trackers", "recount"} <= names
    recounts = [c for c in checks if c.name == "recount"]
    assert {c.file for c in recounts} == {"report.json", "report-rctab.json"}


def test_verify_shares_the_proofs_checks_across_every_core_it_may_use_unless_told(
    bundle_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import omov.ledger.verify as verify

    asked: list[int] = []
    read = verify.read_evidence

    def recording(path: Path, workers: int = 1) -> verify.Evidence:
        asked.append(workers)
        return read(path, workers)

    monkeypatch.setattr(verify, "read_evidence", recording)
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 2, 5})
    assert run_cli(["verify", str(bundle_dir)], monkeypatch) == 0
    assert run_cli(["verify", str(bundle_dir), "--workers", "1"], monkeypatch) == 0
    assert asked == [3, 1]
    assert capsys.readouterr().out.count(" checks hold\n") == 2
    assert run_cli(["verify", str(bundle_dir), "--workers", "-1"], monkeypatch) == 2
    assert "--workers: must be 0 (one per core) or more" in capsys.readouterr().err
    assert asked == [3, 1]


def test_verify_cli_exits_0_and_finds_a_voters_tracker(
    bundle_dir: Path,
    demo: DemoContest,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    tracker = next(iter(demo.tracker_of_elector.values()))
    assert run_cli(["verify", str(bundle_dir), "--tracker", tracker.lower()], monkeypatch) == 0
    out = capsys.readouterr().out
    assert f"{tracker} is on the board, ranking" in out
    assert (
        run_cli(["verify", str(bundle_dir), "--tracker", "AAAA-AAAA-AAAA-AAAA"], monkeypatch) == 1
    )
    assert "AAAA-AAAA-AAAA-AAAA is not on the board" in capsys.readouterr().out


def test_a_pinned_officer_key_must_match_whole(bundle_dir: Path, officer: SigningKey) -> None:
    fp = officer.fingerprint
    assert all(c.ok for c in verify_bundle(bundle_dir, expect_keys=(fp,)))
    wrong = verify_bundle(bundle_dir, expect_keys=("0" * 64,))
    assert [c.name for c in wrong if not c.ok] == ["officer key"]


@pytest.mark.parametrize("case", ["missing", "empty", "foreign", "truncated-marker"])
def test_not_a_bundle_is_one_line_and_no_traceback(
    case: str,
    bundle_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "b"
    if case == "empty":
        target.mkdir()
    elif case == "foreign":
        target.mkdir()
        (target / "README.txt").write_text("holiday photos\n")
    elif case == "truncated-marker":
        shutil.copytree(bundle_dir, target)
        marker = target / "omov-bundle.json"
        marker.write_bytes(marker.read_bytes()[:40])
    assert run_cli(["verify", str(target)], monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:")
    assert err.strip().count("\n") == 0
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "victim", ["ballots.parquet", "ledger/entries.jsonl", "report.json", "ledger/heads.json"]
)
def test_a_truncated_file_fails_its_checks_without_a_traceback(
    victim: str,
    bundle_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "b"
    shutil.copytree(bundle_dir, target)
    data = (target / victim).read_bytes()
    (target / victim).write_bytes(data[: len(data) // 2])
    assert run_cli(["verify", str(target)], monkeypatch) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert f"FAIL manifest: {victim}:" in captured.out


def test_truncating_any_file_fails_a_check_and_never_raises(
    bundle_dir: Path, tmp_path: Path
) -> None:
    files = sorted(
        p.relative_to(bundle_dir).as_posix() for p in bundle_dir.rglob("*") if p.is_file()
    )
    assert len(files) >= 12
    for rel in files:
        if rel == "omov-bundle.json":
            continue  # refused before any check, see above
        for keep in (0, 1, 7):
            target = tmp_path / f"{rel.replace('/', '_')}-{keep}"
            shutil.copytree(bundle_dir, target)
            data = (target / rel).read_bytes()
            (target / rel).write_bytes(data[: keep if keep < len(data) else len(data) // 2])
            failed = [c for c in verify_bundle(target) if not c.ok]
            assert failed, rel
            shutil.rmtree(target)


def test_the_cli_builds_signs_verifies_and_exports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from omov.examples import WARD_BLT

    monkeypatch.setenv("OMOV_KEY_PASSPHRASE", "a long passphrase")
    officer, scrutineer = tmp_path / "officer.key", tmp_path / "scrutineer.key"
    assert run_cli(["bundle", "keygen", str(officer)], monkeypatch) == 0
    assert run_cli(["bundle", "keygen", str(scrutineer)], monkeypatch) == 0
    assert b"ENCRYPTED" in officer.read_bytes()
    bundle = tmp_path / "bundle"
    args = ["bundle", "build-demo", str(WARD_BLT), "-o", str(bundle), "--key", str(officer)]
    assert run_cli([*args, "--rulebook", "labour/2016"], monkeypatch) == 0
    assert run_cli(["bundle", "sign", str(bundle), "--key", str(scrutineer)], monkeypatch) == 0
    capsys.readouterr()
    export = tmp_path / "export"
    pins = ["--expect-key", f"{officer}.pub", "--trust", f"{scrutineer}.pub"]
    assert run_cli(["verify", str(bundle), "--export", str(export), *pins], monkeypatch) == 0
    out = capsys.readouterr().out
    assert "ok   countersignature" in out
    assert "(trusted)" in out
    assert "ok   officer key" in out
    assert "FAIL" not in out
    assert "all 24 checks hold" in out  # the demo encrypts: 7 checks of the proofs
    for check in ("trustee messages", "key generation", "ballot proofs", "shuffle"):
        assert f"ok   {check}: secrecy/" in out
    assert "ok   decrypted board: ballots.parquet: the board is the 2400 decrypted papers" in out
    assert (export / "ballots.blt").is_file()
    assert (export / "ballots-rctab.csv").is_file()
    assert (export / "rctab-config.json").is_file()
    # The officer's key where a scrutineer's is required: refused, as is a prefix.
    assert run_cli(["verify", str(bundle), "--trust", f"{officer}.pub"], monkeypatch) == 1
    assert "no countersignature by trusted key" in capsys.readouterr().out
    assert run_cli(["verify", str(bundle), "--expect-key", "0123abcd"], monkeypatch) == 2
    assert "full fingerprint" in capsys.readouterr().err
    monkeypatch.setenv("OMOV_KEY_PASSPHRASE", "wrong")
    assert run_cli(["bundle", "sign", str(bundle), "--key", str(scrutineer)], monkeypatch) == 2
    assert "wrong passphrase" in capsys.readouterr().err


def test_heads_an_observer_saved_are_checked_from_the_cli(
    bundle_dir: Path,
    tmp_path: Path,
    officer: SigningKey,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The observer saved the heads at open and close (as the web app serves them); the
    officer then rewrites a nomination and signs everything again."""
    import json

    from tests.ledger.rewrite import copy, edit_entry, entries, rewrite_log

    heads = json.loads((bundle_dir / "ledger/heads.json").read_text())
    saved = []
    for k, head in enumerate(heads["contest"][:2] + heads["ballots"][1:2]):
        path = tmp_path / f"head-{k}.json"
        path.write_text(json.dumps(head))
        saved += ["--head", str(path)]
    assert run_cli(["verify", str(bundle_dir), *saved], monkeypatch) == 0
    assert capsys.readouterr().out.count("ok   saved head") == 3
    rewritten = copy(bundle_dir, tmp_path / "rewritten")
    lines = entries(rewritten)
    lines[2] = edit_entry(lines[2], nominator="00" * 32)
    rewrite_log(rewritten, officer, lines)
    assert run_cli(["verify", str(rewritten), *saved], monkeypatch) == 1
    out = capsys.readouterr().out
    assert "FAIL saved head: ledger/entries.jsonl:" in out
    assert "the log was rewritten" in out
