"""PostgreSQL only: two ``omov serve`` instances on one database take a casting load
together, as behind a load balancer. Each voter signs in on one server and casts on the
other (so the session, the CSRF check and the receipt cookie must be shared state, not a
server's memory). Mid-way one instance is killed whole (its master and worker, SIGKILL),
as a machine dies; the clients go on with the other. Every ballot whose cast returned a
receipt is stored exactly once, and each stored ballot spent exactly one credential."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from omov.web.balloting.models import Ballot, Credential, CredentialState
from omov.web.electorate.models import Elector

from .conftest import ballot_ready
from .ports import free_port
from .test_respawn import _answers, _children, _request

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
CLIENTS = 6


def _serve(port: int, data: Path) -> subprocess.Popen[bytes]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "OMOV_DATA_DIR": str(data)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    args = ["serve", "--port", str(port), "--workers", "1", "--threads", "2"]
    return subprocess.Popen(
        [sys.executable, "-c", "from omov.cli import main; main()", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[tuple[int, subprocess.Popen[bytes]]]]:
    started = []
    for n in range(2):
        port = free_port()
        started.append((port, _serve(port, tmp_path / f"web{n}")))
    try:
        deadline = time.monotonic() + 120
        for port, process in started:
            while not _answers(port):
                assert process.poll() is None, "omov serve exited"
                assert time.monotonic() < deadline, "omov serve did not start"
                time.sleep(0.2)
        yield started
    finally:
        for _, process in started:
            process.terminate()
            process.wait(30)


class Balanced:
    """Clients behind a balancer: sign in on one live server, cast on the next; a server
    that refuses connections is dropped from the pool, as a balancer's health check does."""

    def __init__(self, ports: list[int], contest: int, codes: list[str]) -> None:
        self.live, self.contest, self.codes = list(ports), contest, codes
        self.lock = threading.Lock()
        self.receipts: list[str] = []
        self.cut_off = 0
        self.turn = 0
        self.served: dict[int, int] = dict.fromkeys(ports, 0)

    def _pair(self) -> tuple[int, int]:
        with self.lock:
            self.turn += 1
            first = self.live[self.turn % len(self.live)]
            return first, self.live[(self.turn + 1) % len(self.live)]

    def _drop(self, port: int) -> None:
        with self.lock:
            if port in self.live and len(self.live) > 1:
                self.live.remove(port)

    def vote(self, code: str) -> None:
        while True:
            sign_in, cast = self._pair()
            try:
                _, jar = _request(sign_in, "POST", f"/vote/{self.contest}/", {"code": code})
                session = jar["sessionid"].value
                break
            except (OSError, http.client.HTTPException):
                self._drop(sign_in)  # not signed in: nothing was cast, try the other
        try:
            status, jar = _request(
                cast, "POST", f"/vote/{self.contest}/cast/", {"rank_1": "1"},
                f"sessionid={session}",
            )  # fmt: skip
        except (OSError, http.client.HTTPException):
            self._drop(cast)
            with self.lock:
                self.cut_off += 1
            return
        assert status == 302, status
        with self.lock:
            self.receipts.append(jar["omov-receipt"].value.split(":")[0])
            self.served[cast] += 1

    def run(self) -> None:
        while True:
            with self.lock:
                if not self.codes:
                    return
                code = self.codes.pop()
            self.vote(code)


def test_two_servers_share_a_casting_load_and_one_dies_without_a_ballot_lost(
    servers: list[tuple[int, subprocess.Popen[bytes]]],
) -> None:
    ready = ballot_ready(per_section=100)
    load = Balanced([port for port, _ in servers], ready.contest.pk, list(ready.codes.values()))
    threads = [threading.Thread(target=load.run) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    while len(load.receipts) < 80:
        time.sleep(0.05)
    victim_port, victim = servers[0]
    for pid in [*_children(victim.pid), victim.pid]:
        os.kill(pid, signal.SIGKILL)
    before_kill = dict(load.served)
    for thread in threads:
        thread.join(300)
    survivor = servers[1][0]
    assert before_kill[victim_port] > 0  # both took casts
    assert before_kill[survivor] > 0
    assert load.served[survivor] > before_kill[survivor] + 50  # the survivor went on
    assert load.live == [survivor]
    stored = list(Ballot.objects.values_list("receipt", flat=True))
    assert len(set(stored)) == len(stored)
    assert set(load.receipts) <= set(stored)
    assert len(load.receipts) <= len(stored) <= len(load.receipts) + load.cut_off
    spent = Credential.objects.filter(state=CredentialState.USED).count()
    assert spent == len(stored) == Elector.objects.filter(has_voted=True).count()
