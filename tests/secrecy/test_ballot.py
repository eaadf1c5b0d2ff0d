"""A ballot's proof of knowledge holds for its own ciphertext in its own contest only."""

from __future__ import annotations

import pytest

from omov.secrecy.ballot import EncryptedBallot, ballot_received, encrypt_ballot, proof_holds
from omov.secrecy.elgamal import Ciphertext, reencrypt
from omov.secrecy.errors import ProofError
from omov.secrecy.group import Element, random_scalar, times

from .conftest import CANDIDATES, CONTEST, Election


def test_a_ballot_proof_holds_and_round_trips(
    election: Election, ballots: list[EncryptedBallot]
) -> None:
    for b in ballots:
        assert proof_holds(CONTEST, election.key, b)
        assert EncryptedBallot.from_bytes(b.as_bytes()) == b


def test_a_ballot_without_its_proof_is_refused(ballots: list[EncryptedBallot]) -> None:
    with pytest.raises(ProofError, match="128 bytes"):
        EncryptedBallot.from_bytes(ballots[0].ciphertext.as_bytes())


def test_a_proof_copied_from_another_ballot_fails(
    election: Election, ballots: list[EncryptedBallot]
) -> None:
    mine, theirs = ballots[0], ballots[1]
    copied = EncryptedBallot(mine.ciphertext, theirs.challenge, theirs.response)
    assert not proof_holds(CONTEST, election.key, copied)


def test_a_ballot_bound_to_another_contest_fails(election: Election) -> None:
    other = encrypt_ballot("another-contest", election.key, (1, 0), CANDIDATES)
    assert proof_holds("another-contest", election.key, other)
    assert not proof_holds(CONTEST, election.key, other)


def test_a_re_encrypted_copy_with_the_old_proof_fails(
    election: Election, ballots: list[EncryptedBallot]
) -> None:
    """The replay the proof exists for: the copier cannot prove knowledge of r + r'."""
    victim = ballots[2]
    copy = reencrypt(victim.ciphertext, election.key, random_scalar())
    assert not proof_holds(
        CONTEST, election.key, EncryptedBallot(copy, victim.challenge, victim.response)
    )


def test_a_changed_beta_breaks_the_proof(
    election: Election, ballots: list[EncryptedBallot]
) -> None:
    b = ballots[0]
    swapped = Ciphertext(b.ciphertext.alpha, ballots[1].ciphertext.beta)
    assert not proof_holds(CONTEST, election.key, EncryptedBallot(swapped, b.challenge, b.response))


def test_malformed_bytes_are_one_line_errors(ballots: list[EncryptedBallot]) -> None:
    raw = bytearray(ballots[0].as_bytes())
    raw[0:32] = bytes(32)
    with pytest.raises(ProofError, match="malformed"):
        EncryptedBallot.from_bytes(bytes(raw))
    raw = bytearray(ballots[0].as_bytes())
    raw[96:128] = b"\xff" * 32
    with pytest.raises(ProofError, match="malformed"):
        EncryptedBallot.from_bytes(bytes(raw))


SMALL_ORDER = bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")
"""A point of order 8: added to α, it gives a point of the curve outside the election group."""
IDENTITY = bytes([1]) + bytes(31)
NON_CANONICAL = bytes([0xED]) + bytes([0xFF]) * 30 + bytes([0x7F])  # y = p, read as y = 0


def _read_then_checked(key: Element, raw: bytes) -> EncryptedBallot | str | None:
    """What casting did before ``ballot_received``: read the ballot, then check its proof."""
    try:
        ballot = EncryptedBallot.from_bytes(raw)
    except ProofError:
        return "malformed"
    return ballot if proof_holds(CONTEST, key, ballot) else None


def _received(key: Element, raw: bytes) -> EncryptedBallot | str | None:
    try:
        return ballot_received(CONTEST, key, raw)
    except ProofError:
        return "malformed"


def _flipped(raw: bytes, bit: int) -> bytes:
    changed = bytearray(raw)
    changed[bit // 8] ^= 1 << (bit % 8)
    return bytes(changed)


def _variants(raw: bytes) -> dict[str, bytes]:
    """Ballots a voter could post in place of ``raw``: every bit flipped, and each α or
    scalar libsodium must refuse."""
    alpha, beta, zero = raw[:32], raw[32:64], bytes(32)
    variants = {f"bit {i}": _flipped(raw, i) for i in range(0, len(raw) * 8, 3)}
    variants.update(
        {
            "α outside the group": times(Element(alpha), Element(SMALL_ORDER)) + raw[32:],
            "α of small order": SMALL_ORDER + raw[32:],
            "α the identity": IDENTITY + raw[32:],
            "α not canonical": NON_CANONICAL + raw[32:],
            "zero challenge": raw[:64] + zero + raw[96:],
            "zero challenge, α outside": SMALL_ORDER + beta + zero + raw[96:],
            "zero response": raw[:96] + zero,
            "short": raw[:127],
            "long": raw + b"\0",
        }
    )
    return variants


def test_receiving_a_ballot_agrees_with_reading_then_checking_it(
    election: Election, ballots: list[EncryptedBallot]
) -> None:
    """``ballot_received`` skips reading α apart (its power checks it): it must accept and
    refuse exactly what reading then checking the proof did, and with the same reason."""
    for ballot in ballots[:2]:
        raw = ballot.as_bytes()
        assert _received(election.key, raw) == ballot
        variants = _variants(raw)
        outcomes = {name: _received(election.key, changed) for name, changed in variants.items()}
        for name, changed in variants.items():
            assert outcomes[name] == _read_then_checked(election.key, changed), name
            assert outcomes[name] in (None, "malformed"), name  # no variant is accepted
        for name in ("α outside the group", "α of small order", "α the identity", "short"):
            assert outcomes[name] == "malformed", name
        assert outcomes["zero challenge"] is None  # a proof that fails: α itself is sound
        assert outcomes["zero challenge, α outside"] == "malformed"
