"""The test suite's settings: production's (``omov.web.settings``, DEBUG off, secure
cookies, CSP), with keys made for this run and plain HTTP, since Django's test client and
live server speak it. ``tests/web/test_deploy.py`` checks production's own settings with
``manage.py check --deploy``."""

from __future__ import annotations

import os
import secrets

for _name in ("OMOV_SECRET_KEY", "OMOV_KEY_PASSPHRASE"):
    os.environ.setdefault(_name, secrets.token_urlsafe(50))

from omov.web.settings import *  # noqa: E402, F403

SECURE_SSL_REDIRECT = False
# Static files from the apps' folders, as the demo serves them (nothing is collected).
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None
# Jobs run in the test's own process when queued (at the commit), whatever the database;
# tests/web/test_workers.py runs `omov worker` processes on PostgreSQL's queue instead.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Officers' passwords hashed quickly (tests/hashers.py): the same algorithm as production's.
PASSWORD_HASHERS = ["tests.hashers.QuickPBKDF2PasswordHasher"]
