"""What is due, looked at every few seconds by every worker (and by nothing else: no
request is needed): mailings nobody is working on, queued again."""

from __future__ import annotations

from omov.web.jobs.tasks import mailing_enqueue, mailings_stalled


def schedule_tick() -> list[str]:
    """Queue what is due; what was queued, for the worker's log."""
    queued = []
    for mailing_id in mailings_stalled():
        mailing_enqueue(mailing_id, workers=1)
        queued.append(f"mailing {mailing_id}")
    return queued
