"""ElGamal encryption over the election group (ElGamal 1985, §II).

A ciphertext of the element m under the election key y = g^x is (α, β) = (g^r, m·y^r) for a
random r; anyone can re-encrypt it to (α·g^r', β·y^r'), which decrypts to the same m and
cannot be linked to the original without x: the property a re-encryption mix rests on.
Decryption is m = β·(α^x)⁻¹; with a shared key, each trustee contributes α^(x_j)
(``omov.secrecy.decryption``).
"""

from __future__ import annotations

from typing import NamedTuple

from omov.secrecy.group import (
    Element,
    Scalar,
    base_power,
    divide,
    power,
    random_scalar,
    read_element,
    times,
)


class Ciphertext(NamedTuple):
    alpha: Element
    beta: Element

    def as_bytes(self) -> bytes:
        return self.alpha + self.beta

    @classmethod
    def from_bytes(cls, raw: bytes) -> Ciphertext:
        """A ciphertext as someone sent it: both halves checked to be group elements."""
        return cls(read_element(raw[:32]), read_element(raw[32:64]))


def encrypt(m: Element, key: Element, r: Scalar | None = None) -> tuple[Ciphertext, Scalar]:
    """(g^r, m·y^r) and the r used, which the ballot's proof of knowledge needs."""
    r = random_scalar() if r is None else r
    return Ciphertext(base_power(r), times(m, power(key, r))), r


def reencrypt(c: Ciphertext, key: Element, r: Scalar) -> Ciphertext:
    """(α·g^r, β·y^r): Haenni et al. 2017, §2, ReEncrypt (their (a, b) is our (β, α))."""
    return Ciphertext(times(c.alpha, base_power(r)), times(c.beta, power(key, r)))


def decrypt(c: Ciphertext, secret: Scalar) -> Element:
    """β·(α^x)⁻¹, with the whole secret x: for tests and the single-key case only."""
    return divide(c.beta, power(c.alpha, secret))
