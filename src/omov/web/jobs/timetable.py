"""The timetable's moments, carried out by the workers with no request made: the ballot
opens and closes at the contest's stated minute, reminders go out so many days before the
close, and a tree head is signed over the ballots every N ballots or T minutes (never over
fewer than the rulebook's smallest batch). Each moment is logged with the rule it follows.

``due_moments`` is what the tick asks (cheap counts); each job re-checks under the
contest's lock, so a moment seen by two workers is carried out once."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from omov.rules.schema import MilestoneKind
from omov.web.audit.services import event_record
from omov.web.balloting.models import Ballot
from omov.web.balloting.services import ballot_close, ballot_open
from omov.web.contests.models import Contest, ContestState
from omov.web.contests.rulebooks import stored_book
from omov.web.errors import ContestError
from omov.web.hustings.models import Hustings, Phase
from omov.web.jobs.models import Mailing, MailingKind
from omov.web.trust.models import BallotLeaf, LogName, TreeHeadRecord
from omov.web.trust.services import checkpoint_minimum, checkpoint_sign
from omov.web.trustees.selectors import election_key

logger = logging.getLogger("omov.jobs")
BY_THE_OFFICER = "the contest's timetable, as the returning officer set it"


@dataclass(frozen=True)
class Moment:
    contest_id: int
    kind: str  # ballot-open, ballot-close, reminder, checkpoint, hustings-choose
    name: str = ""  # a reminder's: close-7d


def _rule(contest: Contest, kind: MilestoneKind) -> str:
    """The rulebook's clause for a moment, or the officer's own timetable."""
    milestone = stored_book(contest.rulebook.typed).milestone(kind)
    return str(milestone.citation) if milestone is not None else BY_THE_OFFICER


def reminder_moments(contest: Contest, now: dt.datetime) -> list[str]:
    """The reminder due at ``now`` (``close-<days>d``) while the ballot is open: the latest
    one whose day has come (one missed while no worker ran is not sent late as well)."""
    come = [
        days
        for days in settings.OMOV_REMINDER_DAYS
        if contest.ballot_closes_at - dt.timedelta(days=days) <= now < contest.ballot_closes_at
    ]
    return [f"close-{min(come)}d"] if come else []


def checkpoint_due(contest: Contest, now: dt.datetime) -> bool:
    """Every OMOV_CHECKPOINT_BALLOTS new ballots, or OMOV_CHECKPOINT_MINUTES after the last
    head if at least the rulebook's smallest batch came since."""
    waiting = (
        Ballot.objects.filter(contest=contest).count()
        - BallotLeaf.objects.filter(contest=contest).count()
    )
    if waiting >= max(settings.OMOV_CHECKPOINT_BALLOTS, checkpoint_minimum(contest)):
        return True
    heads = TreeHeadRecord.objects.filter(contest=contest, log=LogName.BALLOTS)
    last = heads.order_by("-signed_at").first()
    stale = last is None or now - last.signed_at >= dt.timedelta(
        minutes=settings.OMOV_CHECKPOINT_MINUTES
    )
    return stale and waiting >= checkpoint_minimum(contest)


def due_moments(now: dt.datetime) -> list[Moment]:
    moments = []
    for contest in Contest.objects.filter(state=ContestState.FROZEN, ballot_opens_at__lte=now):
        if election_key(contest) is not None:  # no key yet: the ballot cannot open
            moments.append(Moment(contest.pk, "ballot-open"))
    for contest in Contest.objects.filter(state=ContestState.BALLOT_OPEN).select_related(
        "rulebook"
    ):
        if contest.ballot_closes_at <= now:
            moments.append(Moment(contest.pk, "ballot-close"))
            continue
        done = set(
            contest.mailings.filter(kind=MailingKind.REMINDER).values_list("moment", flat=True)
        )
        moments += [
            Moment(contest.pk, "reminder", name)
            for name in reminder_moments(contest, now)
            if name not in done
        ]
        if checkpoint_due(contest, now):
            moments.append(Moment(contest.pk, "checkpoint"))
    asked = Hustings.objects.filter(phase=Phase.ASKING, questions_close_at__lte=now)
    moments += [Moment(pk, "hustings-choose") for pk in asked.values_list("contest_id", flat=True)]
    return moments


@task()
def timetable_open(contest_id: int) -> bool:
    """Open the ballot at its minute; False if it is not due or was opened already."""
    try:
        with transaction.atomic():
            contest = Contest.objects.select_for_update().get(pk=contest_id)
            if contest.state != ContestState.FROZEN or timezone.now() < contest.ballot_opens_at:
                return False
            _log(contest, "ballot-open", contest.ballot_opens_at, MilestoneKind.BALLOT_OPEN)
            ballot_open(contest=contest)
    except ContestError as refused:  # the entry is undone with it; the officer sees why
        logger.warning("contest %s did not open on time: %s", contest_id, refused)
        return False
    return True


@task()
def timetable_close(contest_id: int) -> bool:
    with transaction.atomic():
        contest = Contest.objects.select_for_update().get(pk=contest_id)
        if contest.state != ContestState.BALLOT_OPEN or timezone.now() < contest.ballot_closes_at:
            return False
        _log(contest, "ballot-close", contest.ballot_closes_at, MilestoneKind.BALLOT_CLOSE)
        ballot_close(contest=contest)
    return True


def _log(contest: Contest, moment: str, at: dt.datetime, kind: MilestoneKind) -> None:
    event_record(
        stream=contest.stream,
        kind="timetable.moment",
        payload={"moment": moment, "at": at.isoformat(), "citation": _rule(contest, kind)},
    )


@task()
def timetable_remind(contest_id: int, moment: str) -> int | None:
    """Start the reminder ``moment`` once (a second worker finds it started); its mailing's
    id. Whom it goes to is decided inside the mailing's job, from the credentials."""
    from omov.web.jobs.tasks import mailing_enqueue

    try:
        with transaction.atomic():
            contest = Contest.objects.select_for_update().get(pk=contest_id)
            if contest.state != ContestState.BALLOT_OPEN:
                return None
            mailing = Mailing.objects.create(
                contest=contest, kind=MailingKind.REMINDER, moment=moment
            )
            rule = f"OMOV_REMINDER_DAYS: {moment} before the close, to every unspent code"
            event_record(
                stream=contest.stream,
                kind="timetable.moment",
                payload={"moment": f"reminder {moment}", "mailing": mailing.pk, "citation": rule},
            )
    except IntegrityError:
        return None  # already started
    mailing_enqueue(mailing.pk)
    return mailing.pk


@task()
def timetable_checkpoint(contest_id: int) -> bool:
    """Sign a head over the ballots so far, if due; the rulebook's minimum still holds."""
    contest = Contest.objects.get(pk=contest_id)
    if contest.state != ContestState.BALLOT_OPEN or not checkpoint_due(contest, timezone.now()):
        return False
    return checkpoint_sign(contest=contest, minimum=checkpoint_minimum(contest)) is not None


@task()
def timetable_hustings_choose(contest_id: int) -> bool:
    """Put the hustings' questions to the candidates once questions close, as the rules
    choose them; False if they were chosen already (by the officer, or another worker)."""
    from omov.web.hustings.services import questions_choose

    try:
        questions_choose(contest=Contest.objects.get(pk=contest_id))
    except ContestError as refused:
        logger.info("hustings of contest %s: %s", contest_id, refused)
        return False
    return True


def moment_enqueue(moment: Moment) -> None:
    if moment.kind == "ballot-open":
        timetable_open.enqueue(moment.contest_id)
    elif moment.kind == "ballot-close":
        timetable_close.enqueue(moment.contest_id)
    elif moment.kind == "reminder":
        timetable_remind.enqueue(moment.contest_id, moment.name)
    elif moment.kind == "hustings-choose":
        timetable_hustings_choose.enqueue(moment.contest_id)
    else:
        timetable_checkpoint.enqueue(moment.contest_id)
