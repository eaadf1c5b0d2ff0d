"""What happens around a contest that the rules weigh: a motion voted on, a resignation, a
date set by the committee the rulebook names. Each is recorded as the engine's typed event;
the engine says what it does (often nothing: a motion with no standing, a resignation from
another office), citing the clause."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext

from omov.rules.events import DateSet, MotionCarried, Resignation
from omov.web.contests.engine import Actor, event_add
from omov.web.contests.models import Contest, ContestEvent, ContestState
from omov.web.contests.services import contest_lock
from omov.web.errors import ContestError

BEFORE_THE_FREEZE = (ContestState.NOMINATIONS, ContestState.ELECTORATE)


@transaction.atomic
def motion_record(
    *,
    contest: Contest,
    body: str,
    motion: str,
    votes_for: int,
    votes_against: int,
    actor: Actor = None,
) -> ContestEvent:
    """A motion voted on by a body (the PLP's no-confidence motion, carried 172-40)."""
    contest = contest_lock(contest=contest, expected=(ContestState.NOMINATIONS,))
    if votes_for < 0 or votes_against < 0:
        raise ContestError(gettext("votes are whole numbers, 0 or more"))
    event = MotionCarried.model_validate(
        {
            "type": "motion",
            "body": body,
            "motion": motion,
            "for": votes_for,
            "against": votes_against,
        }
    )
    payload = {"body": body, "motion": motion, "for": votes_for, "against": votes_against}
    return event_add(
        contest=contest, event=event, kind="motion.recorded", payload=payload, actor=actor
    )


@transaction.atomic
def resignation_record(
    *, contest: Contest, holder: str, office: str | None = None, actor: Actor = None
) -> ContestEvent:
    """Someone resigns an office (only this contest's office is vacated by it)."""
    contest = contest_lock(contest=contest, expected=(ContestState.NOMINATIONS,))
    event = Resignation(type="resignation", holder=holder.strip(), office=office or None)
    payload = {"holder": holder.strip(), "office": office}
    return event_add(
        contest=contest, event=event, kind="resignation.recorded", payload=payload, actor=actor
    )


@transaction.atomic
def date_set(
    *,
    contest: Contest,
    what: str,
    value: dt.datetime,
    section: str | None = None,
    by: str = "",
    actor: Actor = None,
) -> ContestEvent:
    """A date set for this contest (the supporter window, the freeze date...) by the
    committee the rulebook names; the engine refuses one the rulebook fixes itself. The next
    roll import decides eligibility by it."""
    contest = contest_lock(contest=contest, expected=BEFORE_THE_FREEZE)
    event = DateSet(type="date-set", what=what, value=value, section=section, by=by)
    payload = {"what": what, "value": value.isoformat(), "section": section, "by": by}
    return event_add(contest=contest, event=event, kind="date.set", payload=payload, actor=actor)
