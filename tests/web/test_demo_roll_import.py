"""The README's first command, run as a subprocess, imports a roll through its web page, and
a vote is cast afterwards (issue 15: the demo's roll import used to hang inside Polars'
thread pool, started before the server forked, holding SQLite's write lock, so every later
sign-in and cast failed with "database is locked").

The README's command is ``./scripts/demo.sh``, which sets up ``.venv/`` (a hashed install)
and then runs ``omov demo``; the test runs only that serving part, ``omov demo``, with the
interpreter running the tests (whose environment has omov installed). It signs in with
the officer's credentials as the demo prints them, opens a second contest in the demo's
organisation, imports a members' roll made from the rulebook's template through the
dashboard's form, and then votes in the demo's contest with the printed voting code,
through the pages a browser without JavaScript uses.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from .ports import free_port

DEADLINE = 45.0
"""Seconds any one request may take (a hung import holds the rest up until then)."""


class _Browser:
    """Cookies and CSRF tokens, as a browser without JavaScript keeps them."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.base + path, timeout=DEADLINE) as response:
            return response.url, response.read().decode()

    def post(self, path: str, fields: dict[str, str], *, page: str = "") -> tuple[str, str]:
        """Post ``fields`` with the CSRF token of ``page`` (default: ``path``'s form)."""
        _, form = self.get(page or path)
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": _token(form)}).encode()
        with self.opener.open(self.base + path, data=data, timeout=DEADLINE) as response:
            return response.url, response.read().decode()

    def upload(self, path: str, fields: dict[str, str], name: str, content: bytes) -> str:
        _, form = self.get(path.rsplit("roll/", 1)[0])
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
            for key, value in {**fields, "csrfmiddlewaretoken": _token(form)}.items()
        ]
        body = (
            "".join(parts).encode()
            + (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="roll.csv"\r\nContent-Type: text/csv\r\n\r\n'
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(
            self.base + path,
            data=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        with self.opener.open(request, timeout=DEADLINE) as response:
            return str(response.read().decode())


def _token(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found is not None, page[:500]
    return found.group(1)


def _printed(server: subprocess.Popen[str], lines: list[str], seconds: float) -> dict[str, str]:
    """Read the demo's output until it has printed the voting code: the URL, the officer's
    username and password, the contest and the code."""
    done = threading.Event()

    def read() -> None:
        assert server.stdout is not None
        for line in server.stdout:
            lines.append(line)
            if "voting code" in line:
                done.set()

    threading.Thread(target=read, daemon=True).start()
    assert done.wait(seconds), "".join(lines)
    text = "".join(lines)
    officer = re.search(r"username (\S+)\s+password (\S+)", text)
    assert officer is not None, text
    vote = re.search(r"(http://[\d.:]+)/vote/(\d+)/", text)
    assert vote is not None, text
    code = re.search(r"voting code ([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})", text)
    assert code is not None, text
    return {
        "username": officer.group(1),
        "password": officer.group(2),
        "base": vote.group(1),
        "contest": vote.group(2),
        "code": code.group(1),
    }


def _wait_for(port: int, server: subprocess.Popen[str], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "omov demo exited"
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError("omov demo did not listen")


def _import_a_roll(officer: _Browser, demo: dict[str, str]) -> None:
    url, home = officer.post(
        "/accounts/login/", {"username": demo["username"], "password": demo["password"]}
    )
    assert url.endswith("/officer/"), url
    organisation = re.search(r'<option value="(\d+)"[^>]*>The Labour Party \(demo\)', home)
    assert organisation is not None, home
    url, _ = officer.post(
        "/officer/",
        {
            "organisation": organisation.group(1),
            "rulebook": "labour/2016",
            "title": "A second contest",
            "nominating_body_size": "251",
            "freeze_date": "2016-01-12",
            "ballot_opens_at": "2016-08-22 09:00",
            "ballot_closes_at": "2099-09-21 12:00",
        },
    )
    dashboard = urllib.parse.urlparse(url).path
    assert re.fullmatch(r"/officer/contest/\d+/", dashboard), url
    _, template = officer.get(dashboard + "roll/members/template.csv")
    header, example = template.strip().splitlines()[:2]
    rows = [example.replace("EXAMPLE-1", f"NEW{n:03d}", 1) for n in range(25)]
    page = officer.upload(
        dashboard + "roll/",
        {"section": "members"},
        "roll",
        "\n".join([header, *rows]).encode(),
    )
    assert "Roll imported." in page
    assert "NEW024" in page or "25" in page


def _vote(voter: _Browser, demo: dict[str, str]) -> str:
    start = f"/vote/{demo['contest']}/"
    url, ballot = voter.post(start, {"code": demo["code"]})
    assert url.endswith("/ballot/"), url
    positions = sorted(set(re.findall(r'name="rank_(\d+)"', ballot)))
    ranking = {f"rank_{p}": str(n) for n, p in enumerate(positions, start=1)}
    url, receipt = voter.post(start + "cast/", ranking, page=start + "ballot/")
    assert url.endswith("/receipt/"), url
    tracker = re.search(r'id="receipt"[^>]*>([^<]+)<', receipt)
    assert tracker is not None, receipt[:2000]
    return tracker.group(1).strip()


def test_the_demo_imports_a_roll_through_its_page_and_a_vote_is_cast_afterwards(
    tmp_path: Path,
) -> None:
    port = free_port()
    env = {**os.environ, "OMOV_DATA_DIR": str(tmp_path), "COLUMNS": "200"}
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "OMOV_DEBUG"):
        env.pop(name, None)
    server = subprocess.Popen(
        [sys.executable, "-c", "from omov.cli import main; main()", "demo", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: Granian's worker goes with it
    )
    lines: list[str] = []
    try:
        demo = _printed(server, lines, seconds=240)  # seeding: ~15 s of CPU
        _wait_for(port, server, seconds=60)
        assert demo["base"] == f"http://127.0.0.1:{port}"
        _import_a_roll(_Browser(demo["base"]), demo)
        tracker = _vote(_Browser(demo["base"]), demo)
        assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4})+", tracker), tracker
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(5)
    assert "database is locked" not in "".join(lines)
