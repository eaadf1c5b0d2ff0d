"""The election group: the prime-order subgroup of Edwards25519, through libsodium.

Every protocol in this package is written over a cyclic group of prime order ``q`` with a
generator ``g``, and, as in the papers it follows, the group is written *multiplicatively*:
``times(a, b)`` is the group operation a·b, ``power(p, s)`` is p^s and ``base_power(s)`` is
g^s. libsodium calls them point addition and scalar multiplication; nothing here does any
arithmetic of its own, every operation is one call into libsodium (PyNaCl's bindings).

Why this group and not ristretto255: no released PyNaCl exposes libsodium's ristretto255
functions, and the packages that do bundle libsodium in ways we would not ship (see
docs/adr/0003-election-group.md). The Ed25519 prime-order subgroup is what libsodium's
``crypto_core_ed25519_*`` functions give: ``power`` refuses any point outside the subgroup
of order q (and so any point with a small-order component), which is the check the
protocols need on every element a prover sends; ``is_element`` makes it explicitly.

Elements and scalars are 32-byte strings (libsodium's encodings: a compressed point, a
little-endian scalar below q), so they hash, compare and serialise as they are.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from typing import NewType

import nacl.bindings as sodium
import nacl.exceptions

from omov.secrecy.errors import GroupError

Element = NewType("Element", bytes)
Scalar = NewType("Scalar", bytes)

#: The order q of the group (2^252 + 27742317777372353535851937790883648493).
ORDER = 2**252 + 27742317777372353535851937790883648493
SIZE = 32


def scalar(n: int) -> Scalar:
    """The scalar n mod q, for small public integers (trustee indices, counts)."""
    if n < 0:
        return negate(scalar(-n))
    return Scalar(sodium.crypto_core_ed25519_scalar_reduce(n.to_bytes(64, "little")))


def scalar_to_int(s: Scalar) -> int:
    return int.from_bytes(s, "little")


ZERO = scalar(0)
ONE = scalar(1)
#: The generator g: libsodium's base point.
GENERATOR = Element(sodium.crypto_scalarmult_ed25519_base_noclamp(ONE))


def random_scalar() -> Scalar:
    """A uniform non-zero scalar (64 random bytes reduced mod q: bias below 2^-250)."""
    while True:
        s = Scalar(sodium.crypto_core_ed25519_scalar_reduce(os.urandom(64)))
        if s != ZERO:
            return s


def add(a: Scalar, b: Scalar) -> Scalar:
    return Scalar(sodium.crypto_core_ed25519_scalar_add(a, b))


def sub(a: Scalar, b: Scalar) -> Scalar:
    return Scalar(sodium.crypto_core_ed25519_scalar_sub(a, b))


def mul(a: Scalar, b: Scalar) -> Scalar:
    return Scalar(sodium.crypto_core_ed25519_scalar_mul(a, b))


def negate(a: Scalar) -> Scalar:
    return Scalar(sodium.crypto_core_ed25519_scalar_negate(a))


def invert(a: Scalar) -> Scalar:
    if a == ZERO:
        raise GroupError("zero has no inverse")
    return Scalar(sodium.crypto_core_ed25519_scalar_invert(a))


def scalar_sum(values: Iterable[Scalar]) -> Scalar:
    total = ZERO
    for v in values:
        total = add(total, v)
    return total


def read_scalar(raw: bytes) -> Scalar:
    """A scalar as a prover sent it: exactly 32 bytes, already reduced below q."""
    if len(raw) != SIZE or int.from_bytes(raw, "little") >= ORDER:
        raise GroupError("a scalar is not 32 bytes below the group order")
    return Scalar(raw)


def is_element(raw: bytes) -> bool:
    """True if ``raw`` is the canonical encoding of an element of the order-q subgroup
    other than the identity (libsodium's ``crypto_core_ed25519_is_valid_point``)."""
    return len(raw) == SIZE and bool(sodium.crypto_core_ed25519_is_valid_point(raw))


def read_element(raw: bytes) -> Element:
    if not is_element(raw):
        raise GroupError("a value is not an element of the election group")
    return Element(raw)


def times(a: Element, b: Element) -> Element:
    """a·b."""
    try:
        return Element(sodium.crypto_core_ed25519_add(a, b))
    except nacl.exceptions.CryptoError:
        raise GroupError("a value is not a point of the curve") from None


def divide(a: Element, b: Element) -> Element:
    """a·b⁻¹."""
    try:
        return Element(sodium.crypto_core_ed25519_sub(a, b))
    except nacl.exceptions.CryptoError:
        raise GroupError("a value is not a point of the curve") from None


def power(p: Element, s: Scalar) -> Element:
    """p^s, refusing a p outside the order-q subgroup, s = 0 or the identity as result."""
    try:
        return Element(sodium.crypto_scalarmult_ed25519_noclamp(s, p))
    except nacl.exceptions.CryptoError:
        raise GroupError("a value is not an element of the election group") from None


def base_power(s: Scalar) -> Element:
    """g^s (libsodium's fixed-base multiplication, several times faster than ``power``)."""
    try:
        return Element(sodium.crypto_scalarmult_ed25519_base_noclamp(s))
    except nacl.exceptions.CryptoError:
        raise GroupError("g^0 is the identity, which no protocol here sends") from None


def product(elements: Iterable[Element]) -> Element:
    it = iter(elements)
    try:
        acc = next(it)
    except StopIteration:
        raise GroupError("the product of no elements is the identity") from None
    for e in it:
        acc = times(acc, e)
    return acc


def hash_to_element(domain: bytes, data: bytes) -> Element:
    """An element nobody knows the discrete logarithm of: Elligator 2 on a SHA-512 digest
    (libsodium's ``crypto_core_ed25519_from_uniform``, which clears the cofactor)."""
    digest = hashlib.sha512(_frame(domain) + data).digest()[:SIZE]
    return Element(sodium.crypto_core_ed25519_from_uniform(digest))


def hash_to_scalar(domain: bytes, *parts: bytes) -> Scalar:
    """The Fiat–Shamir hash: SHA-512 over the domain and each part, every one prefixed
    with its length (so no two transcripts run together), reduced mod q."""
    h = hashlib.sha512(_frame(domain))
    for part in parts:
        h.update(_frame(part))
    return Scalar(sodium.crypto_core_ed25519_scalar_reduce(h.digest()))


def _frame(part: bytes) -> bytes:
    return len(part).to_bytes(8, "big") + part
