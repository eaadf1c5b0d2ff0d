"""What is due, looked at every few seconds by every worker (and by nothing else: no
request is needed): the timetable's moments (``timetable``), and mailings nobody is
working on, queued again."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from omov.web.jobs.tasks import mailing_enqueue, mailings_stalled
from omov.web.jobs.timetable import due_moments, moment_enqueue


def schedule_tick(now: dt.datetime | None = None) -> list[str]:
    """Queue what is due; what was queued, for the worker's log."""
    now = now or timezone.now()
    queued = []
    for moment in due_moments(now):
        moment_enqueue(moment)
        queued.append(f"{moment.kind} {moment.name} of contest {moment.contest_id}")
    for mailing_id in mailings_stalled():
        mailing_enqueue(mailing_id, workers=1)
        queued.append(f"mailing {mailing_id}")
    return queued
