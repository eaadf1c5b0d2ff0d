"""omov/web/signing.py signs as Django does, byte for byte, and refuses what Django refuses."""

from __future__ import annotations

import time

import pytest
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


def test_the_signed_cookie_is_djangos_and_django_reads_it(
    frozen: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    theirs = HttpResponse()
    theirs.set_signed_cookie("omov-receipt", "abc123", salt="omov-receipt")
    value = signed.signed_cookie_value("omov-receipt", "abc123", salt="omov-receipt")
    assert value == theirs.cookies["omov-receipt"].value
    request = RequestFactory().get("/", HTTP_COOKIE=f"omov-receipt={value}")
    assert request.get_signed_cookie("omov-receipt", salt="omov-receipt", max_age=600) == "abc123"
    assert request.get_signed_cookie("omov-receipt", None, salt="other", max_age=600) is None
    stale = RequestFactory().get("/", HTTP_COOKIE=f"omov-receipt={value}")
    monkeypatch.setattr(time, "time", lambda: frozen + 601)
    assert stale.get_signed_cookie("omov-receipt", None, salt="omov-receipt", max_age=600) is None
