"""A ballot's proof of knowledge holds for its own ciphertext in its own contest only."""

from __future__ import annotations

import pytest

from omov.secrecy.ballot import EncryptedBallot, encrypt_ballot, proof_holds
from omov.secrecy.elgamal import Ciphertext, reencrypt
from omov.secrecy.errors import ProofError
from omov.secrecy.group import random_scalar

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
