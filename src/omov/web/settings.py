"""Django settings: production unless ``OMOV_DEBUG=1`` (which only ``omov demo`` sets).

Everything that differs between machines comes from the environment; each secret from
``NAME`` or from the file ``NAME_FILE`` names (``omov/web/deploy.py``), and ``omov serve``
refuses to start without them:

- ``OMOV_SECRET_KEY``: Django's signing key (sessions, CSRF, the receipt cookie);
- ``OMOV_KEY_PASSPHRASE``: unlocks the organisation's signing key (tree heads, bundles);
- ``OMOV_CREDENTIAL_KEY`` (optional): the voting codes' HMAC key, else derived from the
  secret key;
- ``DATABASE_URL``: PostgreSQL in production (``postgres://...``); the embedded SQLite
  file under ``OMOV_DATA_DIR`` by default;
- ``OMOV_ALLOWED_HOSTS``: the site's host names, comma-separated;
- ``OMOV_HSTS_SECONDS`` (a year), ``OMOV_HSTS_PRELOAD`` (1), ``OMOV_SSL_REDIRECT`` (1):
  HTTPS, which a proxy in front terminates and announces with ``X-Forwarded-Proto``.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from omov.web.deploy import CREDENTIAL_KEY_ENV, PASSPHRASE_ENV, SECRET_KEY_ENV, number, secret

DATA_DIR = Path(os.environ.get("OMOV_DATA_DIR", Path.cwd() / "var")).resolve()
DEBUG = os.environ.get("OMOV_DEBUG", "0") == "1"
# Empty when unset: Django then refuses to sign anything, and `omov serve` to start.
SECRET_KEY = secret(SECRET_KEY_ENV)
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
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "omov.web.nominations",
    "omov.web.electorate",
    "omov.web.balloting",
    "omov.web.results",
    "omov.web.trust",
    "omov.web.trustees",
    "omov.web.members",
    "omov.web.discussion",
    "omov.web.petitions",
    "django_tasks",
    "django_tasks_db",
    "omov.web.jobs",
    "omov.web.hustings",
    "omov.web.local",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's language among those with a translation under LOCALE_PATHS (Django's,
    # without looking for one in the path: omov/web/languages.py).
    "omov.web.languages.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks request.user verified when the session signed in with a second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A contest's pages in its organisation's time zone (Organisation.time_zone).
    "omov.web.zones.OrganisationTimeZoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp's, its policy built once a process (omov/web/csp.py).
    "omov.web.csp.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its 429 page.
    "axes.middleware.AxesMiddleware",
]

# Content Security Policy (django-csp): scripts, styles, images and fetches from this site
# only, and no inline script or style anywhere (templates load static/omov/*.js and *.css).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "connect-src": [SELF],
        "font-src": [SELF],
        "form-action": [SELF],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}

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
                "omov.web.views.site_nav",
                "omov.web.members.context.signed_in_member",
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
    # Behind PgBouncer in transaction mode a server-side cursor (QuerySet.iterator) cannot
    # outlive its statement's server connection (docs/deploy.md).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = os.environ.get("OMOV_PGBOUNCER") == "1"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background jobs (ADR 5, django-tasks): on PostgreSQL they wait in a table of the database
# until `omov worker` runs them; on SQLite (the demo) they run in the process that queued
# them, when its transaction commits, so the demo needs no other process.
_TASKS_DEFAULT = (
    "database" if DATABASES["default"]["ENGINE"].endswith("postgresql") else "immediate"
)
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[os.environ.get("OMOV_TASKS", _TASKS_DEFAULT)]
    }
}
# Mailings (voting codes, reminders): electors a batch, how many workers share a mailing,
# how long a worker's claim on a batch lasts (renewed every so many letters; a killed
# worker's batch is taken up this long after), and how long deferred letters wait.
OMOV_MAIL_BATCH = int(os.environ.get("OMOV_MAIL_BATCH", "500"))
OMOV_MAIL_WORKERS = int(os.environ.get("OMOV_MAIL_WORKERS", "2"))
OMOV_MAIL_LEASE_SECONDS = float(os.environ.get("OMOV_MAIL_LEASE_SECONDS", "60"))
OMOV_MAIL_RENEW_EVERY = int(os.environ.get("OMOV_MAIL_RENEW_EVERY", "50"))
OMOV_MAIL_RETRY_SECONDS = float(os.environ.get("OMOV_MAIL_RETRY_SECONDS", "300"))
OMOV_MAIL_DOMAIN = os.environ.get("OMOV_MAIL_DOMAIN", "omov.invalid")
# The site's address as voters reach it, for the links in emails (the one-time sign-in link).
OMOV_SITE_URL = os.environ.get("OMOV_SITE_URL", "http://localhost:8000")

LANGUAGE_CODE = "en-gb"
# A translation is added without code: compile its messages into LOCALE_PATHS/<code>/
# LC_MESSAGES (locale/README.md: `makemessages`, then `pybabel compile`) and it is offered
# to browsers that ask for it. Only languages with a translation are offered, so Django's
# own words are never in one language and omov's in another.
LOCALE_PATHS = [Path(__file__).resolve().parent / "locale"]
LANGUAGES = [
    ("en-gb", "English"),
    *(
        (found.name.lower().replace("_", "-"), found.name)
        for found in sorted(LOCALE_PATHS[0].glob("*"))
        if (found / "LC_MESSAGES" / "django.mo").is_file()
    ),
]
# The site's zone; a contest's pages use its organisation's (omov/web/zones.py).
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
# The relay, for the SMTP backend (any provider's SMTP endpoint works).
EMAIL_HOST = os.environ.get("OMOV_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("OMOV_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("OMOV_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = secret("OMOV_EMAIL_PASSWORD")
EMAIL_USE_TLS = os.environ.get("OMOV_EMAIL_TLS", "0") == "1"
EMAIL_TIMEOUT = 30
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 2**20

STATICFILES_DIRS = [Path(__file__).resolve().parent / "static"]
# Officers' roles are per organisation (omov/web/access): django-rules answers has_perm on a
# contest; Django's own backend keeps answering the admin's model permissions.
AUTHENTICATION_BACKENDS = [
    # First, as django-axes asks: a locked-out officer is refused before any password check.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Officer sign-in is throttled by django-axes in the database (every web server on one
# PostgreSQL shares the counts): five wrong passwords for one user name from one client lock
# that pair out for 15 minutes (429), and each further try during the lock-out restarts it.
# Locking by the pair means a flood from one client cannot lock a real officer out from
# elsewhere. Voting codes have their own throttle (balloting/throttle.py).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_CLIENT_IP_CALLABLE = "omov.web.clients.client_address"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# How many proxies stand in front of the server, each appending to X-Forwarded-For: the
# throttles key a client by the address the outermost one saw (omov/web/clients.py).
OMOV_PROXY_COUNT = int(os.environ.get("OMOV_PROXY_COUNT", "0"))
# The voting-code throttle (balloting/throttle.py; docs/deploy.md): a client's wrong codes
# before the delays start, and while its contest is flooded; the flood (wrong codes in its
# window, from every client); the quiet after which a client starts afresh; the longest
# delay. Checked at start-up (balloting/checks.py): nonsense stops every command.
OMOV_THROTTLE_FREE = number("OMOV_THROTTLE_FREE", 5)
OMOV_THROTTLE_FREE_UNDER_FLOOD = number("OMOV_THROTTLE_FREE_UNDER_FLOOD", 2)
OMOV_THROTTLE_FLOOD = number("OMOV_THROTTLE_FLOOD", 300)
OMOV_THROTTLE_FLOOD_SECONDS = number("OMOV_THROTTLE_FLOOD_SECONDS", 60.0)
OMOV_THROTTLE_FORGET_SECONDS = number("OMOV_THROTTLE_FORGET_SECONDS", 3600.0)
OMOV_THROTTLE_LONGEST_WAIT_SECONDS = number("OMOV_THROTTLE_LONGEST_WAIT_SECONDS", 900.0)
# Officers may enrol a TOTP authenticator app (access/second_factor.py); the keys are
# stored as django-otp stores them, and its own throttle slows repeated wrong codes.
OTP_TOTP_ISSUER = os.environ.get("OMOV_OTP_ISSUER", "omov")
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
# HTTPS: a proxy in front terminates TLS and must set X-Forwarded-Proto (overwriting any a
# client sent); plain-HTTP requests are redirected and browsers told to keep to HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = not DEBUG and os.environ.get("OMOV_SSL_REDIRECT", "1") == "1"
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("OMOV_HSTS_SECONDS", str(365 * 86400)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("OMOV_HSTS_SUBDOMAINS", "1") == "1"
SECURE_HSTS_PRELOAD = os.environ.get("OMOV_HSTS_PRELOAD", "1") == "1"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Voting codes are stored as HMAC-SHA256 under this key (see balloting/codes.py).
OMOV_CREDENTIAL_KEY = secret(CREDENTIAL_KEY_ENV) or (
    f"credential:{SECRET_KEY}" if SECRET_KEY else ""
)
# Candidates' photos, re-encoded as JPEG under random names (contests/photos.py) and served
# by one view as images only (balloting/views.candidate_photo).
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"
# The organisation's signing key is stored encrypted with this passphrase, and a while-open
# tree head is due every this many new ballots.
OMOV_KEY_PASSPHRASE = secret(PASSPHRASE_ENV)
OMOV_CHECKPOINT_BALLOTS = int(os.environ.get("OMOV_CHECKPOINT_BALLOTS", "1000"))
# ... or this many minutes after the last head, if the rulebook's smallest batch came since
# (the workers sign them); reminders to unspent codes go this many days before the close.
OMOV_CHECKPOINT_MINUTES = float(os.environ.get("OMOV_CHECKPOINT_MINUTES", "60"))
OMOV_REMINDER_DAYS = [
    int(days) for days in os.environ.get("OMOV_REMINDER_DAYS", "7,1").split(",") if days
]
# Where the demo's simulated trustees keep their key files, one file each (omov demo only;
# a real contest's trustees keep theirs on their own machines, with `omov trustee`).
OMOV_DEMO_TRUSTEES = DATA_DIR / "demo-trustees"

# Server errors (and refused requests Django reports) as JSON lines on stderr
# (omov/web/logs.py); with DEBUG off Django would only mail them, and omov sends no mail.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "omov.web.logs.JsonFormatter"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "json",
        }
    },
    "loggers": {
        "django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
        "django.security": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        "omov": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
    },
}
