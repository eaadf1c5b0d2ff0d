"""A mailing's progress on the dashboard comes from a tally the database keeps (triggers,
migration jobs 0004), not from counting its letters on every request: after each kind of
write to the letters, through the services or around them, the tally equals a fresh count
of the letters."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db.models import Sum

from omov.web.balloting.services import credential_reissue
from omov.web.contests.models import Contest, ContestState
from omov.web.jobs.letters import deliver
from omov.web.jobs.models import Letter, LetterState, LetterTally, Mailing, MailingState
from omov.web.jobs.selectors import letter_counts_recounted, mailing_progress
from omov.web.jobs.services import (
    batch_claim,
    batch_finish,
    batch_prepare,
    batch_send,
    codes_mailing_start,
    letter_mark,
    mailing_abandon,
    mailing_plan,
)

from .jobs_helpers import frozen_contest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_batches(settings: Any) -> None:
    settings.OMOV_MAIL_BATCH = 4


def _agrees(mailing: Mailing) -> Counter[str]:
    """The tally of ``mailing``'s letters, checked against a recount (and, while it is
    under way, against what the dashboard shows)."""
    rows = LetterTally.objects.filter(mailing_id=mailing.pk).values_list("state")
    tally = Counter({s: n for s, n in rows.annotate(total=Sum("n")).order_by() if n})
    assert tally == letter_counts_recounted(mailing)
    mailing.refresh_from_db()
    if mailing.state != MailingState.DONE:
        [shown] = [p for p in mailing_progress(contest=mailing.contest) if p.mailing == mailing]
        assert shown.counts == tally
    return tally


def test_the_tally_follows_planning_codes_marks_reissues_and_writes_around_the_services() -> None:
    contest = frozen_contest(10)
    mailing = mailing_plan(mailing_id=codes_mailing_start(contest=contest).pk)
    assert _agrees(mailing) == {LetterState.PLANNED: 10}  # one INSERT ... SELECT, 3 batches
    batch = batch_claim(mailing=mailing, worker="w")
    assert batch is not None
    batch_prepare(batch=batch)  # one UPDATE a letter, pipelined
    assert _agrees(mailing) == {LetterState.PLANNED: 6, LetterState.READY: 4}
    first, second, *_ = batch.letters.order_by("pk").select_related("elector", "mailing")
    letter_mark(letter=first, outcome=deliver(first, contest, LocmemBackend()))
    assert _agrees(mailing) == {
        LetterState.PLANNED: 6,
        LetterState.READY: 3,
        LetterState.SENT: 1,
    }
    credential_reissue(elector=second.elector)  # its letter is superseded, not sent
    assert batch_send(batch=batch, mail=LocmemBackend())
    assert _agrees(mailing) == {
        LetterState.PLANNED: 6,
        LetterState.SENT: 3,
        LetterState.SUPERSEDED: 1,
    }
    # Around the services: a bulk update, a retry that changes no state, a delete.
    Letter.objects.filter(mailing=mailing, state=LetterState.PLANNED).update(
        state=LetterState.DEFERRED
    )
    Letter.objects.filter(mailing=mailing).update(attempts=3)
    Letter.objects.filter(pk=first.pk).delete()
    assert _agrees(mailing) == {
        LetterState.DEFERRED: 6,
        LetterState.SENT: 2,
        LetterState.SUPERSEDED: 1,
    }


def test_an_abandoned_mailing_and_a_finished_reminder_leave_the_tally_exact() -> None:
    contest = frozen_contest(6)
    mailing = mailing_plan(mailing_id=codes_mailing_start(contest=contest).pk)
    batch = batch_claim(mailing=mailing, worker="w")
    assert batch is not None
    batch_prepare(batch=batch)
    Contest.objects.filter(pk=contest.pk).update(state=ContestState.BALLOT_CLOSED)
    mailing_abandon(mailing=mailing)  # every unsent letter fails in one update
    assert _agrees(mailing) == {LetterState.FAILED: 6}
    assert mailing.totals["failed"] == 6
    batch_finish(batch=batch)  # its claim was ended by the abandonment: nothing changes
    assert _agrees(mailing) == {LetterState.FAILED: 6}
    Letter.objects.filter(mailing=mailing).delete()  # as a reminder's letters are, once done
    assert _agrees(mailing) == Counter()
