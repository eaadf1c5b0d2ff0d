"""Schnorr proofs of knowledge of a discrete logarithm (Schnorr 1991, §2), non-interactive
by Fiat–Shamir (1986), each bound by its ``context`` to what it speaks for.

A proof is (e, s): the verifier recomputes the commitment t = g^s·X^(−e) and checks that
the hash of the context, X and t is e. The key generation uses it for each trustee's
constant coefficient (so no trustee can choose a key that cancels the others': the rogue
key attack), the ballot for its randomness (``omov.secrecy.ballot``).
"""

from __future__ import annotations

from typing import NamedTuple

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


class SchnorrProof(NamedTuple):
    challenge: Scalar
    response: Scalar


def prove_knowledge(domain: bytes, context: bytes, secret: Scalar) -> SchnorrProof:
    """Proof that the prover knows x with X = g^x, bound to ``context``."""
    w = random_scalar()
    public = base_power(secret)
    e = hash_to_scalar(domain, context, public, base_power(w))
    return SchnorrProof(e, add(w, mul(e, secret)))


def knowledge_holds(domain: bytes, context: bytes, public: Element, proof: SchnorrProof) -> bool:
    try:
        t = divide(base_power(proof.response), power(public, proof.challenge))
    except GroupError:
        return False
    return hash_to_scalar(domain, context, public, t) == proof.challenge
