"""``omov worker``: django-tasks-db's worker, and beside it a thread that looks at the
timetable and at mailings nobody is working on (``schedule.schedule_tick``) every few
seconds. Jobs are safe to run twice, so every worker ticks and none is special."""

from __future__ import annotations

import logging
import os
import threading

from django.db import close_old_connections
from django.utils.crypto import get_random_string
from django.utils.translation import gettext
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

from omov.web.jobs.schedule import schedule_tick

logger = logging.getLogger("omov.jobs")


class WorkerRefusedError(Exception):
    """The settings run jobs in the web app's own processes: there is nothing to work on."""


def _ticking(every: float, stop: threading.Event) -> None:
    while not stop.wait(every):
        try:
            schedule_tick()
        except Exception:  # a bad tick must not stop the next one; it is logged
            logger.exception("the timetable tick failed")
        finally:
            close_old_connections()


def ticking_start(every: float) -> threading.Event:
    """Tick every ``every`` seconds in a daemon thread of this process, until the event
    returned is set. ``omov worker`` runs one beside its queue; the SQLite demo, which
    has no worker, runs one in its web server's process (``demo_ticking``)."""
    stop = threading.Event()
    threading.Thread(target=_ticking, args=(every, stop), daemon=True, name="omov-tick").start()
    return stop


def demo_ticking() -> threading.Event | None:
    """In ``omov demo``'s web server process, the timetable's tick (OMOV_DEMO_TICK
    seconds, set by ``omov demo`` only), so that its ballot opens and closes at its
    minute with no worker. Started from the WSGI module, that is in Granian's worker
    after it forked: a thread started in Granian's main process before the fork would
    not be in the worker, and could leave a lock held in it."""
    every = os.environ.get("OMOV_DEMO_TICK")
    if not every or isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
        return None  # not the demo, or a site with workers: they tick
    return ticking_start(float(every))


def worker_run(*, interval: float, tick: float) -> None:
    if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
        raise WorkerRefusedError(
            gettext(
                "jobs run inside the web app with this database (SQLite); "
                "a worker needs PostgreSQL (DATABASE_URL)"
            )
        )
    stop = ticking_start(tick)
    worker = Worker(
        queue_names=["default"],
        interval=interval,
        batch=False,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=True,
        max_tasks=None,
        worker_id=get_random_string(32),
        excluded_queue_names=[],
    )
    worker.configure_signals()
    try:
        worker.run()
    finally:
        stop.set()
