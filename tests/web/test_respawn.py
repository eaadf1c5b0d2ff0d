"""PostgreSQL only: ``omov serve`` outlives a killed worker. Voters sign in and cast through
the production server (two Granian workers) while one worker is killed with SIGKILL: the
server goes on answering, and every ballot whose cast returned a receipt is stored exactly
once (a cast cut off with its worker may or may not be stored; none is stored twice)."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.db import connection

from omov.web.balloting.models import Ballot

from .conftest import ballot_ready
from .ports import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
CSRF = "k" * 32
CLIENTS = 6


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (Granian's workers under its master)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = free_port()
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "OMOV_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = "from omov.cli import main; main()"
    args = ["serve", "--port", str(port), "--workers", "2", "--threads", "2"]
    process = subprocess.Popen(
        [sys.executable, "-c", command, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while len(_children(process.pid)) < 2 or not _answers(port):
            assert process.poll() is None, "omov serve exited"
            assert time.monotonic() < deadline, "omov serve did not start"
            time.sleep(0.2)
        yield port, process
    finally:
        process.terminate()
        process.wait(30)


def _answers(port: int) -> bool:
    try:
        return _request(port, "GET", "/", {})[0] == 200
    except OSError:
        return False


def _request(
    port: int, method: str, path: str, form: dict[str, str], cookies: str = ""
) -> tuple[int, SimpleCookie]:
    """One request as the TLS proxy in front would pass it on; status and cookies set."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {
        "X-Forwarded-Proto": "https",
        "Referer": f"https://127.0.0.1:{port}/",
        "Cookie": f"csrftoken={CSRF}" + (f"; {cookies}" if cookies else ""),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    body = urllib.parse.urlencode({**form, "csrfmiddlewaretoken": CSRF}) if form else None
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        jar: SimpleCookie = SimpleCookie()
        for value in response.headers.get_all("Set-Cookie") or []:
            jar.load(value)
        return response.status, jar
    finally:
        conn.close()


class Load:
    """Voters signing in and casting, a thread per client, until the codes run out."""

    def __init__(self, port: int, contest: int, codes: list[str]) -> None:
        self.port, self.contest, self.codes = port, contest, codes
        self.lock = threading.Lock()
        self.receipts: list[str] = []
        self.cut_off = 0  # casts whose outcome the client never learnt
        self.after_kill = 0  # casts answered after the kill
        self.killed = threading.Event()

    def vote(self, code: str) -> None:
        try:
            status, jar = _request(self.port, "POST", f"/vote/{self.contest}/", {"code": code})
            session = jar["sessionid"].value
        except (OSError, http.client.HTTPException, KeyError):
            return  # not signed in: nothing cast
        try:
            status, jar = _request(
                self.port, "POST", f"/vote/{self.contest}/cast/", {"rank_1": "1"},
                f"sessionid={session}",
            )  # fmt: skip
        except (OSError, http.client.HTTPException):
            with self.lock:
                self.cut_off += 1
            return
        assert status == 302, status
        receipt = jar["omov-receipt"].value.split(":")[0]
        with self.lock:
            self.receipts.append(receipt)
            self.after_kill += self.killed.is_set()

    def run(self) -> None:
        while True:
            with self.lock:
                if not self.codes:
                    return
                code = self.codes.pop()
            self.vote(code)


def test_a_killed_worker_is_replaced_and_no_receipted_ballot_is_lost(
    server: tuple[int, subprocess.Popen[bytes]],
) -> None:
    port, process = server
    ready = ballot_ready(per_section=100)
    codes = list(ready.codes.values())
    load = Load(port, ready.contest.pk, codes)
    threads = [threading.Thread(target=load.run) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    while len(load.receipts) < 60:
        time.sleep(0.05)
    victim = min(_children(process.pid))
    os.kill(victim, signal.SIGKILL)
    load.killed.set()
    for thread in threads:
        thread.join(300)
    assert process.poll() is None, "the server shut down with its worker"
    assert load.after_kill > 100
    deadline = time.monotonic() + 30
    while len(_children(process.pid) - {victim}) < 2:
        assert time.monotonic() < deadline, "the worker was not replaced"
        time.sleep(0.2)
    assert _answers(port)
    stored = list(Ballot.objects.values_list("receipt", flat=True))
    assert len(set(stored)) == len(stored)
    assert set(load.receipts) <= set(stored)
    assert len(load.receipts) <= len(stored) <= len(load.receipts) + load.cut_off
