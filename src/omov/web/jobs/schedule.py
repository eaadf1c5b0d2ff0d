"""What is due, looked at every few seconds by every worker (and by nothing else: no
request is needed): the timetable's moments (``timetable``), and mailings nobody is
working on, queued again. The tick also deletes the voting-code throttle's rows of clients
an hour quiet (``balloting/throttle.py``), so that table does not grow for ever."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from omov.web.balloting.throttle import attempts_forget
from omov.web.jobs.tasks import mailing_enqueue, mailings_stalled
from omov.web.jobs.timetable import due_moments, moment_enqueue


def schedule_tick(now: dt.datetime | None = None) -> list[str]:
    """Queue what is due, and forget quiet clients' wrong codes; what was done, for the
    worker's log."""
    now = now or timezone.now()
    queued = []
    for moment in due_moments(now):
        moment_enqueue(moment)
        queued.append(f"{moment.kind} {moment.name} of contest {moment.contest_id}")
    for mailing_id in mailings_stalled():
        mailing_enqueue(mailing_id, workers=1)
        queued.append(f"mailing {mailing_id}")
    forgotten = attempts_forget(now.timestamp())
    if forgotten:
        queued.append(f"forgot the wrong codes of {forgotten} clients quiet for an hour")
    return queued
