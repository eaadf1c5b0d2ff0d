"""A voting code waits, sealed, between the commit that makes its credential and the email
that carries it: a worker killed in between resends the same code rather than a second
one. The key is derived from the credential key, which is never in the database, so a copy
of the database taken mid-issue yields no code; the sealed code is wiped once sent."""

from __future__ import annotations

import hashlib

from django.conf import settings
from nacl.secret import SecretBox


def _box() -> SecretBox:
    key = hashlib.sha256(b"omov letter seal\0" + settings.OMOV_CREDENTIAL_KEY.encode()).digest()
    return SecretBox(key)


def seal(code: str) -> bytes:
    return bytes(_box().encrypt(code.encode()))


def unseal(sealed: bytes | memoryview) -> str:
    return _box().decrypt(bytes(sealed)).decode()
