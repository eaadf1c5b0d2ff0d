"""Members' petitions: the petition, its signatures, the counters the live count reads, and
its append-only log.

One person signs once: each signature's ``signer`` is a keyed hash (under the petition's
own key) of the member's identity key on the roll, or of a non-member's normalised email,
and (petition, signer) is a unique index, so a second signature by the same person is found
by the index in one lookup, never by a scan. The same hash is the signer published at close
(``omov.ledger.petition``), so the log cannot be joined to a roll or to another petition.

The live count never counts signatures: each signature adds one to a ``Tally`` row (by
class, status and unit, in the signing transaction), and the count sums those rows, a few
hundred at most whatever the number of signatures.
"""

from __future__ import annotations

from django.db import models

from omov.web.contests.models import Organisation, Rulebook
from omov.web.members.models import Member, Unit
from omov.web.trust.models import AppendOnly


class PetitionState(models.TextChoices):
    SUBMITTED = "submitted", "Waiting for an officer's check"
    OPEN = "open", "Open for signatures"
    MODERATED = "moderated", "Taken down by an officer"
    CLOSED = "closed", "Closed and counted"


class Petition(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="petitions"
    )
    rulebook = models.ForeignKey(
        Rulebook, on_delete=models.PROTECT, related_name="petitions",
        help_text="The edition in force when it was started: its thresholds and screening.",
    )  # fmt: skip
    title = models.CharField(max_length=120)
    text = models.TextField()
    sponsor = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="petitions_sponsored"
    )
    state = models.CharField(
        max_length=12, choices=PetitionState.choices, default=PetitionState.SUBMITTED
    )
    closes_at = models.DateTimeField()
    key = models.CharField(
        max_length=64, help_text="Secret: the key its signers are hashed under. Never shown."
    )
    moderation_reason = models.TextField(
        blank=True, help_text="Why an officer took it down, shown in its place."
    )
    thresholds_noted = models.PositiveIntegerField(
        default=0, help_text="The highest threshold recorded as reached (0: none yet)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.title

    @property
    def stream(self) -> str:
        return f"petition:{self.pk}"

    @property
    def log_id(self) -> str:
        return f"petition-{self.pk}"


class SignerClass(models.TextChoices):
    MEMBER = "member", "Member"
    NON_MEMBER = "non-member", "Non-member"


class SignatureStatus(models.TextChoices):
    UNCONFIRMED = "unconfirmed", "Waiting for the email to be confirmed"
    COUNTED = "counted", "Counted"
    AWAITING = "awaiting-review", "Waiting for an officer's review"
    REJECTED = "rejected", "Rejected on review"


class Signature(models.Model):
    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="signatures")
    signer = models.CharField(max_length=64, help_text="Keyed hash of who signed.")
    klass = models.CharField(max_length=10, choices=SignerClass.choices)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The member's unit the signature is counted in (none for non-members).",
    )  # fmt: skip
    status = models.CharField(max_length=16, choices=SignatureStatus.choices)
    flags = models.CharField(
        max_length=100, blank=True, help_text="Why it waits for review, comma-separated."
    )
    address_range = models.CharField(max_length=50, blank=True)
    email = models.CharField(
        max_length=254, blank=True,
        help_text="A non-member's address until they confirm it (then erased).",
    )  # fmt: skip
    signed_at = models.DateTimeField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("petition", "signer"), name="signature_once"),
        )
        indexes = (models.Index(fields=("petition", "status"), name="signature_status"),)


class Tally(models.Model):
    """How many signatures of one class and status a petition has in one unit (``unit_key``
    0: none, as for non-members), spread over a few ``slot`` rows so that signers need not
    queue for one row."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="tallies")
    klass = models.CharField(max_length=10, choices=SignerClass.choices)
    status = models.CharField(max_length=16, choices=SignatureStatus.choices)
    unit_key = models.BigIntegerField(default=0)
    slot = models.PositiveSmallIntegerField(default=0)
    signatures = models.BigIntegerField(default=0)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("petition", "status", "klass", "unit_key", "slot"), name="tally_once"
            ),
        )


class RangeHour(models.Model):
    """Signatures from one address range in one clock hour: the screening's counter."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="+")
    address_range = models.CharField(max_length=50)
    hour = models.DateTimeField()
    signatures = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("petition", "address_range", "hour"), name="range_hour_once"
            ),
        )


class PetitionLogEntry(AppendOnly):
    """One entry of the petition's Merkle log (``omov.ledger.petition``), canonical JSON."""

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="log_entries")
    index = models.PositiveIntegerField()
    kind = models.CharField(max_length=30)
    data = models.TextField()
    leaf_hash = models.CharField(max_length=64)
    right_edge = models.TextField(
        blank=True, help_text="The tree's right edge with this entry last (last of a batch)."
    )

    class Meta:
        ordering = ("petition", "index")
        constraints = (
            models.UniqueConstraint(fields=("petition", "index"), name="petition_entry_once"),
        )


class PetitionHead(AppendOnly):
    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="heads")
    size = models.PositiveIntegerField()
    checkpoint = models.CharField(max_length=40)
    signed = models.TextField(help_text="The signed head (JSON).")

    class Meta:
        ordering = ("petition", "id")
