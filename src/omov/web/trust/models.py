"""The contest's transparency log in the database: entries, ballot leaves, signed heads, keys.

Every audit event of a contest becomes one ``LogEntry``: its canonical ledger entry (the
Merkle leaf, as ``omov.ledger`` defines it), the leaf hash, and the tree root and right edge
after it (so the next entry is appended without reading the log). The ballots have their
own log (``BallotLeaf``), filled in batches at checkpoints and sorted by random id inside a
batch, so the log never shows the order of casting; the last leaf of a batch keeps the right
edge. Rows of all three tables are append-only: the models refuse changes, and on
PostgreSQL a trigger does too.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from omov.web.audit.models import AppendOnlyError, AuditEvent
from omov.web.contests.models import Contest, Organisation


class AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("the transparency log is append-only: rows cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("the transparency log is append-only: rows cannot be deleted")


class LogEntry(AppendOnly):
    contest = models.ForeignKey(Contest, on_delete=models.PROTECT, related_name="log_entries")
    index = models.PositiveIntegerField(help_text="The leaf number, from 0.")
    event = models.OneToOneField(AuditEvent, on_delete=models.PROTECT, related_name="log_entry")
    kind = models.CharField(max_length=40)
    data = models.TextField(help_text="The ledger entry, canonical JSON (RFC 8785).")
    leaf_hash = models.CharField(max_length=64)
    root = models.CharField(max_length=64, help_text="The tree root with this entry last.")
    right_edge = models.TextField(
        blank=True,
        default="",
        help_text="The tree's right edge with this entry last (omov.ledger.merkle.RightEdge), "
        "from which the next entry's root is computed; empty on entries from before it was kept.",
    )

    class Meta:
        ordering = ("contest", "index")
        constraints = (models.UniqueConstraint(fields=("contest", "index"), name="log_entry_once"),)

    def __str__(self) -> str:
        return f"{self.contest_id}#{self.index} {self.kind}"


class BallotLeaf(AppendOnly):
    contest = models.ForeignKey(Contest, on_delete=models.PROTECT, related_name="ballot_leaves")
    index = models.PositiveIntegerField()
    ballot = models.UUIDField(help_text="The ballot's random id (no link to any voter).")
    data = models.TextField(help_text="Id, section and ranking, canonical JSON: the leaf.")
    leaf_hash = models.CharField(max_length=64)
    right_edge = models.TextField(
        blank=True,
        default="",
        help_text="On the last leaf of each batch: the tree's right edge with it last, from "
        "which the next batch is appended (empty on the others, and on older batches).",
    )

    class Meta:
        ordering = ("contest", "index")
        constraints = (
            models.UniqueConstraint(fields=("contest", "index"), name="ballot_leaf_once"),
            models.UniqueConstraint(fields=("contest", "ballot"), name="ballot_logged_once"),
        )


class LogName(models.TextChoices):
    CONTEST = "contest", "Contest log"
    BALLOTS = "ballots", "Ballot log"


class TreeHeadRecord(AppendOnly):
    contest = models.ForeignKey(Contest, on_delete=models.PROTECT, related_name="tree_heads")
    log = models.CharField(max_length=8, choices=LogName.choices)
    size = models.PositiveIntegerField()
    checkpoint = models.CharField(max_length=40)
    signed = models.TextField(help_text="The signed head as observers get it (JSON).")
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("contest", "log", "id")

    def __str__(self) -> str:
        return f"{self.contest_id} {self.log} head {self.size} ({self.checkpoint})"


class OrganisationKey(models.Model):
    """The organisation's Ed25519 signing key, PKCS#8 PEM encrypted with the passphrase."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="signing_key"
    )
    encrypted_pem = models.BinaryField()
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"key {self.fingerprint[:16]} of {self.organisation}"
