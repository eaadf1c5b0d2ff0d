"""Decryption shares: k of them decrypt; a share or proof that is wrong fails its check."""

from __future__ import annotations

from dataclasses import replace

from omov.secrecy.ballot import EncryptedBallot
from omov.secrecy.decryption import combine, decryption_share, share_holds
from omov.secrecy.encoding import decode
from omov.secrecy.group import base_power, random_scalar

from .conftest import CANDIDATES, CONTEST, RANKINGS, Election


def test_k_trustees_decrypt_every_ballot(
    election: Election, ballots: list[EncryptedBallot]
) -> None:
    cts = [b.ciphertext for b in ballots]
    for group in ([1, 2], [2, 3], [1, 3]):
        shares = [decryption_share(CONTEST, j, election.shares[j], cts) for j in group]
        assert all(
            share_holds(CONTEST, s, election.verification_key(s.trustee), cts) for s in shares
        )
        assert [decode(m, CANDIDATES) for m in combine(cts, shares)] == RANKINGS


def test_one_wrong_factor_fails_the_proof(
    election: Election, ballots: list[EncryptedBallot]
) -> None:
    cts = [b.ciphertext for b in ballots]
    share = decryption_share(CONTEST, 1, election.shares[1], cts)
    factors = list(share.factors)
    factors[4] = base_power(random_scalar())
    assert not share_holds(
        CONTEST, replace(share, factors=tuple(factors)), election.verification_key(1), cts
    )


def test_a_wrong_proof_fails(election: Election, ballots: list[EncryptedBallot]) -> None:
    cts = [b.ciphertext for b in ballots]
    share = decryption_share(CONTEST, 2, election.shares[2], cts)
    assert not share_holds(
        CONTEST, replace(share, response=random_scalar()), election.verification_key(2), cts
    )
    assert not share_holds(
        CONTEST, replace(share, challenge=random_scalar()), election.verification_key(2), cts
    )


def test_a_share_under_another_trustees_key_fails(
    election: Election, ballots: list[EncryptedBallot]
) -> None:
    cts = [b.ciphertext for b in ballots]
    share = decryption_share(CONTEST, 2, election.shares[2], cts)
    assert not share_holds(CONTEST, share, election.verification_key(3), cts)
    assert not share_holds(CONTEST, replace(share, trustee=3), election.verification_key(3), cts)
    assert not share_holds(CONTEST, share, election.verification_key(2), cts[1:])
