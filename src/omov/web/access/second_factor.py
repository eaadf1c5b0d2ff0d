"""Officers' second factor: a TOTP authenticator app (django-otp), enrolled by the officer.

An officer who has confirmed a device signs in with the password and a six-digit code, and
the one officer check (``checks.py``) sends a session signed in without the code back to the
sign-in page. An officer with no device signs in with the password alone until they enrol.
Enrolling: the officer asks for a key (an unconfirmed device, shown as an ``otpauth://``
address and as text for the app), then confirms it with a code the app shows."""

from __future__ import annotations

from typing import Any

from django_otp import user_has_device
from django_otp.forms import OTPAuthenticationForm
from django_otp.plugins.otp_totp.models import TOTPDevice

from omov.web.errors import ContestError

NAME = "authenticator app"


class SignInForm(OTPAuthenticationForm):  # type: ignore[misc]
    """Password, then the code if the officer has enrolled a device (django-otp's form asks
    every user for one)."""

    def clean_otp(self, user: Any) -> None:
        if user is not None and user_has_device(user):
            super().clean_otp(user)

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
        raise ContestError("ask for a key first")
    if not device.verify_token(token.strip()):
        raise ContestError("that code does not match the key: check the app's clock and try again")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    return device
