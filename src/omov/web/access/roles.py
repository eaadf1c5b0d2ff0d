"""What an officer's roles allow, as django-rules permissions on a contest or organisation.

- ``access.see_contest``: any organisation-wide role in the contest's organisation. Every
  officer page and download is a GET under this permission; a scrutineer holds nothing
  more, so sees all of them and changes nothing. A unit's secretary (``UNIT_ROLES``) sees
  no contest.
- ``access.<role>`` (``access.returning_officer``, ``access.vetting_officer``,
  ``access.appeals_panel``, ``access.scrutineer``): that role in the organisation.

A unit's pages (its meetings, motions, trigger ballots) ask ``may_for_unit(user, role,
unit)``: the role in the unit's organisation and, for a unit role, a post for that unit.

Ask through ``may(user, role, contest)`` (or django-rules' ``has_perm``), never ``user.has_perm``:
Django's ``User.has_perm`` says yes to a superuser before any rule is read, and a site
administrator acts for no organisation unless given a role in it.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rules.permissions import add_perm, has_perm
from rules.predicates import Predicate

from omov.web.access.models import UNIT_ROLES, Membership, Role, UnitPost
from omov.web.contests.models import Contest, Organisation

SEE = "access.see_contest"
PERMISSION = {role: f"access.{role.value}" for role in Role}

_CACHE = "_omov_roles"


def organisation_id(target: Contest | Organisation) -> int:
    """The organisation a contest belongs to, or the organisation itself."""
    return target.organisation_id if isinstance(target, Contest) else target.pk


def roles_in(user: Any, organisation: int) -> frozenset[Role]:
    """``user``'s roles in ``organisation``: one query, then kept on the user object for the
    rest of the request (a page asks several times)."""
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    held: dict[int, frozenset[Role]] = user.__dict__.setdefault(_CACHE, {})
    if organisation not in held:
        rows = Membership.objects.filter(user=user, organisation_id=organisation)
        held[organisation] = frozenset(Role(r) for r in rows.values_list("role", flat=True))
    return held[organisation]


def organisations_where(user: Any, role: Role | None = None) -> list[int]:
    """The ids of the organisations ``user`` holds ``role`` in (any organisation-wide role:
    ``None``)."""
    if not (user.is_authenticated and user.is_active):
        return []
    rows = Membership.objects.filter(user=user)
    rows = rows.filter(role=role) if role is not None else rows.exclude(role__in=UNIT_ROLES)
    return sorted(set(rows.values_list("organisation_id", flat=True)))


def _acts_for(user: Any, target: Contest | Organisation) -> bool:
    return bool(roles_in(user, organisation_id(target)) - UNIT_ROLES)


def units_where(user: Any, role: Role) -> list[int]:
    """The ids of the units ``user`` holds the unit role ``role`` for, in organisations where
    they hold it (a post outlives nothing: taking the role away takes every post)."""
    if not (user.is_authenticated and user.is_active):
        return []
    posts = UnitPost.objects.filter(user=user, role=role)
    held = set(organisations_where(user, role))
    return sorted(
        unit
        for unit, organisation in posts.values_list("unit_id", "unit__organisation_id")
        if organisation in held
    )


def officer_start(user: Any) -> str:
    """The officer pages a signed-in user may open first: the contests for an
    organisation-wide role, their units' meetings for a unit's officer who holds nothing
    more (the contests page refuses them)."""
    if not organisations_where(user) and any(units_where(user, role) for role in UNIT_ROLES):
        return reverse("local-home")
    return reverse("officer-home")


def may_for_unit(user: Any, role: Role | None, unit: Any) -> bool:
    """Whether ``user`` may act as ``role`` for ``unit`` (``None``: see its pages). A unit
    role needs a post for this unit; an organisation-wide role covers every unit of the
    organisation, and seeing is open to those roles and to the unit's own officers."""
    held = roles_in(user, unit.organisation_id)
    posted = UnitPost.objects.filter(user=user, unit=unit, role__in=held & UNIT_ROLES)
    if role is None:
        return bool(held - UNIT_ROLES) or posted.exists()
    if role in UNIT_ROLES:
        return posted.filter(role=role).exists()
    return role in held


def _holds(role: Role) -> Predicate:
    def holds(user: Any, target: Contest | Organisation) -> bool:
        return role in roles_in(user, organisation_id(target))

    return Predicate(holds, name=f"holds_{role.value}")


add_perm(SEE, Predicate(_acts_for, name="acts_for"))
for _role in Role:
    add_perm(PERMISSION[_role], _holds(_role))


def may(user: Any, role: Role | None, target: Contest | Organisation) -> bool:
    """Whether ``user`` may act as ``role`` for ``target``'s organisation (``None``: see its
    officer pages, which any role may)."""
    return bool(has_perm(SEE if role is None else PERMISSION[role], user, target))
