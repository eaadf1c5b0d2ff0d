"""omov/web/signing.py signs as Django does, byte for byte, and refuses what Django refuses."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.contrib.sessions.serializers import JSONSerializer
from django.core import signing
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from omov.web import signing as signed

SALT = "django.contrib.sessions.SessionStore"
OBJ = {"omov-credential": [7, "d" * 64], "é": "ü"}


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> float:
    moment = 1_765_000_000.0
    monkeypatch.setattr(time, "time", lambda: moment)
    return moment


@pytest.mark.usefixtures("frozen")
def test_dumps_is_djangos() -> None:
    theirs = signing.dumps(OBJ, salt=SALT, serializer=JSONSerializer, compress=False)
    assert signed.dumps(OBJ, salt=SALT, serializer=JSONSerializer) == theirs
    assert signing.loads(theirs, salt=SALT, serializer=JSONSerializer) == OBJ


def test_loads_reads_djangos_compressed_or_not() -> None:
    for compress in (False, True):
        theirs = signing.dumps(
            {"x": "y" * 500}, salt=SALT, serializer=JSONSerializer, compress=compress
        )
        assert signed.loads(theirs, salt=SALT, serializer=JSONSerializer) == {"x": "y" * 500}


def test_loads_refuses_a_changed_payload_another_salt_or_another_key() -> None:
    good = signed.dumps(OBJ, salt=SALT, serializer=JSONSerializer)
    payload, stamp, mac = good.split(":")
    forged = signing.b64_encode(b'{"omov-credential":[7,"' + b"e" * 64 + b'"]}').decode()
    for bad in (
        f"{forged}:{stamp}:{mac}",
        f"{payload}:{stamp}x:{mac}",
        f"{payload}:{stamp}:{mac[:-1]}A" if mac[-1] != "A" else f"{payload}:{stamp}:{mac[:-1]}B",
        payload,
        "",
    ):
        with pytest.raises(signing.BadSignature):
            signed.loads(bad, salt=SALT, serializer=JSONSerializer)
    with pytest.raises(signing.BadSignature):
        signed.loads(good, salt=SALT + "x", serializer=JSONSerializer)
    with override_settings(SECRET_KEY="another-" + "k" * 50), pytest.raises(signing.BadSignature):
        signed.loads(good, salt=SALT, serializer=JSONSerializer)


def test_a_payload_signed_under_an_old_key_still_loads_from_the_fallbacks() -> None:
    with override_settings(SECRET_KEY="old-" + "k" * 50):
        old = signed.dumps(OBJ, salt=SALT, serializer=JSONSerializer)
    with override_settings(SECRET_KEY="new-" + "k" * 50, SECRET_KEY_FALLBACKS=["old-" + "k" * 50]):
        assert signed.loads(old, salt=SALT, serializer=JSONSerializer) == OBJ
    with override_settings(SECRET_KEY="new-" + "k" * 50), pytest.raises(signing.BadSignature):
        signed.loads(old, salt=SALT, serializer=JSONSerializer)


def test_the_signed_cookie_is_djangos_public_signer_under_omovs_own_salt(
    frozen: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Signed and read with Django's public ``TimestampSigner`` under omov's documented salt,
    never Django's private cookie salt: a Django without it signs and reads alike."""
    theirs = HttpResponse()
    theirs.set_signed_cookie("omov-receipt", "abc123", salt="omov-receipt")
    djangos = theirs.cookies["omov-receipt"].value
    monkeypatch.delattr(signing, "_cookie_signer_salt", raising=False)
    value = signed.signed_cookie_value("omov-receipt", "abc123", salt="omov-receipt")
    public = signing.TimestampSigner(salt=f"{signed.COOKIE_SALT}:12:omov-receipt:omov-receipt")
    assert value == public.sign("abc123")

    def read(cookie: str, salt: str = "omov-receipt") -> str | None:
        request = RequestFactory().get("/", HTTP_COOKIE=f"omov-receipt={cookie}")
        return signed.signed_cookie(request, "omov-receipt", salt=salt, max_age=600)

    assert read(value) == "abc123"
    assert read(value, salt="other") is None
    assert read(value[:-1] + ("A" if value[-1] != "A" else "B")) is None
    assert signed.signed_cookie(RequestFactory().get("/"), "omov-receipt", max_age=600) is None
    assert read(djangos) is None  # signed under Django's cookie salt, not omov's
    with override_settings(
        SECRET_KEY="new-" + "k" * 50, SECRET_KEY_FALLBACKS=[settings.SECRET_KEY]
    ):
        assert read(value) == "abc123"
    monkeypatch.setattr(time, "time", lambda: frozen + 601)
    assert read(value) is None
