"""Nominations from the nominating body (for Labour: MPs and MEPs)."""

from __future__ import annotations

from django.db import models

from omov.web.contests.models import Candidate, Contest


class Nomination(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="nominations")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="nominations")
    nominator = models.CharField(max_length=120, help_text="The member of the nominating body.")
    body = models.CharField(max_length=60, blank=True, help_text="The rulebook's body (plp).")

    class Meta:
        constraints = (
            # Each member of the body nominates one candidate only.
            models.UniqueConstraint(fields=("contest", "nominator"), name="nominate_once"),
        )

    def __str__(self) -> str:
        return f"{self.nominator} nominates {self.candidate}"
