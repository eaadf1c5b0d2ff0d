"""Giving and taking officers' roles."""

from __future__ import annotations

from typing import Any

from omov.web.access.models import Membership, Role
from omov.web.contests.models import Organisation


def membership_grant(*, user: Any, organisation: Organisation, roles: list[Role]) -> None:
    """``user`` holds each of ``roles`` in ``organisation`` (roles already held stay)."""
    for role in roles:
        Membership.objects.get_or_create(user=user, organisation=organisation, role=role)


def membership_revoke(*, user: Any, organisation: Organisation, role: Role) -> None:
    Membership.objects.filter(user=user, organisation=organisation, role=role).delete()
