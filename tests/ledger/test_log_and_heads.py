"""Entries, the log, signed tree heads, keys, and `omov ledger check`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from omov.cli import main
from omov.ledger.demo import DemoContest
from omov.ledger.entries import EntryKind, make_entry, parse_entry, person_key
from omov.ledger.errors import EntryError, SignatureError
from omov.ledger.heads import SignedTreeHead, head_matches_log, heads_consistent, sign_head
from omov.ledger.keys import SigningKey
from omov.ledger.log import Log


def test_entries_are_canonical_json_and_refuse_any_other_form() -> None:
    entry = make_entry(EntryKind.ROLL_IMPORTED, section="members", sha256="ab" * 32, rows=12)
    data = entry.to_bytes()
    assert (
        data
        == b'{"kind":"roll-imported","rows":12,"section":"members","sha256":"' + b"ab" * 32 + b'"}'
    )
    assert parse_entry(data) == entry
    spaced = data.replace(b",", b", ")
    with pytest.raises(EntryError, match="canonical"):
        parse_entry(spaced)
    with pytest.raises(EntryError, match="lacks 'rows'"):
        make_entry(EntryKind.ROLL_IMPORTED, section="members", sha256="x")
    with pytest.raises(EntryError, match="whole number"):
        make_entry(EntryKind.ROLL_IMPORTED, section="m", sha256="x", rows=True)
    with pytest.raises(EntryError, match="unknown ledger entry kind"):
        make_entry("vote-rigged")


def test_a_person_is_a_keyed_hash_never_a_name() -> None:
    key = person_key(b"contest secret", "M0001234")
    assert "M0001234" not in key
    assert key != person_key(b"another contest", "M0001234")
    assert len(key) == 64


def test_a_consistency_check_catches_a_ballot_removed_between_two_saved_heads(
    demo: DemoContest, officer: SigningKey
) -> None:
    ballots = list(demo.ballot_log)
    honest = Log("demo/ballots", ballots)
    early = sign_head(honest, officer, "while-open", size=1000)
    late = sign_head(honest, officer, "ballot-closed")
    proof = honest.consistency_proof(1000)
    assert heads_consistent(early, late, proof) is None

    # The server drops ballot 500 after the observer saved the early head.
    tampered = Log("demo/ballots", ballots[:500] + ballots[501:])
    rewritten = sign_head(tampered, officer, "ballot-closed")
    problem = heads_consistent(early, rewritten, tampered.consistency_proof(1000))
    assert problem is not None
    assert "does not extend" in problem
    # Nor can the server pass off the honest proof with its rewritten head.
    assert heads_consistent(early, rewritten, proof) is not None
    assert head_matches_log(early, tampered) is not None


def test_heads_are_signed_and_a_changed_head_fails(demo: DemoContest) -> None:
    head = demo.publication.contest_heads[-1]
    assert head.signature_holds()
    data = head.to_json()
    data["size"] -= 1
    assert not SignedTreeHead.from_json(data).signature_holds()
    data = head.to_json()
    data["key"] = "0" * 64
    with pytest.raises(Exception, match="fingerprint"):
        SignedTreeHead.from_json(data)


def test_keys_are_encrypted_at_rest(tmp_path: Path) -> None:
    key = SigningKey.generate()
    path = tmp_path / "officer.key"
    key.save(path, b"correct horse")
    pem = path.read_bytes()
    assert b"ENCRYPTED PRIVATE KEY" in pem
    assert SigningKey.load(path, b"correct horse").fingerprint == key.fingerprint
    with pytest.raises(SignatureError, match="wrong passphrase"):
        SigningKey.load(path, b"wrong")
    with pytest.raises(SignatureError, match="passphrase"):
        key.to_pem(b"")


def _cli(args: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(sys, "argv", ["omov", *args])
    try:
        main()
    except SystemExit as done:
        return int(done.code or 0)
    return 0


def test_ledger_check_cli_accepts_an_extension_and_refuses_a_rewrite(
    bundle_dir: Path,
    tmp_path: Path,
    officer: SigningKey,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    heads = json.loads((bundle_dir / "ledger/heads.json").read_text())["contest"]
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(heads[0]))
    new.write_text(json.dumps(heads[-1]))
    entries = bundle_dir / "ledger/entries.jsonl"
    assert _cli(["ledger", "check", str(old), str(new), "--log", str(entries)], monkeypatch) == 0
    assert "consistent" in capsys.readouterr().out

    lines = entries.read_bytes().split(b"\n")[:-1]
    del lines[3]
    rewritten_log = Log("demo", lines)
    rewritten = tmp_path / "rewritten.jsonl"
    rewritten.write_bytes(rewritten_log.to_jsonl())
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(sign_head(rewritten_log, officer, "published").to_json()))
    code = _cli(["ledger", "check", str(old), str(forged), "--log", str(rewritten)], monkeypatch)
    assert code == 2
    err = capsys.readouterr().err
    assert "does not extend" in err
    assert err.count("\n") == 1
