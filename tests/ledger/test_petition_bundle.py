"""A petition's signed count: written from its log, verified offline, and every way a
rewritten count, a dropped or doubled signer, or a foreign head is caught."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from omov.cli import main
from omov.ledger.heads import sign_head
from omov.ledger.keys import SigningKey
from omov.ledger.log import Log
from omov.ledger.petition import (
    AWAITING,
    CLOSED,
    COUNTED,
    MEMBER,
    NON_MEMBER,
    OPENED,
    REJECTED,
    REVIEWED,
    Leaf,
    PetitionPublication,
    closing_entries,
    entry_bytes,
    text_sha256,
    write_petition_bundle,
)
from omov.ledger.petition_verify import verify_petition
from omov.rules.loading import read_rulebook

RULEBOOK_TEXT, BOOK = read_rulebook("labour/2018")
TEXT = "Bring back the trains."
KEY = SigningKey.generate()
assert BOOK.local is not None
assert BOOK.local.petitions is not None
THRESHOLDS = [t.signatures for t in BOOK.local.petitions.thresholds]  # 10,000 and 100,000


def signer(n: int, salt: str = "m") -> str:
    return hashlib.sha256(f"{salt}{n}".encode()).hexdigest()


def build(directory: Path, leaves: list[Leaf], *, extra: list[bytes] = ()) -> Path:  # type: ignore[assignment]
    log = Log("petition-1")
    log.append_bytes(
        entry_bytes(
            OPENED,
            petition="petition-1",
            title="Trains",
            text_sha256=text_sha256(TEXT),
            rulebook="labour/2018",
            rulebook_sha256=text_sha256(RULEBOOK_TEXT),
            actor="secretary",
            at="2026-01-01T00:00:00+00:00",
            citation="Petitions scheme",
        )
    )
    opened = sign_head(log, KEY, OPENED)
    for data in extra:
        log.append_bytes(data)
    for data in closing_entries(
        leaves, thresholds=THRESHOLDS, min_published=10, at="2026-02-01T00:00:00+00:00", actor="x"
    ):
        log.append_bytes(data)
    closed = sign_head(log, KEY, CLOSED)
    pub = PetitionPublication(log, (opened, closed), "Trains", TEXT, RULEBOOK_TEXT, "labour/2018")
    return write_petition_bundle(pub, directory / "bundle", KEY)


def sample() -> tuple[list[Leaf], list[bytes]]:
    leaves = [Leaf(signer(n), MEMBER, "Ward A" if n < 12 else "Ward B", COUNTED) for n in range(14)]
    leaves += [Leaf(signer(n, "e"), NON_MEMBER, "", COUNTED) for n in range(4)]
    leaves.append(Leaf(signer(1, "flag"), NON_MEMBER, "", AWAITING))
    leaves.append(Leaf(signer(2, "flag"), NON_MEMBER, "", REJECTED))
    review = entry_bytes(
        REVIEWED, signer=signer(2, "flag"), accepted=False, reason="disposable-email",
        actor="officer", at="2026-01-02T00:00:00+00:00", citation="Petitions scheme",
    )  # fmt: skip
    return leaves, [review]


def run_cli(args: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(sys, "argv", ["omov", *args])
    try:
        main()
    except SystemExit as done:
        return int(done.code or 0)
    return 0


def test_a_count_verifies_offline_with_members_and_non_members_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    leaves, extra = sample()
    bundle = build(tmp_path, leaves, extra=extra)
    count = json.loads((bundle / "count.json").read_text())
    # Ward B's 2 counted signatures are under the 10 published: merged into "other units".
    assert count == {
        "total": 18,
        "members": 14,
        "non_members": 4,
        "by_unit": {"Ward A": 12, "other units": 2},
        "awaiting_review": 1,
        "rejected": 1,
        "thresholds_reached": [],
    }
    checks = verify_petition(bundle, expect_keys=(KEY.fingerprint,))
    assert all(c.ok for c in checks), [c.line() for c in checks if not c.ok]
    assert run_cli(["verify", str(bundle), "--expect-key", KEY.fingerprint], monkeypatch) == 0
    printed = capsys.readouterr().out
    assert "18 counted: 14 members, 4 non-members" in printed
    assert "all 8 checks hold" in printed
    zipped = shutil.make_archive(str(tmp_path / "count"), "zip", tmp_path, "bundle")
    assert run_cli(["verify", zipped], monkeypatch) == 0


@pytest.mark.parametrize("zipped", [True, False])
def test_the_cli_reads_a_petitions_count_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zipped: bool
) -> None:
    from omov.ledger.verify import archive, files

    leaves, extra = sample()
    bundle = build(tmp_path, leaves, extra=extra)
    target = shutil.make_archive(str(tmp_path / "count"), "zip", tmp_path, "bundle")
    reads: list[str] = []
    member, regular = archive._read_member, files.read_regular

    def read_member(zipped: object, info: zipfile.ZipInfo) -> bytes | str:
        reads.append(info.filename)
        return member(zipped, info)  # type: ignore[arg-type]

    def read_regular(path: Path) -> bytes | str:
        reads.append(str(path))
        return regular(path)

    monkeypatch.setattr(archive, "_read_member", read_member)
    monkeypatch.setattr(files, "read_regular", read_regular)
    assert run_cli(["verify", target if zipped else str(bundle)], monkeypatch) == 0
    assert reads
    assert len(reads) == len(set(reads))


def test_a_signer_twice_is_refused_when_writing():
    leaves, _ = sample()
    with pytest.raises(Exception, match="appears twice"):
        closing_entries([*leaves, leaves[0]], thresholds=[], min_published=1, at="", actor="")


def _failures(bundle: Path) -> list[str]:
    return [c.line() for c in verify_petition(bundle) if not c.ok]


def test_a_rewritten_count_a_dropped_leaf_and_a_foreign_signature_fail(tmp_path: Path):
    leaves, extra = sample()
    bundle = build(tmp_path, leaves, extra=extra)
    tampered = tmp_path / "count"
    shutil.copytree(bundle, tampered)
    count = tampered / "count.json"
    count.write_text(count.read_text().replace('"total": 18', '"total": 19'))
    assert any("manifest" in line for line in _failures(tampered))
    # Rebuilt whole by someone else's key, with a signature dropped: still caught.
    other = tmp_path / "dropped"
    other.mkdir()
    rebuilt = build(other, leaves[1:], extra=extra)
    checks = verify_petition(rebuilt, expect_keys=("0" * 64,))
    assert not next(c for c in checks if c.name == "organisation key").ok
    # A rejected leaf with no review in the log.
    unreviewed = tmp_path / "unreviewed"
    unreviewed.mkdir()
    assert any("no review" in line for line in _failures(build(unreviewed, leaves)))


def test_a_log_rewritten_after_its_opened_head_fails(tmp_path: Path):
    leaves, extra = sample()
    bundle = build(tmp_path, leaves, extra=extra)
    entries = bundle / "ledger" / "entries.jsonl"
    lines = entries.read_bytes().split(b"\n")
    lines[0] = lines[0].replace(b"Trains", b"Planes")
    entries.write_bytes(b"\n".join(lines))
    failures = _failures(bundle)
    assert any("tree heads" in line for line in failures)
