"""The trustees' side of a contest: their signed messages, the election key they made,
and the rankings their decryption gave.

``TrusteeMessage`` keeps each message exactly as published (its SHA-256 is in the contest
log). ``ElectionKey`` is the key the trustees' confirmed key generation gives, kept so that
casting (which checks each ballot's proof against it) reads one row. ``DecryptedPaper``
is a ranking after the mix and the decryption: it has no link to any ballot, credential or
tracker, only the published section group it was mixed in.
"""

from __future__ import annotations

import uuid

from django.db import models

from omov.web.contests.models import Contest


class TrusteeMessage(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.PROTECT, related_name="trustee_messages")
    kind = models.CharField(max_length=32)
    trustee = models.PositiveSmallIntegerField()
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the text.")
    text = models.TextField(help_text="The signed message, as published (JSON).")

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return f"{self.kind} of trustee {self.trustee}"


class ElectionKey(models.Model):
    contest = models.OneToOneField(Contest, on_delete=models.PROTECT, related_name="election_key")
    key = models.BinaryField(max_length=32)
    trustees = models.PositiveSmallIntegerField()
    threshold = models.PositiveSmallIntegerField()

    def __str__(self) -> str:
        return f"election key of {self.contest}"


class DecryptedPaper(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    contest = models.ForeignKey(Contest, on_delete=models.PROTECT, related_name="papers")
    section = models.CharField(max_length=60, help_text="The published section group.")
    ranking = models.JSONField(help_text="Candidate positions, first preference first.")

    def __str__(self) -> str:
        return f"decrypted paper of {self.contest}"
