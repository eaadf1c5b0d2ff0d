"""Officers' second factor: a TOTP authenticator app (django-otp), enrolled by the officer.

An officer who has confirmed a device signs in with the password and a six-digit code, and
the one officer check (``checks.py``) sends a session signed in without the code back to the
sign-in page. An officer with no device signs in with the password alone until they enrol.
Enrolling: the officer asks for a key (an unconfirmed device, shown as an ``otpauth://``
address, a QR image of it, and as text for the app), then confirms it with a code the app
shows. The QR image is SVG drawn on the server (qrcode) and put in the page, so the page
loads no script and the key goes to no other site.

Confirming also issues ten recovery codes (django-otp's static device), shown that once:
each signs in once in place of the app's code. django-otp's ``StaticToken`` keeps its token
as plain text and compares it as typed, so omov stores a digest in it instead (SHA-256, its
first 96 bits) and never lets django-otp's own ``verify_token`` see a recovery code, which
would accept the stored digest typed as a code: ``SignInForm`` checks them here."""

from __future__ import annotations

import hashlib
import secrets
from base64 import b32encode, urlsafe_b64encode
from typing import Any

import qrcode
from django import forms
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django_otp import user_has_device
from django_otp.forms import OTPAuthenticationForm
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from qrcode.image.svg import SvgPathImage

from omov.web.errors import ContestError

NAME = "authenticator app"
RECOVERY_NAME = "recovery codes"
RECOVERY_COUNT = 10
RECOVERY_LENGTH = 16  # base32 characters: 80 random bits, beyond guessing even offline
BASE32 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


class SignInForm(OTPAuthenticationForm):  # type: ignore[misc]
    """Password, then the code if the officer has enrolled a device (django-otp's form asks
    every user for one)."""

    def clean_otp(self, user: Any) -> None:
        if user is not None and user_has_device(user):
            super().clean_otp(user)

    def _verify_token(self, user: Any, token: str, device: Any = None) -> Any:
        """A recovery code (by its shape) against its digests; anything else against the
        officer's app, whatever device the form named."""
        code = recovery_code_read(token)
        if code is None:
            app = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            return super()._verify_token(user, token, app)
        used = recovery_code_use(user=user, code=code)
        if used is None:
            raise forms.ValidationError(
                self.otp_error_messages["invalid_token"], code="invalid_token"
            )
        return used

    def _chosen_device(self, user: Any) -> Any:
        """The officer's one app (``totp_confirm`` keeps one) when the form names none."""
        chosen = super()._chosen_device(user)
        return chosen or TOTPDevice.objects.filter(user=user, confirmed=True).first()


def needs_second_factor(user: Any) -> bool:
    """Signed in without the code though a device is enrolled."""
    return bool(user_has_device(user)) and not user.is_verified()


def totp_start(*, user: Any) -> TOTPDevice:
    """A new key for ``user``'s app, unconfirmed until ``totp_confirm``; an earlier
    unconfirmed one is replaced."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=NAME, confirmed=False)


def totp_confirm(*, user: Any, token: str) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        raise ContestError(gettext("ask for a key first"))
    if not device.verify_token(token.strip()):
        raise ContestError(
            gettext("that code does not match the key: check the app's clock and try again")
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    return device


def _digest(code: str) -> str:
    """What is stored for a recovery code (16 characters, as StaticToken's column holds)."""
    hashed = hashlib.sha256(f"omov recovery code {code}".encode()).digest()
    return urlsafe_b64encode(hashed).decode()[:16]


def recovery_code_read(typed: str) -> str | None:
    """The code as stored, if ``typed`` has a recovery code's shape (dashes and spaces
    ignored, any case); None for anything else (an app's six digits)."""
    code = "".join(typed.split()).replace("-", "").upper()
    return code if len(code) == RECOVERY_LENGTH and set(code) <= BASE32 else None


def recovery_codes_issue(*, user: Any) -> list[str]:
    """Ten new codes, to show once (earlier ones stop working); only their digests stay."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [b32encode(secrets.token_bytes(10)).decode() for _ in range(RECOVERY_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=_digest(c)) for c in codes)
    return ["-".join(code[at : at + 4] for at in range(0, RECOVERY_LENGTH, 4)) for code in codes]


def recovery_code_use(*, user: Any, code: str) -> StaticDevice | None:
    """Spend ``code`` (as ``recovery_code_read`` gives it): its device, or None. One delete
    spends it, so two sign-ins racing with one code cannot both win; wrong codes slow the
    next try as django-otp's throttle does for the app."""
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None or not device.verify_is_allowed()[0]:
        return None
    spent, _ = device.token_set.filter(token=_digest(code)).delete()
    if not spent:
        device.throttle_increment()
        return None
    device.throttle_reset(commit=False)
    device.set_last_used_timestamp(commit=False)
    device.save()
    return device


def totp_qr_svg(device: TOTPDevice) -> SafeString:
    """The key's ``otpauth://`` address as an SVG QR image to put in the page: paths only,
    no script, no style attribute (the Content Security Policy allows neither inline)."""
    image = qrcode.make(device.config_url, image_factory=SvgPathImage, box_size=8)
    svg = str(image.to_string(encoding="unicode"))
    label = 'role="img" aria-label="QR image of the key for your authenticator app"'
    return mark_safe(svg.replace("<svg ", f'<svg id="key-qr" {label} ', 1))
