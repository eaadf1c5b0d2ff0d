"""``omov trustee``: three trustees make a key, two mix, two decrypt, anyone checks."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from omov.secrecy.ballot import encrypt_ballot
from omov.secrecy.errors import ProofError
from omov.secrecy.keyfile import TrusteeKey
from omov.secrecy.messages import Message, MessageKind
from omov.secrecy.records import b64, element
from omov.secrecy.tally import BallotBox

pytestmark = pytest.mark.slow

CONTEST = "cli-contest"
SCRIPT = "import sys; from omov.cli import main; sys.argv = ['omov', *sys.argv[1:]]; main()"
RANKINGS = [(0, 1), (2,), (1, 2, 0), (1,), ()]


def omov(*args: str | Path, passphrase: str = "correct horse") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMOV_TRUSTEE_PASSPHRASE": passphrase}
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def ok(*args: str | Path) -> str:
    result = omov(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The key generation of three trustees (k = 2): keys, messages, ballot box."""
    root = tmp_path_factory.mktemp("trustees")
    keys, board = root / "keys", root / "board"
    keys.mkdir()
    board.mkdir()
    for i in (1, 2, 3):
        ok("trustee", "keygen", "start", "--contest", CONTEST, "--trustee", i, "--rulebook",
           "labour/2016", "--key", keys / f"t{i}.key", "-o", board / f"1-intro-{i}.json",
           "--kdf", "interactive")  # fmt: skip
    for i in (1, 2, 3):
        ok("trustee", "keygen", "deal", "--key", keys / f"t{i}.key", "--messages", board,
           "-o", board / f"2-dealt-{i}.json")  # fmt: skip
    for i in (1, 2, 3):
        ok("trustee", "keygen", "confirm", "--key", keys / f"t{i}.key", "--messages", board,
           "-o", board / f"3-confirmed-{i}.json")  # fmt: skip
    out = ok("trustee", "keygen", "check", "--messages", board)
    assert "key generation holds: 3 trustees, 2 to decrypt" in out
    key = element(out.split("election key ")[1].split()[0], "key")
    box = BallotBox(CONTEST, key, 3, tuple(encrypt_ballot(CONTEST, key, r, 3) for r in RANKINGS))
    (root / "box.json").write_text(json.dumps(box.as_record()))
    return keys, board, root / "box.json"


def test_two_mixes_and_two_shares_decrypt_every_ballot(published: tuple[Path, Path, Path]) -> None:
    keys, board, box = published
    for i in (3, 1):
        ok("trustee", "mix", "--key", keys / f"t{i}.key", "--ballots", box, "--messages", board,
           "-o", board / f"4-mixed-{i}.json", "--workers", 1)  # fmt: skip
    for i in (1, 3):
        ok("trustee", "decrypt", "--key", keys / f"t{i}.key", "--ballots", box, "--messages",
           board, "-o", board / f"5-share-{i}.json", "--workers", 1)  # fmt: skip
    out = ok("trustee", "check", "--ballots", box, "--messages", board, "--workers", 1)
    assert (
        "holds: 5 ballots, 2 mixes (trustees 3, 1), 2 decryption shares; 5 rankings, 0 spoilt"
        in out
    )
    # Mixer 1 duplicates one ciphertext over another and signs it: the check names them.
    bad = board.parent / "bad"
    bad.mkdir()
    for path in board.glob("*.json"):
        (bad / path.name).write_text(path.read_text())
    mixed = Message.from_json((board / "4-mixed-1.json").read_text())
    data = base64.b64decode(mixed.body["ciphertexts"])
    body = {**mixed.body, "ciphertexts": b64(data[:64] + data[:64] + data[128:])}
    mixer = TrusteeKey.load(keys / "t1.key", b"correct horse")
    (bad / "4-mixed-1.json").write_text(Message.sign(mixer, MessageKind.MIXED, body).to_json())
    result = omov("trustee", "check", "--ballots", box, "--messages", bad, "--workers", 1)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "mixer 1 (trustee 1): the proof of shuffle fails at" in result.stderr


def test_a_wrong_passphrase_is_one_line(published: tuple[Path, Path, Path]) -> None:
    keys, board, box = published
    result = omov("trustee", "mix", "--key", keys / "t1.key", "--ballots", box, "--messages",
                  board, "-o", board.parent / "x.json", passphrase="wrong")  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().endswith("the passphrase is wrong or the file was changed")


def test_a_published_message_is_never_overwritten(published: tuple[Path, Path, Path]) -> None:
    keys, board, _ = published
    result = omov("trustee", "keygen", "deal", "--key", keys / "t2.key", "--messages", board,
                  "-o", board / "2-dealt-2.json")  # fmt: skip
    assert result.returncode == 2
    assert "never overwritten" in result.stderr


def test_a_ballot_box_that_is_not_one_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "box.json").write_text("{}")
    with pytest.raises(ProofError, match="not a ballot box"):
        BallotBox.from_record({})
    result = omov("trustee", "check", "--ballots", tmp_path / "box.json", "--messages", tmp_path)
    assert result.returncode == 2
    assert "not a trustee" in result.stderr or "no trustee introduced" in result.stderr
