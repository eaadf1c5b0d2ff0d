"""The officer's own second factor: enrol an authenticator app (``second_factor.py``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django_otp import user_has_device

from omov.web.access.roles import officer_start
from omov.web.access.second_factor import (
    needs_second_factor,
    recovery_codes_issue,
    totp_confirm,
    totp_qr_svg,
    totp_start,
)
from omov.web.errors import ContestError


class OfficerLoginView(LoginView):
    """The officer's sign-in: with no ``next`` page asked for, on to the pages their roles
    open (a unit's secretary to their meetings, not to the contests that refuse them)."""

    def get_default_redirect_url(self) -> str:
        return officer_start(self.request.user)


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """GET: whether an app is enrolled. POST ``start``: a new key to scan or type; POST
    ``token``: confirm it, and see ten recovery codes, this once; POST ``recovery``: ten new
    ones. A session signed in without the code of an enrolled app may not enrol another (a
    stolen password must not replace the officer's app)."""
    user = request.user
    if needs_second_factor(user):
        return redirect_to_login(request.get_full_path())
    device, codes = None, None
    if request.method == "POST":
        if "start" in request.POST:
            device = totp_start(user=user)
        elif "recovery" in request.POST and user_has_device(user):
            codes = recovery_codes_issue(user=user)
        else:
            try:
                totp_confirm(user=user, token=request.POST.get("token", ""))
            except ContestError as error:
                messages.error(request, str(error))
                return redirect("second-factor")
            messages.success(request, gettext("Your authenticator app is enrolled."))
            codes = recovery_codes_issue(user=user)
    qr = totp_qr_svg(device) if device is not None else None
    context = {"enrolled": user_has_device(user), "device": device, "codes": codes, "qr": qr}
    return render(request, "registration/second_factor.html", context)
