"""A small election: trustees' shares from a real key generation, ballots encrypted."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from omov.secrecy import dkg
from omov.secrecy.ballot import EncryptedBallot, encrypt_ballot
from omov.secrecy.group import Element, Scalar

CONTEST = "contest-under-test"
CANDIDATES = 5


@dataclass(frozen=True)
class Election:
    dealings: list[dkg.Dealing]
    shares: dict[int, Scalar]
    key: Element
    trustees: int
    threshold: int

    def verification_key(self, trustee: int) -> Element:
        return dkg.verification_key(self.dealings, trustee)


def run_keygen(trustees: int, threshold: int, contest: str = CONTEST) -> Election:
    polynomials = {i: dkg.new_polynomial(threshold) for i in range(1, trustees + 1)}
    dealings = [dkg.deal(contest, i, p) for i, p in polynomials.items()]
    shares = {
        j: dkg.secret_share([dkg.share_for(p, j) for p in polynomials.values()])
        for j in range(1, trustees + 1)
    }
    return Election(dealings, shares, dkg.election_key(dealings), trustees, threshold)


@pytest.fixture(scope="session")
def election() -> Election:
    return run_keygen(3, 2)


RANKINGS: list[tuple[int, ...]] = [(0, 1, 2), (4,), (1, 0), (), (3, 2, 1, 0, 4), (2, 4)]


@pytest.fixture(scope="session")
def ballots(election: Election) -> list[EncryptedBallot]:
    return [encrypt_ballot(CONTEST, election.key, r, CANDIDATES) for r in RANKINGS]
