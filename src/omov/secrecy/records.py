"""How group elements and scalars are written in records: base64 of their 32-byte
encodings, a list as one base64 string of the encodings end to end (a mix of 10^5 ballots
is some 30 MB of JSON this way, rather than twice that as a JSON array of strings)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence

from omov.secrecy.errors import ProofError
from omov.secrecy.group import ORDER, SIZE, Element, Scalar


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def unb64(text: object, what: str) -> bytes:
    if not isinstance(text, str):
        raise ProofError(f"{what} is not a base64 string")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ProofError(f"{what} is not base64") from None


def pack(values: Sequence[bytes]) -> str:
    return b64(b"".join(values))


def _split(raw: bytes, what: str) -> list[bytes]:
    if len(raw) % SIZE:
        raise ProofError(f"{what} is not a whole number of 32-byte values")
    return [raw[i : i + SIZE] for i in range(0, len(raw), SIZE)]


def elements(text: object, what: str) -> list[Element]:
    """A list of elements, as encodings only: every use checks them (libsodium's ``power``
    refuses anything outside the group), so reading 10^5 of them costs no check twice."""
    return [Element(v) for v in _split(unb64(text, what), what)]


def element(text: object, what: str) -> Element:
    values = elements(text, what)
    if len(values) != 1:
        raise ProofError(f"{what} is not one group element")
    return values[0]


def scalars(text: object, what: str) -> list[Scalar]:
    values = _split(unb64(text, what), what)
    if any(int.from_bytes(v, "little") >= ORDER for v in values):
        raise ProofError(f"{what} holds a value above the group order")
    return [Scalar(v) for v in values]


def scalar_(text: object, what: str) -> Scalar:
    values = scalars(text, what)
    if len(values) != 1:
        raise ProofError(f"{what} is not one scalar")
    return values[0]
