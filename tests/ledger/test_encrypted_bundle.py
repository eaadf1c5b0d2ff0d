"""An encrypted contest's bundle: ``omov verify`` checks every proof, from the key
generation to the decrypted board, then recounts; a mixer that drops, duplicates or
replaces one ciphertext (and signs what it did) is named with the check it fails."""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from omov.ledger import demo as demo_module
from omov.ledger import demo_secrecy
from omov.ledger.board import TrackerMode
from omov.ledger.bundle import (
    MANIFEST,
    OFFICER_SIGNATURE,
    manifest_bytes,
    write_bundle,
    write_signature,
)
from omov.ledger.encrypted import BOXES, TRUSTEES
from omov.ledger.keys import SigningKey
from omov.ledger.verify import Check, verify_bundle
from omov.secrecy.elgamal import Ciphertext
from omov.secrecy.group import Element
from omov.secrecy.keyfile import TrusteeKey
from omov.secrecy.messages import Message, MessageKind
from omov.secrecy.trustee import mix
from tests.ledger.conftest import build_encrypted, rulebook_text

SECRECY_CHECKS = (
    "trustee messages",
    "key generation",
    "ballot proofs",
    "shuffle",
    "decryption",
    "decrypted board",
)


def test_the_encrypted_demo_verifies_every_proof_then_recounts(
    encrypted_bundle_dir: Path,
) -> None:
    checks = verify_bundle(encrypted_bundle_dir, workers=2)
    assert [c.line() for c in checks if not c.ok] == []
    names = [c.name for c in checks]
    assert set(SECRECY_CHECKS) <= set(names)
    # In the order the contest ran, and before the recount.
    order = [names.index(n) for n in SECRECY_CHECKS]
    assert order == sorted(order)
    assert order[-1] < names.index("recount")
    lines = {c.name: c.message for c in checks}
    assert "12 ballots, each proof of knowledge holds" in lines["ballot proofs"]
    assert "mixers: trustees 3, 2" in lines["shuffle"]
    assert "the board is the 12 decrypted papers" in lines["decrypted board"]
    assert (encrypted_bundle_dir / BOXES).is_file()


def test_a_plain_contest_says_it_was_not_encrypted(bundle_dir: Path) -> None:
    checks = verify_bundle(bundle_dir)
    secrecy = [c for c in checks if c.name == "ballot secrecy"]
    assert [c.ok for c in secrecy] == [True]
    assert "not an encrypted contest" in secrecy[0].message
    assert not any(c.name in SECRECY_CHECKS for c in checks)


def _resign(directory: Path, officer: SigningKey) -> None:
    """The officer re-signs the changed bundle (the scrutineer's countersignature, of the
    bundle they checked, no longer holds: left out of what these tests compare)."""
    (directory / MANIFEST).write_bytes(manifest_bytes(directory))
    write_signature(directory, officer, role="returning-officer", path=OFFICER_SIGNATURE)


def _failures(directory: Path) -> list[Check]:
    return [c for c in verify_bundle(directory) if not c.ok and c.name != "countersignature"]


def test_the_secrecy_files_cannot_be_left_out_or_swapped(
    encrypted_bundle_dir: Path, tmp_path: Path, officer: SigningKey
) -> None:
    gone = tmp_path / "gone"
    shutil.copytree(encrypted_bundle_dir, gone)
    shutil.rmtree(gone / "secrecy")
    _resign(gone, officer)  # an officer who leaves the proofs out re-signs the manifest
    failed = {(c.name, c.file) for c in _failures(gone)}
    assert failed == {("ballot secrecy", TRUSTEES)}

    swapped = tmp_path / "swapped"
    shutil.copytree(encrypted_bundle_dir, swapped)
    lines = (swapped / TRUSTEES).read_text().splitlines(keepends=True)
    lines[-1], lines[-2] = lines[-2], lines[-1]  # the two decryption shares, reordered
    (swapped / TRUSTEES).write_text("".join(lines))
    _resign(swapped, officer)
    failures = _failures(swapped)
    assert [(c.name, c.file) for c in failures] == [("trustee messages", TRUSTEES)]
    assert "message 12 is trustee 2's decryption-share" in failures[0].message


Change = Callable[[list[bytes]], list[bytes]]


def _cheating_mixer(cheater: int, change: Change) -> Callable[..., Message]:
    """Mixes honestly, then changes its output and signs that (its own key: the signature
    holds, the log records it; only the proof of shuffle can tell)."""

    def step(key: TrusteeKey, election_key: Element, inputs: Sequence[Ciphertext]) -> Message:
        honest = mix(key, election_key, inputs)
        if key.trustee != cheater:
            return honest
        raw = base64.b64decode(honest.body["ciphertexts"])
        cts = change([raw[i : i + 64] for i in range(0, len(raw), 64)])
        body = {**honest.body, "ciphertexts": base64.b64encode(b"".join(cts)).decode()}
        return Message.sign(key, MessageKind.MIXED, body)

    return step


CHEATS: dict[str, Change] = {
    "dropped": lambda cts: cts[1:],
    "duplicated": lambda cts: [cts[0], *cts[:-1]],
    "replaced": lambda cts: [cts[0][32:] + cts[0][:32], *cts[1:]],  # (β, α): another pair
}


@pytest.mark.parametrize("cheat", sorted(CHEATS))
def test_a_mix_that_drops_duplicates_or_replaces_a_ciphertext_names_the_mixer(
    cheat: str, officer: SigningKey, tmp_path: Path
) -> None:
    demo = build_encrypted(officer, mixer=_cheating_mixer(2, CHEATS[cheat]))
    write_bundle(demo.publication, tmp_path / "bundle", officer)
    failures = [c for c in verify_bundle(tmp_path / "bundle") if not c.ok]
    shuffle = [c for c in failures if c.name == "shuffle"]
    assert len(shuffle) == 1, [c.line() for c in failures]
    assert shuffle[0].file == TRUSTEES
    assert "mixer 2 (trustee 2)" in shuffle[0].message
    assert "mixer 3" not in shuffle[0].message  # the honest first mixer is not blamed
    if cheat == "dropped":
        assert "12 ciphertexts went in but the mix and its proof hold 11, 12" in shuffle[0].message
    else:
        assert "the proof of shuffle fails at" in shuffle[0].message
    # Nothing after a failed mix is taken as checked: no decryption, no decrypted board.
    decryption = [c for c in failures if c.name == "decryption"]
    assert len(decryption) == 1
    assert "not checked" in decryption[0].message
    assert not any(c.name == "decrypted board" and c.ok for c in verify_bundle(tmp_path / "bundle"))


def test_the_box_file_is_read_strictly(
    encrypted_bundle_dir: Path, tmp_path: Path, officer: SigningKey
) -> None:
    target = tmp_path / "bad"
    shutil.copytree(encrypted_bundle_dir, target)
    record = json.loads((target / BOXES).read_text())
    record["boxes"][0]["ballots"] = record["boxes"][0]["ballots"][:-8] + "AAAAAAA="
    (target / BOXES).write_text(json.dumps(record))
    _resign(target, officer)
    failures = _failures(target)
    assert [c.file for c in failures] == [BOXES]
    assert failures[0].name == "ballot secrecy"


def _rulebook_naming(trustees: int, threshold: int) -> str:
    text = rulebook_text(TrackerMode.CONTENT)
    assert "[voting]\n" in text
    named = f"[voting]\ntrustees = {trustees}\ndecryption_threshold = {threshold}\n"
    return text.replace("[voting]\n", named, 1)


def test_the_trustees_are_as_many_as_the_rulebook_names(
    officer: SigningKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = _rulebook_naming(4, 3)
    demo = build_encrypted(officer, rulebook_text=text)
    write_bundle(demo.publication, tmp_path / "four", officer)
    checks = {c.name: c for c in verify_bundle(tmp_path / "four")}
    assert checks["key generation"].ok
    assert (
        "4 trustees' commitments and proofs hold, 3 to decrypt" in checks["key generation"].message
    )
    assert "shares of trustees 1, 2, 3" in checks["decryption"].message

    # Fewer trustees than the rulebook names: every proof holds, but not the set-up.
    played = demo_secrecy.make_key
    monkeypatch.setattr(demo_module, "make_key", lambda c, r, n, k: played(c, r, 3, 2))
    fewer = build_encrypted(officer, rulebook_text=text)
    write_bundle(fewer.publication, tmp_path / "three", officer)
    failures = [c for c in verify_bundle(tmp_path / "three") if not c.ok]
    assert [(c.name, c.file) for c in failures] == [("key generation", TRUSTEES)]
    assert "3 trustees, 2 to decrypt, where the rulebook names 4, 3" in failures[0].message
