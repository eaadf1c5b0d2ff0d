"""A voting code waits, sealed, between the commit that makes its credential and the email
that carries it: a worker killed in between resends the same code rather than a second
one. The key is derived from the credential key, which is never in the database, so a copy
of the database taken mid-issue yields no code; the sealed code is wiped once sent."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from django.conf import settings
from nacl.secret import SecretBox


def _box() -> SecretBox:
    return _box_for(settings.OMOV_CREDENTIAL_KEY)


@lru_cache(maxsize=4)
def _box_for(credential_key: str) -> SecretBox:
    """Derived once a key (a letter's seal and unseal each derived it again)."""
    key = hashlib.sha256(b"omov letter seal\0" + credential_key.encode()).digest()
    return SecretBox(key)


def seal(code: str) -> bytes:
    return bytes(_box().encrypt(code.encode()))


def unseal(sealed: bytes | memoryview) -> str:
    return _box().decrypt(bytes(sealed)).decode()
