"""Electors of one contest, their eligibility with a reason, vetting and appeals.

``has_voted`` is the only thing recorded about an elector's vote: no time, no ballot link.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from omov.web.contests.models import Contest


class Eligibility(models.TextChoices):
    ELIGIBLE = "eligible", "Eligible"
    INELIGIBLE = "ineligible", "Not eligible"
    EXCLUDED = "excluded", "Excluded on vetting"


class Elector(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="electors")
    reference = models.CharField(max_length=40, help_text="Membership or supporter number.")
    email = models.CharField(max_length=254, blank=True)
    identity_digest = models.CharField(
        max_length=32,
        blank=True,
        default="",
        db_default="",
        help_text="Digest of the roll's identity key, email and date of birth "
        "(members/identity.py); empty when unknown.",
    )
    section = models.CharField(max_length=60, help_text="The rulebook's section slug.")
    eligibility = models.CharField(
        max_length=12, choices=Eligibility.choices, default=Eligibility.ELIGIBLE
    )
    reason = models.CharField(max_length=60, blank=True, help_text="Reason code.")
    grounds = models.TextField(blank=True, help_text="Vetting grounds and evidence.")
    has_voted = models.BooleanField(default=False)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("contest", "section", "reference"), name="elector_once"
            ),
        )
        indexes = (
            models.Index(fields=("contest", "eligibility")),
            # The dashboard's first electors by reference: without it, a sort of every
            # elector of the contest at each page (190 ms at 500,000).
            models.Index(fields=("contest", "reference"), name="elector_by_reference"),
            # A registered supporter's own records (status.py): a lookup, where by email
            # alone, which no index holds, a page read every elector (400 ms of
            # PostgreSQL's at 200,000).
            models.Index(fields=("identity_digest",), name="elector_by_identity"),
        )

    def __str__(self) -> str:
        return f"{self.section} {self.reference}"


class RollUpload(models.Model):
    """The latest roll of one section, kept so every import can re-decide the electorate."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="rolls")
    section = models.CharField(max_length=60)
    data = models.BinaryField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("contest", "section"), name="one_roll_per_section"),
        )


class AppealState(models.TextChoices):
    LODGED = "lodged", "Lodged"
    UPHELD = "upheld", "Upheld: vote restored"
    DISMISSED = "dismissed", "Dismissed"


class Appeal(models.Model):
    elector = models.ForeignKey(Elector, on_delete=models.CASCADE, related_name="appeals")
    grounds = models.TextField()
    state = models.CharField(max_length=10, choices=AppealState.choices, default=AppealState.LODGED)
    decision_reason = models.TextField(blank=True)
    lodged_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"appeal by {self.elector}"


class ExclusionState(models.TextChoices):
    PROPOSED = "proposed", "Proposed, awaiting a second officer"
    CONFIRMED = "confirmed", "Confirmed: excluded"
    REJECTED = "rejected", "Rejected by the second officer"
    REVERSED = "reversed", "Reversed on appeal"


class Exclusion(models.Model):
    """A vetting exclusion of the person behind ``elector`` (the record it was found on), on
    one of the rulebook's grounds: proposed by one officer, confirmed by another."""

    elector = models.ForeignKey(Elector, on_delete=models.CASCADE, related_name="exclusions")
    ground = models.CharField(max_length=60, help_text="The rulebook's ground code.")
    note = models.TextField(help_text="The evidence, for the officers and the appeals panel.")
    state = models.CharField(
        max_length=10, choices=ExclusionState.choices, default=ExclusionState.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = (
            # The few awaiting confirmation, found without reading every exclusion ever
            # made (a bulk import and its confirmation look them up at each batch).
            models.Index(
                fields=("elector",),
                condition=models.Q(state="proposed"),
                name="exclusion_awaiting",
            ),
        )

    def __str__(self) -> str:
        return f"exclusion {self.pk} of {self.elector} ({self.state})"


TALLY_SLOTS = 256
"""Rows a tally keeps per figure on PostgreSQL, an elector's by ``id % TALLY_SLOTS``
(migration 0006; 16 before, whose rows still count): simultaneous casts in one section
mostly update different rows, so they seldom queue on a row lock held until a commit is
flushed. SQLite, one writer at a time, keeps 16."""


class ElectorTally(models.Model):
    """How many electors of a contest have one section, eligibility, reason and ``has_voted``:
    the figures of ``elector_counts`` without reading every elector.

    Kept by the database itself: triggers on the electors' table (migration 0004) add and
    subtract in the transaction of every insert, update and delete, whatever wrote it (the
    services, the admin, a bulk update, COPY), so no writer can forget it. Never written
    here. ``contest_id`` has no foreign key: deleting a contest deletes its electors, whose
    triggers bring its rows to zero, in whichever order Django deletes them."""

    contest_id = models.BigIntegerField()
    section = models.CharField(max_length=60)
    eligibility = models.CharField(max_length=12)
    reason = models.CharField(max_length=60)
    has_voted = models.BooleanField()
    slot = models.PositiveSmallIntegerField()
    n = models.BigIntegerField()

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("contest_id", "section", "eligibility", "reason", "has_voted", "slot"),
                name="elector_tally_once",
            ),
        )

    def __str__(self) -> str:
        return f"{self.n} electors {self.section}/{self.eligibility}/{self.reason}"
