"""A contest's count: the report as plain figures, and the published downloads."""

from __future__ import annotations

from django.db import models

from omov.web.contests.models import Contest


class Result(models.Model):
    contest = models.OneToOneField(Contest, on_delete=models.PROTECT, related_name="result")
    method = models.CharField(max_length=40)
    summary = models.JSONField(help_text="Rounds, transfers and sections, figures as strings.")
    rctab_json = models.TextField(blank=True)
    csv = models.TextField(blank=True)
    board = models.BinaryField(blank=True, help_text="The ballot board (Parquet), by the ledger.")

    def __str__(self) -> str:
        return f"result of {self.contest}"
