"""Meetings and motions: calling a meeting, taking attendance, tabling motions, recording
the votes and what the rules make of them.

Every service runs in one transaction, locks the meeting it changes, and writes each step
to the organisation's log (``audit.event_record`` on ``organisation:<pk>``) with the
engine's decisions, so a refused step changes nothing and a recorded one can be checked.
Online voting is in ``voting.py``; trigger ballots in ``triggers.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from omov.web.audit.services import event_record
from omov.web.contests.engine import Actor
from omov.web.contests.models import Candidate, ContestState
from omov.web.contests.services import label_checked
from omov.web.errors import ContestError
from omov.web.local import engine
from omov.web.local.models import (
    Attendance,
    BranchAnswer,
    Meeting,
    MeetingState,
    Motion,
    MotionState,
    Outcome,
    TriggerBallot,
    TriggerState,
)
from omov.web.local.selectors import (
    attendance_refusal,
    book_of,
    is_unit_member,
    rulebook_row,
)
from omov.web.members.models import Member, Unit

LONGEST_MOTION = 5000
"""Characters of a motion's text (a long composite motion fits)."""


def actor_name(actor: Actor) -> str | None:
    return actor.get_username() if actor is not None and actor.is_authenticated else None


def log(*, meeting: Meeting, kind: str, payload: dict[str, Any], actor: Actor) -> None:
    """One step into the organisation's log."""
    event_record(
        stream=meeting.stream,
        kind=f"local.{kind}",
        payload={
            "unit": meeting.unit.code,
            "meeting": meeting.pk,
            **payload,
            "actor": actor_name(actor),
        },
    )


def refused(decision: engine.Decision) -> ContestError:
    """The engine's refusal as the secretary's message: what, why, and the clause."""
    return ContestError(
        gettext("%(summary)s. %(explanation)s (%(citation)s)")
        % {
            "summary": decision.summary,
            "explanation": decision.explanation,
            "citation": decision.citation,
        }
    )


def meeting_lock(meeting: Meeting, *states: MeetingState) -> Meeting:
    locked = Meeting.objects.select_for_update().select_related("unit", "rulebook")
    found = locked.get(pk=meeting.pk)
    if states and found.state not in states:
        raise ContestError(
            gettext("not allowed now: the meeting is %(found_get_state_display_lower)s")
            % {"found_get_state_display_lower": found.get_state_display().lower()}
        )
    return found


# -- meetings ------------------------------------------------------------------------------
@transaction.atomic
def meeting_call(
    *,
    unit: Unit,
    title: str,
    held_on: dt.date,
    notice_on: dt.date,
    quorum: int | None = None,
    actor: Actor = None,
) -> Meeting:
    """Call a meeting of ``unit``: refused, with the clause, unless notice went out as long
    before it as the rulebook asks. The cut-off is the engine's (who may take part)."""
    row = rulebook_row(unit.organisation)
    book = book_of(row)
    if unit.kind not in engine.unit_kinds(book):
        raise ContestError(
            gettext("%(id)s holds no meetings of a unit of this kind") % {"id": book.id}
        )
    if quorum is not None and quorum < 1:
        raise ContestError(gettext("a quorum is at least one member"))
    notice = engine.notice(book, notice_on=notice_on, held_on=held_on)
    if notice.kind is engine.DecisionKind.REFUSED:
        raise refused(notice)
    meeting = Meeting.objects.create(
        unit=unit,
        rulebook=row,
        title=label_checked(title or f"Meeting of {unit.name}", what="the meeting's title"),
        held_on=held_on,
        notice_on=notice_on,
        cut_off=engine.cut_off(book, held_on),
        quorum=quorum,
        decisions=[notice.as_record()],
    )
    log(
        meeting=meeting,
        kind="meeting.called",
        payload={
            "title": meeting.title,
            "rulebook": row.key,
            "held_on": held_on.isoformat(),
            "notice_on": notice_on.isoformat(),
            "cut_off": meeting.cut_off.isoformat(),
            "quorum": quorum,
            "decisions": [notice.as_record()],
        },
        actor=actor,
    )
    return meeting


@transaction.atomic
def meeting_open(*, meeting: Meeting, actor: Actor = None) -> Meeting:
    meeting = meeting_lock(meeting, MeetingState.CALLED)
    meeting.state = MeetingState.OPEN
    meeting.save(update_fields=["state"])
    log(meeting=meeting, kind="meeting.opened", payload={}, actor=actor)
    return meeting


@transaction.atomic
def meeting_close(*, meeting: Meeting, actor: Actor = None) -> Meeting:
    """Close the meeting: a motion still being voted on online is decided on the votes in;
    after this no vote is taken."""
    from omov.web.local.voting import voting_close

    meeting = meeting_lock(meeting, MeetingState.OPEN)
    for motion in meeting.motions.filter(state=MotionState.VOTING):
        voting_close(motion=motion, actor=actor, locked=meeting)
    meeting.state = MeetingState.CLOSED
    meeting.save(update_fields=["state"])
    log(
        meeting=meeting,
        kind="meeting.closed",
        payload={"present": meeting.attendance.count()},
        actor=actor,
    )
    return meeting


@transaction.atomic
def attendance_record(*, meeting: Meeting, members: Sequence[Member], actor: Actor = None) -> int:
    """The secretary ticks who is present: each must be a member of the unit in good
    standing on the cut-off, or the whole list is refused with the reason. Returns how many
    were added (one already ticked stays ticked)."""
    meeting = meeting_lock(meeting, MeetingState.CALLED, MeetingState.OPEN)
    if not members:
        raise ContestError(gettext("tick the members who are present"))
    for member in members:
        reason = attendance_refusal(meeting, member)
        if reason is not None:
            raise ContestError(
                gettext("%(display_name)s cannot take part: %(reason)s.")
                % {"display_name": member.display_name, "reason": reason}
            )
    already = set(meeting.attendance.values_list("member_id", flat=True))
    new = [m for m in dict.fromkeys(members) if m.pk not in already]
    Attendance.objects.bulk_create(Attendance(meeting=meeting, member=m) for m in new)
    log(
        meeting=meeting,
        kind="attendance.recorded",
        payload={"members": [m.pk for m in new], "present": len(already) + len(new)},
        actor=actor,
    )
    return len(new)


# -- motions -------------------------------------------------------------------------------
@transaction.atomic
def motion_table(
    *,
    meeting: Meeting,
    kind: str,
    text: str,
    mover: Member,
    seconder: Member,
    candidate: Candidate | None = None,
    trigger_ballot: TriggerBallot | None = None,
    actor: Actor = None,
) -> Motion:
    """Put a motion on the agenda: a kind the rules let this unit move, moved and seconded
    by two members of the unit; each refusal gives its reason."""
    meeting = meeting_lock(meeting, MeetingState.CALLED, MeetingState.OPEN)
    unit = meeting.unit
    book = book_of(meeting.rulebook)
    rule = engine.motion_rule(book, kind)
    cannot = engine.may_move(book, kind=kind, unit_kind=unit.kind)
    if cannot is not None:
        raise refused(cannot)
    text = text.strip()
    if not text:
        raise ContestError(gettext("the motion needs its text"))
    if len(text) > LONGEST_MOTION:
        raise ContestError(
            gettext("the motion is %(len_text)s characters long; at most %(longest_motion)s")
            % {"len_text": len(text), "longest_motion": LONGEST_MOTION}
        )
    for role, member in (("mover", mover), ("seconder", seconder)):
        if not is_unit_member(unit, member):
            raise ContestError(
                gettext(
                    "The %(role)s is not a member of %(name)s: only its members move and second "
                    "its motions."
                )
                % {"role": role, "name": unit.name}
            )
    if mover.pk == seconder.pk:
        raise ContestError(gettext("the seconder must be someone other than the mover"))
    _what_it_needs(meeting, rule.effect.value, candidate, trigger_ballot)
    motion = Motion.objects.create(
        meeting=meeting,
        position=meeting.motions.count() + 1,
        kind=kind,
        text=text,
        mover=mover,
        seconder=seconder,
        candidate=candidate,
        trigger_ballot=trigger_ballot,
    )
    log(
        meeting=meeting,
        kind="motion.tabled",
        payload={
            "motion": motion.pk,
            "position": motion.position,
            "motion_kind": kind,
            "rule": rule.citation,
            "mover": mover.pk,
            "seconder": seconder.pk,
            "candidate": candidate.name if candidate else None,
            "trigger_ballot": trigger_ballot.pk if trigger_ballot else None,
        },
        actor=actor,
    )
    return motion


def _what_it_needs(
    meeting: Meeting, effect: str, candidate: Candidate | None, ballot: TriggerBallot | None
) -> None:
    """A supporting nomination names a candidate of an open contest of the organisation; a
    trigger ballot vote answers an open trigger ballot of the unit's CLP."""
    unit = meeting.unit
    if effect == "supporting-nomination":
        if candidate is None:
            raise ContestError(gettext("a supporting nomination names the candidate it nominates"))
        contest = candidate.contest
        if contest.organisation_id != unit.organisation_id:
            raise ContestError(gettext("the candidate stands in another organisation's contest"))
        if contest.state != ContestState.NOMINATIONS:
            raise ContestError(
                gettext("nominations in %(title)s are not open") % {"title": contest.title}
            )
    elif candidate is not None:
        raise ContestError(gettext("only a supporting nomination names a candidate"))
    if effect == "trigger-ballot":
        if ballot is None or ballot.state != TriggerState.OPEN:
            raise ContestError(gettext("a trigger ballot vote answers an open trigger ballot"))
        if unit.parent_id != ballot.unit_id:
            raise ContestError(
                gettext("%(name)s is not a branch of %(name2)s")
                % {"name": unit.name, "name2": ballot.unit.name}
            )
        if BranchAnswer.objects.filter(ballot=ballot, unit=unit).exists():
            raise ContestError(
                gettext("%(name)s has already answered this trigger ballot") % {"name": unit.name}
            )
    elif ballot is not None:
        raise ContestError(gettext("only a trigger ballot vote answers a trigger ballot"))


def motion_lock(motion: Motion, *states: MotionState) -> Motion:
    found = Motion.objects.select_for_update().get(pk=motion.pk)
    if states and found.state not in states:
        raise ContestError(
            gettext("not allowed now: the motion is %(found_get_state_display_lower)s")
            % {"found_get_state_display_lower": found.get_state_display().lower()}
        )
    return found


@transaction.atomic
def motion_votes_record(
    *,
    motion: Motion,
    votes_for: int,
    votes_against: int,
    abstentions: int = 0,
    actor: Actor = None,
) -> Motion:
    """The secretary records the meeting's vote (a show of hands, a count of cards) while
    the meeting is open; the engine decides the rest."""
    meeting = meeting_lock(motion.meeting)
    if meeting.state == MeetingState.CLOSED:
        raise ContestError(
            gettext("The meeting has closed: no more votes are taken on its motions.")
        )
    if meeting.state != MeetingState.OPEN:
        raise ContestError(gettext("Votes are taken once the meeting is open."))
    motion = motion_lock(motion, MotionState.TABLED)
    if min(votes_for, votes_against, abstentions) < 0:
        raise ContestError(gettext("the votes are whole numbers, 0 or more"))
    return motion_decide(
        motion=motion,
        meeting=meeting,
        counts=(votes_for, votes_against, abstentions),
        online=False,
        actor=actor,
    )


def motion_decide(
    *,
    motion: Motion,
    meeting: Meeting,
    counts: tuple[int, int, int],
    online: bool,
    actor: Actor,
) -> Motion:
    """Ask the engine what the vote does (the caller holds the locks): quorum, majority,
    effect, each with its clause; a carried supporting nomination becomes the national
    contest's event, a branch's trigger ballot vote its answer."""
    book = book_of(meeting.rulebook)
    present = meeting.attendance.count()
    subject = ""
    if motion.candidate is not None:
        subject = motion.candidate.name
    elif motion.trigger_ballot is not None:
        subject = motion.trigger_ballot.representative
    vote = engine.MotionVote(
        kind=motion.kind,
        unit_kind=meeting.unit.kind,
        unit=meeting.unit.name,
        present=present,
        votes_for=counts[0],
        votes_against=counts[1],
        abstentions=counts[2],
        quorum=meeting.quorum,
        subject=subject,
        at=timezone.now(),
    )
    ruling = engine.motion_ruling(book, vote)
    motion.votes_for, motion.votes_against, motion.abstentions = counts
    motion.present = present
    motion.online = online
    motion.state = MotionState.DECIDED
    motion.outcome = (
        Outcome.FELL if ruling.fell else Outcome.CARRIED if ruling.carried else Outcome.LOST
    )
    motion.decisions = [d.as_record() for d in ruling.decisions]
    motion.save()
    log(
        meeting=meeting,
        kind="motion.decided",
        payload={
            "motion": motion.pk,
            "online": online,
            "present": present,
            "for": counts[0],
            "against": counts[1],
            "abstaining": counts[2],
            "outcome": motion.outcome,
            "effect": ruling.effect if ruling.carried else None,
            "decisions": motion.decisions,
        },
        actor=actor,
    )
    if ruling.supporting is not None and motion.candidate is not None:
        _nominate(motion, meeting, ruling.supporting, actor)
    if motion.trigger_ballot is not None and not ruling.fell:
        _answer(motion, meeting, actor)
    return motion


def _nominate(
    motion: Motion, meeting: Meeting, event: engine.SupportingNomination, actor: Actor
) -> None:
    """The carried nomination, as the national contest's supporting nomination: its engine
    counts it toward the candidate's threshold. Where the contest refuses it (its
    nominations have closed since the motion was tabled), the meeting's vote still stands,
    and the refusal is kept with the motion and logged."""
    from omov.web.nominations.services import supporting_nomination_record

    candidate = motion.candidate
    assert candidate is not None
    try:
        with transaction.atomic():
            supporting_nomination_record(
                candidate=candidate,
                body=event.body,
                nominator=event.nominator,
                kind=event.kind,
                actor=actor,
            )
    except ContestError as error:
        refusal = {
            "kind": engine.DecisionKind.REFUSED.value,
            "summary": f"Not counted in {candidate.contest.title}",
            "explanation": f"The contest refused the nomination: {error}.",
            "citation": motion.decisions[-1]["citation"],
            "arithmetic": "",
            "subject": candidate.name,
            "at": None,
        }
        motion.decisions = [*motion.decisions, refusal]
        motion.save(update_fields=["decisions"])
        log(
            meeting=meeting,
            kind="motion.nomination-refused",
            payload={"motion": motion.pk, "decisions": [refusal]},
            actor=actor,
        )


def _answer(motion: Motion, meeting: Meeting, actor: Actor) -> None:
    assert motion.trigger_ballot is not None
    ballot = TriggerBallot.objects.select_for_update().get(pk=motion.trigger_ballot.pk)
    if ballot.state != TriggerState.OPEN:
        raise ContestError(
            gettext("the trigger ballot has been decided: no more answers are taken")
        )
    yes = motion.outcome == Outcome.CARRIED
    BranchAnswer.objects.create(ballot=ballot, unit=meeting.unit, yes=yes, motion=motion)
    log(
        meeting=meeting,
        kind="trigger-ballot.answered",
        payload={"trigger_ballot": ballot.pk, "motion": motion.pk, "yes": yes},
        actor=actor,
    )
