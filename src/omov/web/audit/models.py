"""Append-only audit events, one per state change, shaped to be hash-chained later.

Each event belongs to a *stream* (one per contest, or per organisation) and has a gapless
``sequence`` within it, a ``kind``, and its payload as canonical JSON (RFC 8785), so the
ledger can later fill ``previous_hash`` and build a Merkle log over exactly these bytes.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class AppendOnlyError(Exception):
    """An attempt to change or remove a recorded audit event."""


class AuditEvent(models.Model):
    stream = models.CharField(max_length=64)
    sequence = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=64)
    payload = models.TextField(help_text="Canonical JSON (RFC 8785).")
    payload_sha256 = models.CharField(max_length=64)
    previous_hash = models.CharField(
        max_length=64, blank=True, default="", help_text="Filled by the ledger when chained."
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("stream", "sequence")
        constraints = (
            models.UniqueConstraint(fields=("stream", "sequence"), name="audit_stream_sequence"),
        )

    def __str__(self) -> str:
        return f"{self.stream}#{self.sequence} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("audit events are append-only: they cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events are append-only: they cannot be deleted")
