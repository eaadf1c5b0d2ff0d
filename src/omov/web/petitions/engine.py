"""The one place this app reads ``omov.rules.local`` (pyproject's import contract lets it):
who may sign, how an email is compared, what is held for review and which thresholds a
count crossed. The rules decide; the app records what they answer."""

from __future__ import annotations

from omov.rules.local.petitions import (
    FLAGS,
    address_range,
    counted_unit_kinds,
    email_problem,
    non_member_refusal,
    normalise_email,
    petition_rules,
    screening_flags,
    signing_refusal,
    thresholds_crossed,
    thresholds_reached,
)
from omov.rules.local.schema import Petitions

__all__ = [
    "FLAGS",
    "Petitions",
    "address_range",
    "counted_unit_kinds",
    "email_problem",
    "non_member_refusal",
    "normalise_email",
    "petition_rules",
    "screening_flags",
    "signing_refusal",
    "thresholds_crossed",
    "thresholds_reached",
]
