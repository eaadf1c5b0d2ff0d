"""An organisation's units and members, and members' sign-in links.

A member is one person on the organisation's roll, found again by the identity key the
electorate package links people by (``identity.py``), so a member here and an elector on a
contest's roll are the same person under the same key. Units (a CLP, a branch) are of the
kinds the rulebook in force lists (``[local].units``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from omov.web.contests.models import Organisation, Rulebook


class Unit(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="units")
    kind = models.SlugField(max_length=60, help_text="A key of the rulebook's [local].units.")
    code = models.CharField(max_length=60, help_text="The organisation's own code for the unit.")
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ("name",)
        constraints = (
            models.UniqueConstraint(fields=("organisation", "code"), name="unit_code_once"),
        )

    def __str__(self) -> str:
        return self.name


class Standing(models.TextChoices):
    """A member's standing on the roll (the rules' ``omov.rules.local.schema.Standing``)."""

    ACTIVE = "active", "Active"
    LAPSED = "lapsed", "Lapsed"
    SUSPENDED = "suspended", "Suspended"
    EXPELLED = "expelled", "Expelled"


class Member(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="members")
    identity_key = models.CharField(
        max_length=300, help_text="Normalised email and date of birth (identity.identity_key)."
    )
    number = models.CharField(
        max_length=40, blank=True, help_text="Membership number; blank for a supporter."
    )
    full_name = models.CharField(max_length=200, help_text="Private: officers see it.")
    display_name = models.CharField(max_length=80, help_text="Shown on what the member posts.")
    email = models.EmailField(max_length=254)
    email_normalised = models.CharField(max_length=254)
    date_of_birth = models.DateField()
    joined = models.DateField()
    standing = models.CharField(max_length=10, choices=Standing.choices, default=Standing.ACTIVE)
    section = models.SlugField(
        max_length=60, default="members", help_text="The rulebook's section slug."
    )
    units = models.ManyToManyField(Unit, blank=True, related_name="members")

    class Meta:
        ordering = ("full_name",)
        constraints = (
            models.UniqueConstraint(
                fields=("organisation", "identity_key"), name="member_identity_once"
            ),
            models.UniqueConstraint(
                fields=("organisation", "number"),
                condition=~Q(number=""),
                name="member_number_once",
            ),
        )
        indexes = (models.Index(fields=("email_normalised",), name="member_email"),)

    def __str__(self) -> str:
        return self.display_name

    def in_good_standing_on(self, day: dt.date, *, joined_days_before: int = 0) -> bool:
        """Active on the roll and joined at least ``joined_days_before`` days before ``day``
        (the rulebook's ``[local.meetings].joined_days_before``: pass it from the rulebook
        in force, ``selectors.good_standing_days``)."""
        cut_off = day - dt.timedelta(days=joined_days_before)
        return self.standing == Standing.ACTIVE and self.joined <= cut_off


class SignInLink(models.Model):
    """A one-time sign-in link emailed to a member: only the token's SHA-256 is kept."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="sign_in_links")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = (models.Index(fields=("member", "created_at"), name="sign_in_link_recent"),)


class SignInRequest(models.Model):
    """One request for a link from a client (its keyed network hash, never its address),
    kept an hour for the throttle."""

    client = models.CharField(max_length=32)
    at = models.DateTimeField()

    class Meta:
        indexes = (models.Index(fields=("client", "at"), name="sign_in_request_recent"),)


class RulebookInForce(models.Model):
    """The edition an officer chose for local democracy (else the newest with [local])."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    rulebook = models.ForeignKey(Rulebook, on_delete=models.PROTECT, related_name="+")
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    chosen_at = models.DateTimeField()
