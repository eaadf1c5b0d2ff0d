"""Pedersen/Feldman key generation: shares check against commitments, any k decrypt."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from omov.secrecy import dkg
from omov.secrecy.elgamal import decrypt, encrypt
from omov.secrecy.group import (
    ZERO,
    add,
    base_power,
    mul,
    random_scalar,
)
from omov.secrecy.schnorr import SchnorrProof

from .conftest import CONTEST, run_keygen


@settings(max_examples=10, deadline=None)
@given(st.integers(2, 5).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n))))
def test_any_k_shares_recombine_the_key(case: tuple[int, int]) -> None:
    n, k = case
    e = run_keygen(n, k)
    for j in range(1, n + 1):
        assert e.verification_key(j) == base_power(e.shares[j])
    for group in itertools.combinations(range(1, n + 1), k):
        secret = ZERO
        for j in group:
            secret = add(secret, mul(dkg.lagrange_at_zero(j, list(group)), e.shares[j]))
        assert base_power(secret) == e.key


def test_a_share_not_on_the_committed_polynomial_fails() -> None:
    coefficients = dkg.new_polynomial(3)
    dealing = dkg.deal(CONTEST, 1, coefficients)
    assert dkg.share_holds(dealing, 2, dkg.share_for(coefficients, 2))
    assert not dkg.share_holds(dealing, 2, dkg.share_for(coefficients, 3))
    assert not dkg.share_holds(dealing, 2, random_scalar())


def test_dealings_are_checked_for_count_proof_and_presence() -> None:
    good = {i: dkg.deal(CONTEST, i, dkg.new_polynomial(2)) for i in (1, 2, 3)}
    assert dkg.check_dealings(CONTEST, good, 3, 2) == []
    assert dkg.check_dealings("other", good, 3, 2) == [
        f"trustee {i}'s commitments or proof of knowledge do not hold" for i in (1, 2, 3)
    ]
    missing = {i: d for i, d in good.items() if i != 2}
    assert dkg.check_dealings(CONTEST, missing, 3, 2) == ["trustee 2 sent no dealing"]
    rogue = dict(good)
    d = good[3]
    rogue[3] = dkg.Dealing(3, d.commitments, SchnorrProof(d.proof.challenge, random_scalar()))
    assert dkg.check_dealings(CONTEST, rogue, 3, 2) == [
        "trustee 3's commitments or proof of knowledge do not hold"
    ]
    assert dkg.check_dealings(CONTEST, good, 3, 3) != []  # k commitments, not k−1


def test_the_joint_key_decrypts_with_the_summed_secret() -> None:
    e = run_keygen(3, 3)
    secret = ZERO
    for j in (1, 2, 3):
        secret = add(secret, mul(dkg.lagrange_at_zero(j, [1, 2, 3]), e.shares[j]))
    m = base_power(random_scalar())
    c, _ = encrypt(m, e.key)
    assert decrypt(c, secret) == m
