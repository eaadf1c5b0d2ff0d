"""What a production server needs before it starts: secrets from the environment or files.

Each secret comes from ``NAME`` or from the file that ``NAME_FILE`` names (systemd
credentials, Docker or Kubernetes secrets), so it need not sit in the process environment.
Reading never fails here: settings must import for every command. ``omov serve`` asks
``deploy_problems()`` first and refuses to start, one line a problem, if there are any.
"""

from __future__ import annotations

import os
from pathlib import Path

SECRET_KEY_ENV = "OMOV_SECRET_KEY"
PASSPHRASE_ENV = "OMOV_KEY_PASSPHRASE"
CREDENTIAL_KEY_ENV = "OMOV_CREDENTIAL_KEY"
SHORTEST_SECRET_KEY = 50  # what Django's deployment check asks (security.W009)


def secret(name: str) -> str:
    """``$NAME``, else the contents of the file ``$NAME_FILE`` (stripped), else ``""``."""
    if os.environ.get(name):
        return os.environ[name]
    path = os.environ.get(f"{name}_FILE")
    if not path:
        return ""
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def number(name: str, default: float) -> float | str:
    """``$NAME`` as a number (``default`` when unset), or the text itself if it is not one,
    for a start-up check to refuse by name (settings must import, so this never raises)."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        return float(text) if "." in text or "e" in text.lower() else int(text)
    except ValueError:
        return text


def _problem(name: str) -> str | None:
    path = os.environ.get(f"{name}_FILE")
    if os.environ.get(name) or (path and secret(name)):
        return None
    if path:
        return f"{name}_FILE: cannot read a secret from {path}"
    return f"set {name} (or {name}_FILE, a file holding it)"


def deploy_problems() -> list[str]:
    """Why a production server must not start with this environment (empty: it may)."""
    problems = [p for p in (_problem(SECRET_KEY_ENV), _problem(PASSPHRASE_ENV)) if p]
    key = secret(SECRET_KEY_ENV)
    if key and (len(key) < SHORTEST_SECRET_KEY or len(set(key)) < 5):
        problems.append(
            f"{SECRET_KEY_ENV} is too weak: use at least {SHORTEST_SECRET_KEY} random characters, "
            "e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    return problems
