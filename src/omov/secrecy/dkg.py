"""The election key, made by the trustees together so that none of them holds it.

Pedersen's distributed key generation (Pedersen 1991, "A threshold cryptosystem without a
trusted party", §3), each dealer's sharing checked by Feldman's commitments (Feldman 1987,
§3) and each constant coefficient accompanied by a Schnorr proof of knowledge:

1. Trustee i (of n, indices 1..n) draws a polynomial f_i of degree k−1 with coefficients
   a_{i,0..k−1}, publishes the commitments A_{i,l} = g^(a_{i,l}) and a proof of knowledge of
   a_{i,0}, and sends each trustee j the share s_{i,j} = f_i(j), encrypted to j.
2. Trustee j checks every share it received against its dealer's commitments,
   g^(s_{i,j}) = ∏_l A_{i,l}^(j^l) (Feldman 1987, eq. (1)), and keeps x_j = Σ_i s_{i,j}.
3. The election key is y = ∏_i A_{i,0} = g^(Σ_i a_{i,0}); trustee j's verification key
   Y_j = g^(x_j) = ∏_i ∏_l A_{i,l}^(j^l) is computable by anyone from the commitments, and
   any k shares x_j recombine the secret by Lagrange interpolation at 0 (Shamir 1979).

Gennaro et al. (1999) showed a dishonest dealer can bias the distribution of y in this
protocol; Gennaro et al. (2007, "Secure applications of Pedersen's distributed key
generation protocol") show that ElGamal encryption under such a key stays secure, which is
the only use made of it here. A dealer whose share fails a check is named and the key
generation stops (no disqualification round): an election's trustees start again without
them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from omov.secrecy.errors import SecrecyError
from omov.secrecy.group import (
    ONE,
    Element,
    Scalar,
    add,
    base_power,
    invert,
    mul,
    power,
    product,
    random_scalar,
    scalar,
    sub,
    times,
)
from omov.secrecy.schnorr import SchnorrProof, knowledge_holds, prove_knowledge

DOMAIN = b"omov/keygen/v1"


@dataclass(frozen=True)
class Dealing:
    """Trustee i's public part of step 1: commitments and the proof for a_{i,0}."""

    trustee: int
    commitments: tuple[Element, ...]
    proof: SchnorrProof


def proof_context(contest: str, trustee: int, commitments: Sequence[Element]) -> bytes:
    return contest.encode() + trustee.to_bytes(4, "big") + b"".join(commitments)


def new_polynomial(threshold: int) -> tuple[Scalar, ...]:
    """k random coefficients a_0..a_{k−1}."""
    return tuple(random_scalar() for _ in range(threshold))


def deal(contest: str, trustee: int, coefficients: Sequence[Scalar]) -> Dealing:
    """Step 1's public part: A_l = g^(a_l) and the proof of knowledge of a_0."""
    commitments = tuple(base_power(a) for a in coefficients)
    context = proof_context(contest, trustee, commitments)
    return Dealing(trustee, commitments, prove_knowledge(DOMAIN, context, coefficients[0]))


def share_for(coefficients: Sequence[Scalar], recipient: int) -> Scalar:
    """f(j) by Horner's rule in the scalar field (libsodium's scalar operations)."""
    j = scalar(recipient)
    value = coefficients[-1]
    for a in reversed(coefficients[:-1]):
        value = add(mul(value, j), a)
    return value


def committed_value(commitments: Sequence[Element], recipient: int) -> Element:
    """∏_l A_l^(j^l): what g^(f(j)) must be (Feldman 1987, eq. (1))."""
    j = scalar(recipient)
    j_power = ONE
    terms = []
    for a in commitments:
        terms.append(a if j_power == ONE else power(a, j_power))
        j_power = mul(j_power, j)
    return product(terms)


def dealing_holds(contest: str, dealing: Dealing, threshold: int) -> bool:
    """The dealer committed to a polynomial of degree k−1 and knows its constant term."""
    if len(dealing.commitments) != threshold:
        return False
    context = proof_context(contest, dealing.trustee, dealing.commitments)
    return knowledge_holds(DOMAIN, context, dealing.commitments[0], dealing.proof)


def share_holds(dealing: Dealing, recipient: int, share: Scalar) -> bool:
    return base_power(share) == committed_value(dealing.commitments, recipient)


def election_key(dealings: Sequence[Dealing]) -> Element:
    """y = ∏_i A_{i,0}."""
    return product(d.commitments[0] for d in dealings)


def secret_share(shares: Sequence[Scalar]) -> Scalar:
    """x_j = Σ_i s_{i,j}."""
    total = shares[0]
    for s in shares[1:]:
        total = add(total, s)
    return total


def verification_key(dealings: Sequence[Dealing], trustee: int) -> Element:
    """Y_j = g^(x_j), computed from the commitments alone."""
    acc = committed_value(dealings[0].commitments, trustee)
    for d in dealings[1:]:
        acc = times(acc, committed_value(d.commitments, trustee))
    return acc


def lagrange_at_zero(trustee: int, group: Sequence[int]) -> Scalar:
    """λ_j = ∏_{m ∈ S, m ≠ j} m / (m − j), so that Σ_{j∈S} λ_j·x_j = x (Shamir 1979)."""
    if trustee not in group or len(set(group)) != len(group):
        raise SecrecyError("the decrypting trustees must be distinct and include this one")
    numerator, denominator = ONE, ONE
    for m in group:
        if m != trustee:
            numerator = mul(numerator, scalar(m))
            denominator = mul(denominator, sub(scalar(m), scalar(trustee)))
    return mul(numerator, invert(denominator))


def check_dealings(
    contest: str, dealings: Mapping[int, Dealing], trustees: int, threshold: int
) -> list[str]:
    """Every dealer present once, with k commitments and a valid proof; the faults, if any."""
    faults = [f"trustee {i} sent no dealing" for i in range(1, trustees + 1) if i not in dealings]
    faults += [
        f"trustee {i}'s commitments or proof of knowledge do not hold"
        for i, d in sorted(dealings.items())
        if d.trustee != i or not dealing_holds(contest, d, threshold)
    ]
    return faults
