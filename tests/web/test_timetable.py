"""The timetable runs itself: with the clock frozen, the workers' tick opens the ballot at
its minute and not a minute before, closes it at its minute, sends each reminder once to
the unspent codes only, and signs a head when due but never over fewer ballots than the
rulebook's smallest batch. Each moment is logged with its rule."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
import time_machine
from django.core import mail
from django.db import OperationalError

from omov.web.audit.models import AuditEvent
from omov.web.balloting.services import ballot_cast, credentials_issue
from omov.web.contests.models import Contest, ContestState
from omov.web.jobs.models import Letter, Mailing, MailingKind
from omov.web.jobs.schedule import schedule_tick
from omov.web.jobs.selectors import mailing_progress
from omov.web.jobs.worker import demo_ticking
from omov.web.trust.models import LogName, TreeHeadRecord
from omov.web.trustees.simulation import SimulatedTrustees

from .conftest import with_batches_of
from .jobs_helpers import frozen_contest

pytestmark = pytest.mark.django_db
T = TypeVar("T")
OPENS = dt.datetime(2026, 8, 22, 9, 0, tzinfo=dt.UTC)
CLOSES = dt.datetime(2026, 9, 21, 12, 0, tzinfo=dt.UTC)


def _timetabled(members: int = 6) -> tuple[Contest, dict[int, str]]:
    contest = frozen_contest(members)
    codes = credentials_issue(contest=contest, send=False)
    SimulatedTrustees(contest).make_key()
    Contest.objects.filter(pk=contest.pk).update(ballot_opens_at=OPENS, ballot_closes_at=CLOSES)
    return contest, codes


def _state(contest: Contest) -> str:
    return Contest.objects.get(pk=contest.pk).state


def _moments(contest: Contest) -> list[dict[str, Any]]:
    events = AuditEvent.objects.filter(stream=contest.stream, kind="timetable.moment")
    return [json.loads(e.payload) for e in events.order_by("sequence")]


def test_the_ballot_opens_and_closes_at_its_minute_with_no_request() -> None:
    contest, _ = _timetabled()
    with time_machine.travel(OPENS - dt.timedelta(minutes=1), tick=False):
        schedule_tick()
    assert _state(contest) == ContestState.FROZEN
    with time_machine.travel(OPENS, tick=False):
        schedule_tick()
        schedule_tick()  # a second worker's tick: nothing more
    assert _state(contest) == ContestState.BALLOT_OPEN
    with time_machine.travel(CLOSES - dt.timedelta(seconds=1), tick=False):
        schedule_tick()
    assert _state(contest) == ContestState.BALLOT_OPEN
    with time_machine.travel(CLOSES, tick=False):
        schedule_tick()
    assert _state(contest) == ContestState.BALLOT_CLOSED
    moments = [m for m in _moments(contest) if not m["moment"].startswith("reminder")]
    assert [m["moment"] for m in moments] == ["ballot-open", "ballot-close"], moments
    opened, closed = moments
    assert (opened["moment"], opened["at"]) == ("ballot-open", OPENS.isoformat())
    assert opened["citation"] == "NEC procedural guidelines 2016"  # labour/2016's timetable
    assert (closed["moment"], closed["at"]) == ("ballot-close", CLOSES.isoformat())
    kinds = list(AuditEvent.objects.filter(stream=contest.stream).values_list("kind", flat=True))
    assert kinds.index("ballot.opened") == kinds.index("timetable.moment") + 1


def test_without_the_election_key_the_ballot_waits() -> None:
    contest = frozen_contest(3)
    Contest.objects.filter(pk=contest.pk).update(ballot_opens_at=OPENS, ballot_closes_at=CLOSES)
    with time_machine.travel(OPENS + dt.timedelta(hours=1), tick=False):
        assert schedule_tick() == []
    assert _state(contest) == ContestState.FROZEN
    assert _moments(contest) == []


def test_a_reminder_goes_once_to_the_unspent_codes_only(settings: Any) -> None:
    settings.OMOV_REMINDER_DAYS = [7, 1]
    contest, codes = _timetabled(6)
    voted = list(codes.items())[:2]
    with time_machine.travel(OPENS, tick=False):
        schedule_tick()
        for _, code in voted:
            ballot_cast(contest=contest, code=code, ranking=[1])
    mail.outbox.clear()
    with time_machine.travel(CLOSES - dt.timedelta(days=7), tick=False):
        schedule_tick()
        schedule_tick()
    reminded = sorted(m.to[0] for m in mail.outbox)
    not_voted = contest.electors.exclude(pk__in=[pk for pk, _ in voted])
    assert reminded == sorted(not_voted.values_list("email", flat=True))
    assert all("Reminder" in m.subject for m in mail.outbox)
    with time_machine.travel(CLOSES - dt.timedelta(days=1), tick=False):
        schedule_tick()
    assert len(mail.outbox) == 8  # the 1-day reminder, to the same four
    moments = Mailing.objects.filter(contest=contest, kind=MailingKind.REMINDER)
    assert sorted(moments.values_list("moment", flat=True)) == ["close-1d", "close-7d"]
    # Only counts are kept: whom a reminder went to is who had not voted.
    assert not Letter.objects.filter(mailing__in=moments).exists()
    assert [p.total for p in mailing_progress(contest=contest)] == [4, 4]


def test_checkpoints_come_every_n_ballots_but_never_under_the_rulebooks_batch(
    settings: Any,
) -> None:
    settings.OMOV_CHECKPOINT_BALLOTS = 2
    settings.OMOV_CHECKPOINT_MINUTES = 30
    contest, codes = _timetabled(8)
    with_batches_of(contest, 3)  # the rulebook's smallest batch: 3 ballots
    with time_machine.travel(OPENS, tick=False):
        schedule_tick()

    def heads() -> int:
        return TreeHeadRecord.objects.filter(
            contest=contest, log=LogName.BALLOTS, checkpoint="while-open"
        ).count()

    codes_left = list(codes.values())
    with time_machine.travel(OPENS + dt.timedelta(minutes=5), tick=False):
        for code in codes_left[:2]:
            ballot_cast(contest=contest, code=code, ranking=[1])
        schedule_tick()  # 2 ballots: N is reached, the rulebook's 3 is not
        assert heads() == 0
        ballot_cast(contest=contest, code=codes_left[2], ranking=[2])
        schedule_tick()
        assert heads() == 1
        ballot_cast(contest=contest, code=codes_left[3], ranking=[2])
    with time_machine.travel(OPENS + dt.timedelta(hours=2), tick=False):
        schedule_tick()  # T minutes passed, but 1 ballot is under the rulebook's batch
        assert heads() == 1
        for code in codes_left[4:6]:
            ballot_cast(contest=contest, code=code, ranking=[1])
        schedule_tick()
        assert heads() == 2


def _unlocked(read: Callable[[], T]) -> T:
    """``read()``, again while SQLite answers "table is locked". The tests' SQLite database
    is in memory with a shared cache, where a read that meets the ticking thread's write
    fails at once (SQLITE_LOCKED) instead of waiting as on the demo's file; PostgreSQL
    never refuses a read."""
    deadline = time.monotonic() + 20
    while True:
        try:
            return read()
        except OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _ticks_ended() -> None:
    """Wait for the ticking thread to finish the tick it may be in when told to stop. On the
    tests' in-memory SQLite, a tick still reading when the test ends makes the teardown's
    flush fail ("table is locked": it cannot empty a table another thread is reading) and
    could meet the next test's first writes the same way; PostgreSQL's flush would wait."""
    for thread in threading.enumerate():
        if thread.name == "omov-tick":
            thread.join(20)
            assert not thread.is_alive(), "the tick did not end in 20 s"


def _until(contest: Contest, state: str) -> str:
    """The contest's state once it is ``state``, or after 20 real seconds."""
    deadline = time.monotonic() + 20
    while (now := _unlocked(lambda: _state(contest))) != state and time.monotonic() < deadline:
        time.sleep(0.05)
    return now


@pytest.mark.django_db(transaction=True)  # the ticking thread reads what this test wrote
def test_the_demos_web_server_ticks_the_timetable_itself(monkeypatch: Any) -> None:
    """``omov demo`` has no worker: its web server's process ticks in a thread (started
    by the WSGI module when OMOV_DEMO_TICK is set), opening and closing the ballot at its
    minutes; the clock travels, so no real minute passes."""
    contest, _ = _timetabled()
    assert demo_ticking() is None  # not the demo: nothing ticks in the web server
    monkeypatch.setenv("OMOV_DEMO_TICK", "0.05")
    with time_machine.travel(OPENS - dt.timedelta(minutes=1)):
        stop = demo_ticking()
        assert stop is not None
        try:
            time.sleep(0.3)  # several ticks, a minute early: the ballot waits
            assert _unlocked(lambda: _state(contest)) == ContestState.FROZEN
            with time_machine.travel(OPENS):
                assert _until(contest, ContestState.BALLOT_OPEN) == ContestState.BALLOT_OPEN
            with time_machine.travel(CLOSES):
                assert _until(contest, ContestState.BALLOT_CLOSED) == ContestState.BALLOT_CLOSED
        finally:
            stop.set()
            _ticks_ended()
    recorded = _unlocked(lambda: _moments(contest))
    moments = [m["moment"] for m in recorded if not m["moment"].startswith("reminder")]
    assert moments == ["ballot-open", "ballot-close"]
