"""Giving and taking officers' roles."""

from __future__ import annotations

from typing import Any

from omov.web.access.models import UNIT_ROLES, Membership, Role, UnitPost
from omov.web.contests.models import Organisation


def membership_grant(*, user: Any, organisation: Organisation, roles: list[Role]) -> None:
    """``user`` holds each of ``roles`` in ``organisation`` (roles already held stay)."""
    for role in roles:
        Membership.objects.get_or_create(user=user, organisation=organisation, role=role)


def membership_revoke(*, user: Any, organisation: Organisation, role: Role) -> None:
    Membership.objects.filter(user=user, organisation=organisation, role=role).delete()


def unit_post_grant(*, user: Any, unit: Any, role: Role = Role.SECRETARY) -> None:
    """``user`` holds the unit role ``role`` for ``unit`` (and so in its organisation)."""
    if role not in UNIT_ROLES:
        raise ValueError(f"{role.label} is held for a whole organisation, not a unit")
    Membership.objects.get_or_create(user=user, organisation_id=unit.organisation_id, role=role)
    UnitPost.objects.get_or_create(user=user, unit=unit, role=role)
