"""``omov serve`` runs the app under the production server (Granian) and answers requests:
pages render, static files are served, and a POST without a CSRF token is refused. So does
``omov demo``, the README's first command, on its seeded SQLite contest."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .ports import free_port


def _wait_for(port: int, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "omov serve exited"
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError("omov serve did not listen")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "OMOV_DATA_DIR": str(tmp_path),
        "OMOV_DEBUG": "0",
        "OMOV_SECRET_KEY": "serve-test-" + "x" * 40 + "ABCDEFGH",
        "OMOV_KEY_PASSPHRASE": "serve-test-passphrase",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = "from omov.cli import main; main()"
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            command,
            "serve",
            "--port",
            str(port),
            "--workers",
            "1",
            "--threads",
            "2",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(port, server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(20)


def _via_tls_proxy(url: str, data: bytes | None = None) -> urllib.request.Request:
    """A request as the TLS-terminating proxy in front of ``omov serve`` passes it on."""
    return urllib.request.Request(url, data=data, headers={"X-Forwarded-Proto": "https"})


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_serve_answers_pages_static_files_and_refuses_a_forged_post(served: str) -> None:
    with urllib.request.urlopen(_via_tls_proxy(served + "/")) as page:
        assert page.status == 200
        assert b"omov" in page.read()
        assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    with urllib.request.urlopen(_via_tls_proxy(served + "/static/omov/site.css")) as css:
        assert css.status == 200
    forged = _via_tls_proxy(served + "/vote/1/", data=b"code=x")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(forged)
    assert refused.value.code == 403
    plain = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirected:
        plain.open(served + "/")
    assert redirected.value.code == 301
    assert redirected.value.headers["Location"].startswith("https://")


def test_the_demo_seeds_and_serves_a_contest_to_vote_in(tmp_path: Path) -> None:
    """What a newcomer gets from the README's first command: the printed voting page, the
    candidates' statements, a static file, and the officer's pages behind a login."""
    port = free_port()
    env = {**os.environ, "OMOV_DATA_DIR": str(tmp_path)}
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "OMOV_DEBUG"):
        env.pop(name, None)
    command = "from omov.cli import main; main()"
    server = subprocess.Popen(
        [sys.executable, "-c", command, "demo", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(port, server, seconds=120)
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{base}/vote/1/") as page:
            assert "voting code" in page.read().decode().lower()
        with urllib.request.urlopen(f"{base}/contest/1/candidates/") as page:
            assert "Owen Smith" in page.read().decode()
        with urllib.request.urlopen(f"{base}/static/omov/site.css") as css:
            assert css.status == 200
        with urllib.request.urlopen(f"{base}/officer/contest/1/") as officer:
            assert "/login" in officer.url  # redirected to sign in
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode()
    assert f"omov demo on http://127.0.0.1:{port}/" in output
    assert "voting code" in output
    assert "DEBUG is on: this demo is for trying omov on this machine" in output
    assert (tmp_path / "demo.sqlite3").exists()
