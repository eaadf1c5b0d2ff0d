"""A ranking as one group element, and back.

ElGamal encrypts group elements, so a ballot's ranking must become one. The ranking is
written into the low bytes of a point's compressed encoding (the y coordinate) and a
counter beside it is raised until the bytes are a valid element of the order-q subgroup
(libsodium's check; about 1 in 16 counters gives one). This is the "try and increment"
embedding of Koblitz (1987, §3) used for ElGamal over curves; no arithmetic is written
here, only bytes laid out and checked by libsodium.

Layout of the 32 bytes (little-endian, as libsodium encodes y):

    byte 0        number of ranks, 0..MAX_RANKS
    bytes 1..27   candidate index (0-based) at each rank, then zeros
    bytes 28..29  counter
    bytes 30..31  zero (so y < 2^240 is always canonical, and x's sign bit is 0)

A decrypted element that does not have this shape, or ranks a candidate twice or one the
contest does not have, is not a ranking: ``decode`` returns None and the count treats the
paper as spoilt. A voter can spoil only their own ballot this way.
"""

from __future__ import annotations

from collections.abc import Sequence

from omov.secrecy.errors import SecrecyError
from omov.secrecy.group import Element, is_element

MAX_RANKS = 27
_COUNTER = 28
_TRIES = 1 << 16


def encode(ranking: Sequence[int], n_candidates: int) -> Element:
    """The element that carries ``ranking`` (candidate indices, most preferred first)."""
    if n_candidates > MAX_RANKS:
        raise SecrecyError(
            f"a contest of {n_candidates} candidates cannot be encrypted as one element "
            f"(at most {MAX_RANKS})"
        )
    if len(set(ranking)) != len(ranking) or any(not 0 <= c < n_candidates for c in ranking):
        raise SecrecyError("a ranking names a candidate twice or one the contest does not have")
    body = bytearray(32)
    body[0] = len(ranking)
    body[1 : 1 + len(ranking)] = bytes(ranking)
    for counter in range(_TRIES):
        body[_COUNTER : _COUNTER + 2] = counter.to_bytes(2, "little")
        if is_element(bytes(body)):
            return Element(bytes(body))
    raise SecrecyError("no counter made the ranking an element")  # pragma: no cover


def decode(element: bytes, n_candidates: int) -> tuple[int, ...] | None:
    """The ranking ``element`` carries, or None if it carries no valid ranking."""
    if len(element) != 32 or element[30] or element[31]:
        return None
    length = element[0]
    if length > min(MAX_RANKS, n_candidates):
        return None
    ranking = tuple(element[1 : 1 + length])
    if any(element[1 + length : _COUNTER]):
        return None
    if len(set(ranking)) != length or any(c >= n_candidates for c in ranking):
        return None
    return ranking
