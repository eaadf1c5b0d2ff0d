"""One-time voting codes (a ballot's receipt is its tracker: ``omov.secrecy.ballot.tracker``).

A code is 60 random bits written as 12 letters and digits (no 0/O/1/I) in three groups. Only
its HMAC-SHA256 under a server key is stored: a stolen database does not yield usable codes,
and an HMAC, unlike a slow password hash, keeps casting fast; 60 random bits make guessing
by brute force hopeless without the key anyway.
"""

from __future__ import annotations

import hmac
import secrets

from django.conf import settings

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _random_text(length: int) -> str:
    """``length`` characters, 5 random bits each: the alphabet has 32, so each is uniform
    (one draw of the bits, where a ``secrets.choice`` a character cost ten times more)."""
    bits = secrets.randbits(5 * length)
    return "".join(ALPHABET[(bits >> (5 * i)) & 31] for i in range(length))


def new_code() -> str:
    text = _random_text(12)
    return "-".join(text[i : i + 4] for i in range(0, 12, 4))


def normalise(code: str) -> str:
    """What the voter typed, as issued: case, spaces and dashes do not matter."""
    return "".join(filter(str.isalnum, code.upper()))


def code_digest(code: str) -> str:
    key = settings.OMOV_CREDENTIAL_KEY.encode()
    return hmac.digest(key, normalise(code).encode(), "sha256").hex()


def link_token(code: str) -> str:
    """The token of the sign-in link emailed with ``code``: derived from the code under the
    server key, so a letter keeps only its sealed code, and the token tells nothing of the
    code. 128 bits, as hex."""
    key = settings.OMOV_CREDENTIAL_KEY.encode()
    return hmac.digest(key, b"link:" + normalise(code).encode(), "sha256").hex()[:32]


def link_digest(token: str) -> str:
    """What is stored of a link's token (as of a code: a stolen database signs nobody in)."""
    key = settings.OMOV_CREDENTIAL_KEY.encode()
    return hmac.digest(key, b"link-digest:" + token.lower().encode(), "sha256").hex()


def code_link_digest(code: str) -> str:
    return link_digest(link_token(code))
