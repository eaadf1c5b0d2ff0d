"""Threshold decryption: each trustee's share of the decryption, with a proof it is right.

Trustee j, holding x_j with verification key Y_j = g^(x_j) (``omov.secrecy.dkg``), publishes
d_i = α_i^(x_j) for every ciphertext (α_i, β_i) the last mixer output. Any k trustees' shares
decrypt: m_i = β_i · (∏_j d_{i,j}^(λ_j))⁻¹, with λ_j the Lagrange coefficients at 0.

The proof that every d_i uses the same x_j as Y_j is Chaum and Pedersen's proof of equality
of discrete logarithms (Chaum and Pedersen 1992, "Wallet databases with observers", §3.2,
protocol 1: log_g Y = log_A D), made non-interactive by Fiat–Shamir, over the random
linear combinations A = ∏ α_i^(z_i) and D = ∏ d_i^(z_i), with the z_i drawn from a hash of
every α_i and d_i. One d_i ≠ α_i^(x_j) makes D ≠ A^(x_j) except with probability 1/q over
the z_i (the small-exponent batch test of Bellare, Garay and Rabin 1998, §3.3; Verificatum
batches its decryption factors' proof the same way: Wikström, "How to implement a
stand-alone verifier for the Verificatum mix-net", §8.4). So one proof of two elements
and two scalars covers all N shares, and checking it costs 2N exponentiations, where N
separate proofs would cost 4N.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from omov.secrecy import parallel
from omov.secrecy.dkg import lagrange_at_zero
from omov.secrecy.elgamal import Ciphertext
from omov.secrecy.errors import GroupError
from omov.secrecy.group import (
    Element,
    Scalar,
    add,
    base_power,
    divide,
    hash_to_scalar,
    mul,
    power,
    random_scalar,
)

DOMAIN = b"omov/decryption/v1"


@dataclass(frozen=True)
class DecryptionShare:
    """Trustee j's d_i for every ciphertext, with the batched proof (e, s)."""

    trustee: int
    factors: tuple[Element, ...]
    challenge: Scalar
    response: Scalar


def _seed(
    contest: str, trustee: int, key: Element, alphas: Sequence[Element], factors: Sequence[Element]
) -> bytes:
    return hash_to_scalar(
        DOMAIN,
        contest.encode(),
        trustee.to_bytes(4, "big"),
        key,
        b"".join(alphas),
        b"".join(factors),
    )


def _combined(seed: bytes, points: Sequence[Element], workers: int) -> Element:
    """∏ p_i^(z_i), z_i = H(seed, i)."""
    exponents = parallel.challenges(seed, len(points))
    return parallel.product_of_powers(points, exponents, workers)


def decryption_share(
    contest: str,
    trustee: int,
    secret: Scalar,
    ciphertexts: Sequence[Ciphertext],
    workers: int = 1,
) -> DecryptionShare:
    alphas = [c.alpha for c in ciphertexts]
    factors = parallel.powers_of(alphas, secret, workers)
    key = base_power(secret)
    seed = _seed(contest, trustee, key, alphas, factors)
    combined_alpha = _combined(seed, alphas, workers)
    w = random_scalar()
    e = hash_to_scalar(DOMAIN, seed, base_power(w), power(combined_alpha, w))
    return DecryptionShare(trustee, tuple(factors), e, add(w, mul(e, secret)))


def share_holds(
    contest: str,
    share: DecryptionShare,
    verification_key: Element,
    ciphertexts: Sequence[Ciphertext],
    workers: int = 1,
) -> bool:
    """Chaum–Pedersen's check: g^s = t₁·Y^e and A^s = t₂·D^e for the t's that hash to e."""
    if len(share.factors) != len(ciphertexts):
        return False
    alphas = [c.alpha for c in ciphertexts]
    seed = _seed(contest, share.trustee, verification_key, alphas, share.factors)
    try:
        combined_alpha = _combined(seed, alphas, workers)
        combined_factor = _combined(seed, share.factors, workers)
        t1 = divide(base_power(share.response), power(verification_key, share.challenge))
        t2 = divide(power(combined_alpha, share.response), power(combined_factor, share.challenge))
    except GroupError:
        return False
    return hash_to_scalar(DOMAIN, seed, t1, t2) == share.challenge


def combine(
    ciphertexts: Sequence[Ciphertext], shares: Sequence[DecryptionShare], workers: int = 1
) -> list[Element]:
    """m_i = β_i · (∏_j d_{i,j}^(λ_j))⁻¹ over the given (already checked) shares."""
    group = [s.trustee for s in shares]
    lambdas = [lagrange_at_zero(j, group) for j in group]
    columns = [list(s.factors) for s in shares]
    betas = [c.beta for c in ciphertexts]
    return parallel.unblind(betas, columns, lambdas, workers)
