"""The browser's ballot encryption (static/omov/encrypt.js over the bundled @noble/curves)
makes ballots that omov.secrecy accepts and decrypts, and the committed bundle is what the
locked npm packages build."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page

from omov.secrecy.ballot import EncryptedBallot, proof_holds
from omov.secrecy.elgamal import decrypt
from omov.secrecy.encoding import decode
from omov.secrecy.group import base_power, random_scalar

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
STATIC = REPO / "src" / "omov" / "web" / "static" / "omov"
JS = REPO / "js"


def _load(page: Page) -> None:
    page.set_content("<!doctype html><title>encrypt</title>")
    page.add_script_tag(path=str(STATIC / "vendor" / "noble.js"))
    page.add_script_tag(path=str(STATIC / "encrypt.js"))


@pytest.mark.parametrize("ranking", [[0], [15, 3, 7], list(range(16)), [2, 0]])
def test_chromium_encrypts_a_ballot_python_verifies_and_decrypts(
    page: Page, ranking: list[int]
) -> None:
    secret = random_scalar()
    key = base_power(secret)
    _load(page)
    hex_ballot = page.evaluate(
        "([key, ranking]) => omovEncrypt.encryptBallot('contest-7', key, ranking, 16)",
        [key.hex(), ranking],
    )
    ballot = EncryptedBallot.from_bytes(bytes.fromhex(hex_ballot))
    assert proof_holds("contest-7", key, ballot)
    assert not proof_holds("contest-8", key, ballot)
    assert decode(decrypt(ballot.ciphertext, secret), 16) == tuple(ranking)


def test_a_key_outside_the_group_is_refused(page: Page) -> None:
    _load(page)
    small_order = "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"
    message = page.evaluate(
        "(key) => { try { omovEncrypt.encryptBallot('c', key, [0], 3); return ''; }"
        " catch (e) { return e.message; } }",
        small_order,
    )
    assert message == "not an election key"


def test_the_committed_bundle_is_what_the_lock_builds(tmp_path: Path) -> None:
    esbuild = JS / "node_modules" / ".bin" / "esbuild"
    assert esbuild.exists(), "run `npm ci` in js/ (scripts/browser.sh does)"
    out = tmp_path / "noble.js"
    subprocess.run(
        [str(esbuild), "noble-entry.js", "--bundle", "--format=iife", "--global-name=omovNoble",
         "--target=es2020", "--legal-comments=inline", f"--outfile={out}"],
        cwd=JS, check=True, capture_output=True,
    )  # fmt: skip
    assert out.read_bytes() == (STATIC / "vendor" / "noble.js").read_bytes()
