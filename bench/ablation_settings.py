"""Production settings with some of issue 16's protections off, for ``bench/cast.py
--ablate`` only: ``OMOV_BENCH_OFF`` names them, comma-separated (``throttle``: the voting
code throttle and django-axes; ``csp``: django-csp's header; ``sessions``: Django's signed
cookie sessions instead of the database's). Never a deployment's settings."""

from __future__ import annotations

import os

from omov.web.settings import *  # noqa: F403
from omov.web.settings import AUTHENTICATION_BACKENDS, MIDDLEWARE

OFF = frozenset(filter(None, os.environ.get("OMOV_BENCH_OFF", "").split(",")))

if "throttle" in OFF:
    OMOV_THROTTLE_CODES = False
    MIDDLEWARE = [m for m in MIDDLEWARE if m != "axes.middleware.AxesMiddleware"]
    AUTHENTICATION_BACKENDS = [b for b in AUTHENTICATION_BACKENDS if not b.startswith("axes.")]
if "csp" in OFF:
    MIDDLEWARE = [m for m in MIDDLEWARE if m != "omov.web.csp.CSPMiddleware"]
if "sessions" in OFF:
    SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"
