"""Django's signatures with each salt's HMAC key derived once a process.

Django signs a value with HMAC-SHA256 under a key it derives afresh for every signature
(SHA-256 of the salt and the secret key) and builds a signer object each time (for a
cookie, after importing ``SIGNING_BACKEND`` by name). Every cast reads one signed session
and writes one signed receipt cookie, so this module keeps each (salt, secret) pair's
derived key and makes the same signature with one HMAC call. Its output is Django's, byte
for byte (``tests/web/test_signing.py`` compares them), and Django reads it back as usual;
anything this module does not recognise (another signing backend, an old key among
``SECRET_KEY_FALLBACKS``, a compressed payload) goes to Django's own code. Cookies it signs
under a salt of its own (``COOKIE_SALT``), with Django's public signer, and reads them back
itself (``signed_cookie``).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare

COOKIE_SALT = "omov.web.signing.cookie"
"""omov's own salt for the cookies it signs (the vote's receipt, ``cookie_salt``): signed
and read here, with Django's public ``TimestampSigner``, not through Django's cookie
signer, whose salt is a private function (``signing._cookie_signer_salt``) that Django
changed in a patch release (5.2.x prefixed a version and the salt's length)."""


def cookie_salt(name: str, salt: str = "") -> str:
    """The salt a cookie ``name`` is signed under: the salt's length first, so no two
    (name, salt) pairs give the same text."""
    return f"{COOKIE_SALT}:{len(salt)}:{salt}:{name}"


@lru_cache(maxsize=64)
def _derived(salt: str, secret: bytes) -> bytes:
    """The key Django's ``salted_hmac`` derives for ``salt`` under ``secret``."""
    return hashlib.sha256(f"{salt}signer".encode() + secret).digest()


def signature(salt: str, secret: bytes, value: str) -> str:
    """``Signer(key=secret, salt=salt).signature(value)``, SHA-256 as Django's default."""
    mac = hmac.digest(_derived(salt, secret), value.encode(), "sha256")
    return signing.b64_encode(mac).decode()


def _secret() -> bytes:
    key = settings.SECRET_KEY
    return key if isinstance(key, bytes) else key.encode()


def timestamped(salt: str, secret: bytes, value: str) -> str:
    """``TimestampSigner(key=secret, salt=salt).sign(value)``."""
    value = f"{value}:{signing.b62_encode(int(time.time()))}"
    return f"{value}:{signature(salt, secret, value)}"


def dumps(obj: Any, salt: str, serializer: type) -> str:
    """``signing.dumps(obj, salt=salt, serializer=serializer, compress=False)``."""
    data = serializer().dumps(obj)
    return timestamped(salt, _secret(), signing.b64_encode(data).decode())


def loads(signed: str, salt: str, serializer: type) -> Any:
    """``signing.loads(signed, salt=salt, serializer=serializer)`` (no age limit): the object,
    or ``signing.BadSignature`` as Django raises it. Signed under the current secret key
    and not compressed, it is read here; otherwise by Django, which also tries
    ``SECRET_KEY_FALLBACKS``."""
    value, sep, mac = signed.rpartition(":")
    if sep and constant_time_compare(mac, signature(salt, _secret(), value)):
        payload, sep, stamp = value.rpartition(":")
        if sep and not payload.startswith("."):
            signing.b62_decode(stamp)  # as Django does: a malformed stamp is an error
            return serializer().loads(signing.b64_decode(payload.encode()))
    return signing.loads(signed, salt=salt, serializer=serializer)


def signed_cookie_value(name: str, value: str, salt: str = "") -> str:
    """The value to set a cookie ``name`` to, signed with a timestamp:
    ``TimestampSigner(salt=cookie_salt(name, salt)).sign(value)``, each salt's key derived
    once a process. ``signed_cookie`` reads it back."""
    return timestamped(cookie_salt(name, salt), _secret(), value)


def signed_cookie(request: HttpRequest, name: str, *, salt: str = "", max_age: int) -> str | None:
    """The value of the cookie ``name`` that ``signed_cookie_value`` signed at most
    ``max_age`` seconds ago (under the current secret key or one of
    ``SECRET_KEY_FALLBACKS``), else ``None``.

    A cookie Django's ``set_signed_cookie`` signed is not read: only the vote's receipt is
    signed so, for the one redirect between the cast and the receipt page (ten minutes at
    most), so nothing that lasts was signed under Django's salt."""
    signed = request.COOKIES.get(name)
    if signed is None:
        return None
    signer = signing.TimestampSigner(
        salt=cookie_salt(name, salt), fallback_keys=settings.SECRET_KEY_FALLBACKS
    )
    try:
        return signer.unsign(signed, max_age=max_age)
    except signing.BadSignature:
        return None
