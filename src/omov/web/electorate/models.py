"""Electors of one contest, their eligibility with a reason, vetting and appeals.

``has_voted`` is the only thing recorded about an elector's vote: no time, no ballot link.
"""

from __future__ import annotations

from django.db import models

from omov.web.contests.models import Contest


class Eligibility(models.TextChoices):
    ELIGIBLE = "eligible", "Eligible"
    INELIGIBLE = "ineligible", "Not eligible"
    EXCLUDED = "excluded", "Excluded on vetting"


class Elector(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="electors")
    reference = models.CharField(max_length=40, help_text="Membership or supporter number.")
    email = models.CharField(max_length=254, blank=True)
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
        indexes = (models.Index(fields=("contest", "eligibility")),)

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

    def __str__(self) -> str:
        return f"appeal by {self.elector}"
