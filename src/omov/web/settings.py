"""Django settings. Everything that differs between machines comes from the environment.

- ``DATABASE_URL``: PostgreSQL in production (``postgres://...``); the embedded SQLite
  file under ``OMOV_DATA_DIR`` by default.
- ``OMOV_SECRET_KEY``: required when ``OMOV_DEBUG`` is off.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

DATA_DIR = Path(os.environ.get("OMOV_DATA_DIR", Path.cwd() / "var")).resolve()
DEBUG = os.environ.get("OMOV_DEBUG", "1") == "1"
SECRET_KEY = os.environ.get("OMOV_SECRET_KEY") or (
    "omov-development-only-key-never-use-in-production" if DEBUG else ""
)
if not SECRET_KEY:
    raise RuntimeError("set OMOV_SECRET_KEY when OMOV_DEBUG is off")
ALLOWED_HOSTS = os.environ.get("OMOV_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(
    ","
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "omov.web.audit",
    "omov.web.contests",
    "omov.web.access",
    "rules",
    "omov.web.nominations",
    "omov.web.electorate",
    "omov.web.balloting",
    "omov.web.results",
    "omov.web.trust",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "omov.web.urls"
WSGI_APPLICATION = "omov.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).resolve().parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'omov.sqlite3'}"),
        # Persistent connections for the server (``omov serve`` sets 60 s); none by default, so
        # test servers leave no sessions open on the test database.
        conn_max_age=int(os.environ.get("OMOV_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django turns psycopg's prepared statements off; its own queries never use them anyway
    # (they bind parameters client-side). The cast's two queries bind server-side so that
    # psycopg prepares them after this many runs on a connection (``omov/web/db.py``): behind
    # PgBouncer in transaction mode that needs PgBouncer 1.21+ (max_prepared_statements).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 2)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Collected static files (production); in development whitenoise serves them from the apps.
STATIC_ROOT = DATA_DIR / "static" if (DATA_DIR / "static").is_dir() or not DEBUG else None
WHITENOISE_USE_FINDERS = DEBUG
EMAIL_BACKEND = os.environ.get(
    "OMOV_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 2**20

STATICFILES_DIRS = [Path(__file__).resolve().parent / "static"]
# Officers' roles are per organisation (omov/web/access): django-rules answers has_perm on a
# contest; Django's own backend keeps answering the admin's model permissions.
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "officer-home"
LOGOUT_REDIRECT_URL = "home"
CSRF_FAILURE_VIEW = "omov.web.views.csrf_failure"
# Sessions live in the database, so signing out ends them: a cookie replayed after logout
# finds no session (Django's table, a statement a step: omov/web/sessions.py). A voter's
# session holds only the code's digest until the cast, which deletes it; the receipt goes
# to the receipt page in a signed cookie of its own (balloting/views.py), so no session row
# ever holds a tracker.
SESSION_ENGINE = "omov.web.sessions"
# A voter's session ends with the browser, so a shared computer does not keep a signed-in
# voter (or an officer) until the next day; the server forgets it after SESSION_COOKIE_AGE
# (12 hours) whatever the browser does. `omov serve` deployments run `clearsessions` daily.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 12 * 3600
# The officer's messages ("Opened ...", "line 4: ...") ride in the session, not in a cookie
# of their own (which cost every request, the voters' included, a second signer).
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# Voting codes are stored as HMAC-SHA256 under this key (see balloting/codes.py).
OMOV_CREDENTIAL_KEY = os.environ.get("OMOV_CREDENTIAL_KEY") or f"credential:{SECRET_KEY}"
# Candidates' photos for the statements page (served by Django only when DEBUG is on).
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"
# The organisation's signing key is stored encrypted with this passphrase (demo default
# only while DEBUG is on), and a while-open tree head is due every this many new ballots.
OMOV_KEY_PASSPHRASE = os.environ.get("OMOV_KEY_PASSPHRASE") or (
    "omov demo passphrase" if DEBUG else ""
)
OMOV_CHECKPOINT_BALLOTS = int(os.environ.get("OMOV_CHECKPOINT_BALLOTS", "1000"))
