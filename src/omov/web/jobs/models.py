"""Mailings sent by background jobs: voting codes and reminders, in batches.

A ``Mailing`` is one officer's "send voting codes" (or one timetabled reminder); it is
split into ``MailBatch`` rows of a few hundred electors, and each elector of it has one
``Letter`` whose state is the whole truth about that elector's email: planned, code made
(``ready``, the code sealed until it is sent), sent, deferred by a temporary refusal,
bounced or failed. A worker claims a batch for a lease and renews it while it sends; a
worker killed with its batch leaves the lease to run out, and the next worker carries on
from the letters' states. See ``docs/adr/0005-background-jobs.md``.
"""

from __future__ import annotations

from django.db import models

from omov.web.contests.models import Contest
from omov.web.electorate.models import Elector


class MailingKind(models.TextChoices):
    CODES = "codes", "Voting codes"
    REMINDER = "reminder", "Reminder to vote"


class MailingState(models.TextChoices):
    PLANNING = "planning", "Planning"
    SENDING = "sending", "Sending"
    DONE = "done", "Done"


class Mailing(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="mailings")
    kind = models.CharField(max_length=8, choices=MailingKind.choices)
    state = models.CharField(
        max_length=8, choices=MailingState.choices, default=MailingState.PLANNING
    )
    moment = models.CharField(
        max_length=40, blank=True, help_text="The timetable moment that made it (reminders)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    totals = models.JSONField(
        default=dict,
        help_text="Letters by state, once done (a reminder's letters are then deleted).",
    )

    class Meta:
        constraints = (
            # One codes mailing at a time: a second press of the button joins the first.
            models.UniqueConstraint(
                fields=("contest",),
                condition=models.Q(kind="codes") & ~models.Q(state="done"),
                name="mailing_codes_one_at_a_time",
            ),
            # A timetabled reminder is sent once however many workers see it due.
            models.UniqueConstraint(
                fields=("contest", "kind", "moment"),
                condition=~models.Q(moment=""),
                name="mailing_moment_once",
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for contest {self.contest_id} ({self.state})"


class BatchState(models.TextChoices):
    WAITING = "waiting", "Waiting"
    CLAIMED = "claimed", "Claimed by a worker"
    RETRY = "retry", "Waiting to retry deferred letters"
    DONE = "done", "Done"


class MailBatch(models.Model):
    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="batches")
    number = models.PositiveIntegerField()
    state = models.CharField(max_length=8, choices=BatchState.choices, default=BatchState.WAITING)
    lease_until = models.DateTimeField(help_text="A claim runs out then; a retry is due then.")
    worker = models.CharField(max_length=64, blank=True)
    passes = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("mailing", "number"), name="batch_number_once"),
        )
        indexes = (models.Index(fields=("mailing", "state", "lease_until")),)

    def __str__(self) -> str:
        return f"batch {self.number} of mailing {self.mailing_id} ({self.state})"


class LetterState(models.TextChoices):
    PLANNED = "planned", "Planned"
    READY = "ready", "Code made, not yet sent"
    SENT = "sent", "Sent"
    DEFERRED = "deferred", "Refused for now; will be retried"
    BOUNCED = "bounced", "Refused by the mail server"
    FAILED = "failed", "Could not be sent"
    SKIPPED = "skipped", "Already has a code"
    SUPERSEDED = "superseded", "Not sent: the code was reissued first"


FINAL = (
    LetterState.SENT,
    LetterState.BOUNCED,
    LetterState.FAILED,
    LetterState.SKIPPED,
    LetterState.SUPERSEDED,
)


class Letter(models.Model):
    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="letters")
    batch = models.ForeignKey(MailBatch, on_delete=models.CASCADE, related_name="letters")
    elector = models.ForeignKey(Elector, on_delete=models.CASCADE, related_name="letters")
    state = models.CharField(
        max_length=10, choices=LetterState.choices, default=LetterState.PLANNED
    )
    sealed_code = models.BinaryField(
        default=b"", help_text="The code, sealed under a key kept outside the database, until sent."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    reason = models.CharField(max_length=120, blank=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("mailing", "elector"), name="letter_once"),)
        indexes = (
            models.Index(fields=("batch", "state")),
            models.Index(fields=("mailing", "state")),
        )

    def __str__(self) -> str:
        return f"letter {self.pk} ({self.state})"


class LetterTally(models.Model):
    """How many letters of a mailing are in each state: the mailing's progress without
    reading its letters (counting them on every dashboard request grew with the mailing).

    Kept by the database itself: triggers on the letters' table (migration 0004) add and
    subtract in the transaction of every insert, update and delete, whatever wrote it (the
    planning's one INSERT ... SELECT, each letter's mark, a reissue's supersession, an
    abandoned mailing's bulk update, a reminder's letters deleted once done). Never written
    here. Several rows a mailing and state (``slot``, the batch's id modulo 16) so workers
    sending different batches do not queue on one row lock. ``mailing_id`` has no foreign
    key, for the same reason as ``ElectorTally``'s contest."""

    mailing_id = models.BigIntegerField()
    state = models.CharField(max_length=10)
    slot = models.PositiveSmallIntegerField()
    n = models.BigIntegerField()

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("mailing_id", "state", "slot"), name="letter_tally_once"
            ),
        )

    def __str__(self) -> str:
        return f"{self.n} {self.state} letters of mailing {self.mailing_id}"
