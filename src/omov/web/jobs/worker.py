"""``omov worker``: django-tasks-db's worker, and beside it a thread that looks at the
timetable and at mailings nobody is working on (``schedule.schedule_tick``) every few
seconds. Jobs are safe to run twice, so every worker ticks and none is special."""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections
from django.utils.crypto import get_random_string
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


def worker_run(*, interval: float, tick: float) -> None:
    if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
        raise WorkerRefusedError(
            "jobs run inside the web app with this database (SQLite); "
            "a worker needs PostgreSQL (DATABASE_URL)"
        )
    stop = threading.Event()
    threading.Thread(target=_ticking, args=(tick, stop), daemon=True).start()
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
