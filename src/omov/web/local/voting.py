"""Members vote online on a motion while the meeting is open, each with a one-time code.

Secrecy as in contests: the code's row says who may vote and whether they have (no time,
no choice); the choice only adds one to a count (``OnlineTally``), so nothing in the
database links a member to how they voted. The log records that the vote opened, that a
code was spent (no member, no choice) and the totals when it closed.
"""

from __future__ import annotations

from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext

from omov.web.balloting.codes import code_digest, new_code
from omov.web.contests.engine import Actor
from omov.web.errors import ContestError
from omov.web.local.models import (
    Meeting,
    MeetingState,
    Motion,
    MotionState,
    OnlineTally,
    VotingCode,
)
from omov.web.local.services import log, meeting_lock, motion_decide, motion_lock
from omov.web.members.models import Member

CHOICES = {"for": "votes_for", "against": "votes_against", "abstain": "abstentions"}
CLOSED = "The meeting has closed: no more votes are taken on its motions."


@transaction.atomic
def voting_open(*, motion: Motion, link: str, actor: Actor = None) -> int:
    """Open the online vote: each member present gets a one-time code by email (the
    secretary never sees them). Returns how many codes went out."""
    meeting = meeting_lock(motion.meeting, MeetingState.OPEN)
    motion = motion_lock(motion, MotionState.TABLED)
    present = list(
        Member.objects.filter(pk__in=meeting.attendance.values("member_id")).order_by("pk")
    )
    if not present:
        raise ContestError(gettext("record who is present first: codes go to the members present"))
    messages = []
    rows = []
    for member in present:
        code = new_code()
        rows.append(VotingCode(motion=motion, member=member, digest=code_digest(code)))
        messages.append(_message(meeting, motion, member, code, link))
    VotingCode.objects.bulk_create(rows)
    OnlineTally.objects.create(motion=motion)
    motion.state = MotionState.VOTING
    motion.save(update_fields=["state"])
    log(
        meeting=meeting,
        kind="motion.voting-opened",
        payload={"motion": motion.pk, "codes": len(rows)},
        actor=actor,
    )
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False))
    return len(rows)


def _message(
    meeting: Meeting, motion: Motion, member: Member, code: str, link: str
) -> tuple[str, str, None, list[str]]:
    body = (
        f"Your one-time code to vote on motion {motion.position} at {meeting.title}:\n\n"
        f"    {code}\n\n"
        f"Vote at {link} while the meeting is open. The code works once; nobody, the "
        "secretary included, can see how you voted.\n"
    )
    return (f"Your code to vote: {meeting.title}", body, None, [member.email])


@transaction.atomic
def vote_cast(*, motion: Motion, member: Member, code: str, choice: str) -> None:
    """Spend ``member``'s code for ``motion`` and add one to ``choice``'s count. Refused,
    with the reason, once the meeting or the motion's vote has closed."""
    meeting = meeting_lock(motion.meeting)
    if meeting.state == MeetingState.CLOSED:
        raise ContestError(CLOSED)
    motion = motion_lock(motion)
    if motion.state != MotionState.VOTING:
        if motion.state == MotionState.DECIDED:
            raise ContestError(
                gettext("Voting on this motion has closed: no more votes are taken.")
            )
        raise ContestError(gettext("Voting on this motion has not opened yet."))
    if choice not in CHOICES:
        raise ContestError(gettext("choose for, against or abstain"))
    spent = VotingCode.objects.filter(
        motion=motion, member=member, digest=code_digest(code), used=False
    ).update(used=True)
    if spent != 1:
        raise ContestError(
            gettext("That code is not a code of yours for this motion, or it has been used.")
        )
    OnlineTally.objects.filter(motion=motion).update(**{CHOICES[choice]: F(CHOICES[choice]) + 1})
    log(meeting=meeting, kind="motion.vote-cast", payload={"motion": motion.pk}, actor=None)


@transaction.atomic
def voting_close(*, motion: Motion, actor: Actor = None, locked: Meeting | None = None) -> Motion:
    """Close the online vote and decide the motion on its counts."""
    meeting = locked or meeting_lock(motion.meeting, MeetingState.OPEN)
    motion = motion_lock(motion, MotionState.VOTING)
    tally = OnlineTally.objects.get(motion=motion)
    voted = VotingCode.objects.filter(motion=motion, used=True).count()
    log(
        meeting=meeting,
        kind="motion.voting-closed",
        payload={"motion": motion.pk, "voted": voted},
        actor=actor,
    )
    counts = (tally.votes_for, tally.votes_against, tally.abstentions)
    return motion_decide(motion=motion, meeting=meeting, counts=counts, online=True, actor=actor)


def has_voted(motion: Motion, member: Member) -> bool | None:
    """Whether ``member`` has voted on ``motion`` (None: they hold no code for it)."""
    row = VotingCode.objects.filter(motion=motion, member=member).values("used").first()
    return None if row is None else bool(row["used"])
