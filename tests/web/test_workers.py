"""PostgreSQL only, the acceptance of issue 21: voting codes to 2,000 electors through a
local SMTP relay by two ``omov worker`` processes, one killed with SIGKILL (and replaced)
twice during the run, while the relay refuses 1% of addresses on their first try. Every
elector receives one message (one Message-ID, one code: the elector's one live
credential); a letter is sent twice only if a worker was killed between the relay's
acceptance and the letter's mark, at most one per kill (ADR 5)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from omov.web.audit.models import AuditEvent
from omov.web.balloting.codes import code_digest
from omov.web.jobs.models import Mailing, MailingState
from omov.web.jobs.services import codes_mailing_start

from .jobs_helpers import frozen_contest, live_digests
from .smtp_sink import Sink, smtp_sink

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ELECTORS = 2000
BATCH = 100


def _worker(port: int, log: Path) -> subprocess.Popen[bytes]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "OMOV_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OMOV_EMAIL_HOST": "127.0.0.1",
        "OMOV_EMAIL_PORT": str(port),
        "OMOV_MAIL_BATCH": str(BATCH),
        "OMOV_MAIL_LEASE_SECONDS": "3",
        "OMOV_MAIL_RENEW_EVERY": "20",
        "OMOV_MAIL_RETRY_SECONDS": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = "from omov.cli import main; main()"
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-c", command, "worker", "--tick", "1", "--interval", "0.2"],
            env=env,
            stdout=out,
            stderr=out,
        )


def _refused_for_now(address: str) -> bool:
    """1% of the roll: m100@, m200@, ..."""
    return int(address[1:].split("@")[0]) % 100 == 0


def test_two_workers_killed_twice_send_one_code_to_each_elector(
    tmp_path: Path, monkeypatch: Any
) -> None:
    contest = frozen_contest(ELECTORS)
    # The workers' tick finds the mailing and queues it: nothing runs in the test's process.
    monkeypatch.setattr("omov.web.jobs.tasks.mailing_enqueue", lambda *a, **k: None)
    sink = Sink(refuse_first_try=_refused_for_now)
    log = tmp_path / "workers.log"
    with smtp_sink(sink) as port:
        mailing = codes_mailing_start(contest=contest)
        workers = [_worker(port, log), _worker(port, log)]
        kills = 0
        try:
            deadline = time.monotonic() + 240
            while Mailing.objects.get(pk=mailing.pk).state != MailingState.DONE:
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                assert all(w.poll() is None for w in workers[kills:]), log.read_text()[-3000:]
                if kills < 2 and sink.count() >= (kills + 1) * ELECTORS // 3:
                    os.kill(workers[kills].pid, signal.SIGKILL)
                    workers[kills].wait()
                    workers.append(_worker(port, log))
                    kills += 1
                time.sleep(0.05)
        finally:
            for worker in workers:
                worker.terminate()
                worker.wait(30)
    assert kills == 2
    by_address: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for received in sink.received:
        by_address[received.to].add((received.message_id, received.code))
    addresses = {f"m{n}@example.org" for n in range(1, ELECTORS + 1)}
    assert set(by_address) == addresses  # no gap
    assert all(len(messages) == 1 for messages in by_address.values())  # one message each
    duplicates = len(sink.received) - ELECTORS
    assert 0 <= duplicates <= kills  # the same message again: only a killed worker's last
    digests = live_digests(contest)
    assert len(digests) == ELECTORS  # one code each
    electors = {e.email: e.pk for e in contest.electors.all()}
    for address, [(_, code)] in ((a, list(m)) for a, m in by_address.items()):
        assert digests[code_digest(code)] == electors[address]
    assert len(sink.refused) == ELECTORS // 100  # refused for now, then delivered
    kinds = list(AuditEvent.objects.filter(stream=contest.stream).values_list("kind", flat=True))
    assert kinds.count("mailing.batch") >= ELECTORS // BATCH
    assert kinds[-1] == "credentials.issued"
    print(f"\n{len(sink.received)} messages for {ELECTORS} electors, {duplicates} resent")
