"""The background jobs (django-tasks; ADR 5). Every job is safe to run twice or at once
on two workers: it takes its work from the database's state, under row locks.

With the database backend (PostgreSQL) ``omov worker`` runs them; with the immediate
backend (the SQLite demo) they run in the process that enqueued them, at the commit."""

from __future__ import annotations

import datetime as dt

from django.utils.crypto import get_random_string
from django_tasks import default_task_backend, task

from omov.web.jobs.models import BatchState, MailBatch, Mailing, MailingState
from omov.web.jobs.services import (
    batch_claim,
    batch_finish,
    batch_prepare,
    batch_send,
    mailing_abandon,
    mailing_plan,
    mailing_wanted,
)


@task()
def mailing_work(mailing_id: int) -> int:
    """Plan the mailing if need be, then take its batches one by one until none is left
    to take; the number of batches this run took. Several run at once on several workers."""
    worker = get_random_string(24)
    mailing = mailing_plan(mailing_id=mailing_id)
    taken = 0
    if mailing.state == MailingState.SENDING and not mailing_wanted(mailing):
        mailing_abandon(mailing=mailing)
        return taken
    while mailing.state == MailingState.SENDING and (
        batch := batch_claim(mailing=mailing, worker=worker)
    ):
        batch_prepare(batch=batch)
        if batch_send(batch=batch):
            batch_finish(batch=batch)
        taken += 1
    retry = (
        MailBatch.objects.filter(mailing=mailing, state=BatchState.RETRY)
        .order_by("lease_until")
        .values_list("lease_until", flat=True)
        .first()
    )
    if retry is not None:
        mailing_enqueue(mailing_id, after=retry, workers=1)
    return taken


def mailing_enqueue(mailing_id: int, *, after: dt.datetime | None = None, workers: int = 0) -> None:
    """Queue ``workers`` runs of the mailing (OMOV_MAIL_WORKERS by default) so that as many
    workers share it; with a backend that cannot defer, a later run is left to the tick."""
    from django.conf import settings

    backend = default_task_backend
    if after is not None and not backend.supports_defer:
        return
    runs = 1 if not backend.supports_defer else workers or settings.OMOV_MAIL_WORKERS
    job = mailing_work.using(run_after=after) if after is not None else mailing_work
    for _ in range(runs):
        job.enqueue(mailing_id)


def mailings_stalled() -> list[int]:
    """Mailings with a batch nobody is working on: a claim run out (its worker was killed),
    a retry due, or batches waiting while no worker holds any; the tick queues them again."""
    from django.utils import timezone

    now = timezone.now()
    stalled = []
    for mailing in Mailing.objects.exclude(state=MailingState.DONE):
        batches = mailing.batches.exclude(state=BatchState.DONE)
        live = batches.filter(state=BatchState.CLAIMED, lease_until__gt=now).exists()
        due = batches.filter(lease_until__lte=now).exclude(state=BatchState.WAITING).exists()
        idle = not live and (mailing.state == MailingState.PLANNING or batches.exists())
        if due or idle:
            stalled.append(mailing.pk)
    return stalled
