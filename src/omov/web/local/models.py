"""A unit's meetings, the motions on their agendas, the votes on them, and trigger ballots.

Online votes are kept apart from voters as a contest's ballots are: ``VotingCode`` records
who may vote and whether they have (no time, no choice), ``OnlineTally`` only how many
voted each way (counts, no rows to order), so no query joins a member to a choice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from omov.web.contests.models import Candidate, Contest, Rulebook
from omov.web.members.models import Member, Unit


class MeetingState(models.TextChoices):
    CALLED = "called", "Called (notice given)"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Meeting(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="meetings")
    rulebook = models.ForeignKey(
        Rulebook, on_delete=models.PROTECT, help_text="The edition in force when it was called."
    )
    title = models.CharField(max_length=200)
    held_on = models.DateField()
    notice_on = models.DateField(help_text="When notice went to the members entitled to attend.")
    cut_off = models.DateField(help_text="Members in good standing on this day take part.")
    quorum = models.PositiveIntegerField(
        null=True, blank=True, help_text="The unit's standing orders' quorum (else the rulebook's)."
    )
    state = models.CharField(
        max_length=10, choices=MeetingState.choices, default=MeetingState.CALLED
    )
    decisions = models.JSONField(default=list, help_text="The engine's decisions (notice).")

    class Meta:
        ordering = ("-held_on", "pk")

    def __str__(self) -> str:
        return self.title

    @property
    def stream(self) -> str:
        """The organisation's log, which every step of local democracy goes to."""
        return f"organisation:{self.unit.organisation_id}"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = (models.UniqueConstraint(fields=("meeting", "member"), name="attend_once"),)

    def __str__(self) -> str:
        return f"{self.member_id} at {self.meeting_id}"


class MotionState(models.TextChoices):
    TABLED = "tabled", "On the agenda"
    VOTING = "voting", "Voting online"
    DECIDED = "decided", "Decided"


class Outcome(models.TextChoices):
    NONE = "", "Not yet decided"
    CARRIED = "carried", "Carried"
    LOST = "lost", "Lost"
    FELL = "fell", "Fell (the meeting was not quorate)"


class Motion(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="motions")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=60, help_text="A kind from the rulebook's [local] motions.")
    text = models.TextField()
    mover = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    seconder = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    candidate = models.ForeignKey(
        Candidate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For a supporting nomination: the candidate, in the national contest.",
    )
    trigger_ballot = models.ForeignKey(
        "TriggerBallot",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="motions",
        help_text="For a trigger ballot vote: the ballot this branch answers.",
    )
    state = models.CharField(max_length=10, choices=MotionState.choices, default=MotionState.TABLED)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True, default="")
    votes_for = models.PositiveIntegerField(null=True, blank=True)
    votes_against = models.PositiveIntegerField(null=True, blank=True)
    abstentions = models.PositiveIntegerField(null=True, blank=True)
    present = models.PositiveIntegerField(null=True, blank=True)
    online = models.BooleanField(default=False, help_text="Members voted online with codes.")
    decisions = models.JSONField(default=list, help_text="The engine's decisions with clauses.")

    class Meta:
        ordering = ("meeting", "position")
        constraints = (
            models.UniqueConstraint(fields=("meeting", "position"), name="motion_position_once"),
        )

    def __str__(self) -> str:
        return f"{self.meeting} · motion {self.position}"


class VotingCode(models.Model):
    """An attendee's one-time code for one motion: who may vote and whether they have.
    No time and no choice: the choice goes to ``OnlineTally`` only."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="codes")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    digest = models.CharField(max_length=64, unique=True, help_text="HMAC-SHA256 of the code.")
    used = models.BooleanField(default=False)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("motion", "member"), name="motion_code_once"),
        )

    def __str__(self) -> str:
        return f"code for motion {self.motion_id}"


class OnlineTally(models.Model):
    """How many voted each way online: three counts, nothing else."""

    motion = models.OneToOneField(Motion, on_delete=models.CASCADE, related_name="tally")
    votes_for = models.PositiveIntegerField(default=0)
    votes_against = models.PositiveIntegerField(default=0)
    abstentions = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"tally of motion {self.motion_id}"


class TriggerState(models.TextChoices):
    OPEN = "open", "Branches answering"
    DECIDED = "decided", "Decided"


class TriggerBallot(models.Model):
    """A sitting representative wishes to stand again: each branch of ``unit`` answers."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="trigger_ballots")
    rulebook = models.ForeignKey(Rulebook, on_delete=models.PROTECT)
    representative = models.CharField(max_length=120)
    state = models.CharField(max_length=10, choices=TriggerState.choices, default=TriggerState.OPEN)
    open_selection = models.BooleanField(null=True, blank=True)
    decisions = models.JSONField(default=list)
    selection = models.ForeignKey(
        Contest, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"trigger ballot: {self.representative}"


class BranchAnswer(models.Model):
    ballot = models.ForeignKey(TriggerBallot, on_delete=models.CASCADE, related_name="answers")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    yes = models.BooleanField(help_text="Yes to an open selection.")
    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("ballot", "unit"), name="branch_answers_once"),
        )

    def __str__(self) -> str:
        return f"{self.unit_id}: {'yes' if self.yes else 'no'}"
