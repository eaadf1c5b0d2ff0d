"""An officer's roles in an organisation.

Roles belong to an organisation, not to the site: a returning officer of one party is
nobody in another's contests. Django's groups are site-wide, so a role is a row here (one
per user, organisation and role) and the permissions that read it are django-rules
predicates (``roles.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from omov.web.contests.models import Organisation


class Role(models.TextChoices):
    RETURNING_OFFICER = "returning_officer", "Returning officer"
    VETTING_OFFICER = "vetting_officer", "Vetting officer"
    APPEALS_PANEL = "appeals_panel", "Appeals panel"
    SCRUTINEER = "scrutineer", "Scrutineer"
    MODERATOR = "moderator", "Moderator"
    SECRETARY = "secretary", "Secretary of a unit"
    """A branch's or CLP's secretary: acts only for the units of their ``UnitPost`` rows,
    and sees none of the organisation's contests."""


UNIT_ROLES = frozenset({Role.SECRETARY})
"""Roles held for units, not for the whole organisation."""


class Membership(models.Model):
    """``user`` holds ``role`` in ``organisation``'s contests."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=30, choices=Role.choices)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("user", "organisation", "role"), name="membership_role_once"
            ),
        )

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"


class UnitPost(models.Model):
    """``user`` holds ``role`` (a unit role) for ``unit`` only: the secretary of one branch
    is nobody at another's meetings."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unit_posts"
    )
    unit = models.ForeignKey("members.Unit", on_delete=models.CASCADE, related_name="posts")
    role = models.CharField(max_length=30, choices=Role.choices)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("user", "unit", "role"), name="unit_post_once"),
        )

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"
