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
    electors = models.JSONField(
        default=list,
        blank=True,
        help_text="Electors per section, eligibility, reason and voted or not, as counted: "
        "the rolls cannot change after the close, so the results page reads these figures "
        "instead of every elector's row. Empty for a count stored before they were kept.",
    )

    def __str__(self) -> str:
        return f"result of {self.contest}"
