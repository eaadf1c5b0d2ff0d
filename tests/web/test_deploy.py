"""Production is the default: DEBUG off unless the demo asks, ``omov serve`` refuses to start
without its secrets, Django's deployment check is clean, pages carry a Content Security
Policy with no inline script, error pages echo nothing, and server errors are logged as
JSON on stderr."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import path, reverse

import omov.web

from .conftest import OpenBallot

WEB = Path(omov.web.__file__).resolve().parent
STRONG = "k" * 30 + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OMOV_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    return {**env, "DJANGO_SETTINGS_MODULE": "omov.web.settings", **extra}


def _python(code: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_debug_is_off_unless_asked_for(tmp_path: Path) -> None:
    show = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    assert _python(show, _production_env(), tmp_path).stdout.strip() == "False"
    on = _production_env(OMOV_DEBUG="1")
    assert _python(show, on, tmp_path).stdout.strip() == "True"


def test_serve_refuses_to_start_without_its_secrets(tmp_path: Path) -> None:
    serve = "from omov.cli import main; main()"
    result = subprocess.run(
        [sys.executable, "-c", serve, "serve", "--port", "1"],
        env=_production_env(OMOV_DATA_DIR=str(tmp_path)),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "error: omov serve: set OMOV_SECRET_KEY (or OMOV_SECRET_KEY_FILE, a file holding it)",
        "error: omov serve: set OMOV_KEY_PASSPHRASE (or OMOV_KEY_PASSPHRASE_FILE, a file "
        "holding it)",
    ]
    assert not (tmp_path / "omov.sqlite3").exists()  # not even migrated


def test_serve_reads_secrets_from_files_and_refuses_a_weak_key(tmp_path: Path) -> None:
    (tmp_path / "key").write_text("short\n")
    env = _production_env(
        OMOV_SECRET_KEY_FILE=str(tmp_path / "key"),
        OMOV_KEY_PASSPHRASE_FILE=str(tmp_path / "missing"),
        OMOV_DATA_DIR=str(tmp_path),
    )
    serve = subprocess.run(
        [sys.executable, "-c", "from omov.cli import main; main()", "serve"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert serve.returncode == 2
    assert "OMOV_KEY_PASSPHRASE_FILE: cannot read a secret from" in serve.stderr
    assert "OMOV_SECRET_KEY is too weak" in serve.stderr
    assert "Traceback" not in serve.stderr


def test_the_deployment_check_is_clean_under_production_settings(tmp_path: Path) -> None:
    env = _production_env(
        OMOV_SECRET_KEY=STRONG,
        OMOV_KEY_PASSPHRASE="a passphrase",
        OMOV_ALLOWED_HOSTS="omov.example.org",
        OMOV_DATA_DIR=str(tmp_path),
    )
    check = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING')"
    )
    result = _python(check, env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy(open_ballot: OpenBallot) -> None:
    response = Client().get(reverse("vote-start", args=[open_ballot.contest.pk]))
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'none'"
    assert "unsafe-inline" not in policy


def test_no_template_has_inline_script_or_style() -> None:
    """What the policy would block: a script without src, an on...= handler, a style
    attribute or element, a javascript: URL. An email's HTML is read in a mail client, not
    under the site's policy, and mail clients honour only inline styles, so emails may
    style inline; they still carry no script, handler or javascript: URL."""
    script = r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:"
    style = r"\sstyle\s*=|<style"
    templates = list(WEB.rglob("*.html"))
    emails = [t for t in templates if "email" in t.relative_to(WEB).parts]
    found = [
        f"{template.relative_to(WEB)}: {match.group(0)}"
        for template in templates
        for match in re.finditer(
            script if template in emails else f"{script}|{style}", template.read_text(), re.I
        )
    ]
    assert len(templates) > 10
    assert emails
    assert found == []


@pytest.mark.django_db
def test_a_missing_page_echoes_nothing_of_the_request() -> None:
    probe = "<script>alert(1)</script>"
    response = Client().get(f"/vote/999999/{probe}", {"code": probe})
    assert response.status_code == 404
    assert b"alert(1)" not in response.content
    assert b"There is no such page" in response.content


def _broken(request: HttpRequest) -> HttpResponse:
    raise ValueError("a fault deep in the server")


urlpatterns = [path("broken/", _broken)]


@pytest.mark.django_db
@pytest.mark.urls("tests.web.test_deploy")
def test_a_server_error_is_a_plain_page_and_a_json_line_on_stderr() -> None:
    handler = next(
        h for h in logging.getLogger("django.request").handlers if h.formatter is not None
    )
    assert isinstance(handler, logging.StreamHandler)
    captured = io.StringIO()
    # Swapped by hand: setStream flushes the old stream first, which an earlier test's
    # captured stderr may have closed.
    previous, handler.stream = handler.stream, captured
    try:
        client = Client(raise_request_exception=False)
        response = client.post("/broken/?code=ABCD-EFGH-JKLM", {"rank_1": "2", "rank_2": "1"})
    finally:
        handler.stream = previous
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content
    assert b"rank_1" not in response.content
    assert b"ABCD" not in response.content
    (line,) = captured.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["status"] == 500
    assert entry["method"] == "POST"
    assert entry["path"] == "/broken/"
    assert entry["error"] == "ValueError"
    assert entry["where"][-1].endswith("in _broken")
    assert "ABCD" not in line
    assert "rank_1" not in line


def _csp_headers(middleware: type, change: str) -> dict[str, str]:
    """The CSP headers ``middleware`` sets on a response to a request, ``change``d as a view
    could change it: not at all, by django-csp's decorator, or by drawing a nonce."""
    request = RequestFactory().get("/vote/1/")
    response = HttpResponse()
    handler = middleware(lambda _: response)
    handler.process_request(request)
    if change == "decorator":
        response._csp_update = {"img-src": ["data:"]}  # type: ignore[attr-defined]
    if change == "nonce":
        str(request.csp_nonce)  # type: ignore[attr-defined]
    handler.process_response(request, response)
    return {k: v for k, v in response.items() if k.startswith("Content-Security-Policy")}


@pytest.mark.parametrize("change", ["none", "decorator", "nonce"])
def test_the_policy_built_once_is_django_csps(change: str) -> None:
    """omov/web/csp.py builds the policy once; what it sets is what django-csp sets."""
    from csp.middleware import CSPMiddleware as DjangoCSPMiddleware

    from omov.web.csp import CSPMiddleware

    ours = _csp_headers(CSPMiddleware, change)
    assert ours == _csp_headers(DjangoCSPMiddleware, change)
    assert "default-src 'none'" in ours["Content-Security-Policy"]
    if change == "decorator":
        assert "data:" in ours["Content-Security-Policy"]
