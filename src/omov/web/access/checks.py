"""The one check every officer view passes through.

``officer_view(role)`` wraps a contest's officer view (a URL with the contest's ``pk``):

- not signed in, or signed in without the code of an enrolled second factor: to the
  sign-in page (``second_factor.py``);
- signed in but holding no role in the contest's organisation: 403;
- a GET or HEAD (a page or a download): any role in the organisation, scrutineers included;
- any other method: only ``role``; a view given ``None`` is read-only and refuses every POST.

``organisation_view(role)`` wraps an organisation's officer view (a URL with the
organisation's id, ``organisation``: its members and units) with the same rules as
``officer_view``, against that organisation.

``officer_area(role)`` wraps the officer's pages that belong to no one contest (the list of
contests): a GET needs an organisation-wide role in some organisation (or, for a unit
role's area, a post for some unit), a POST needs ``role`` in some organisation, and the
view itself confines what it shows and does to those organisations (or units).

``unit_view(role, unit_of)`` wraps a unit's officer view (a meeting, a motion, a trigger
ballot): ``unit_of(kwargs)`` finds the unit from the URL (or 404); a GET needs to see the
unit (``roles.may_for_unit``: an organisation-wide role, or a post for that unit), any
other method ``role`` for that unit (a secretary's post for it).

All three mark the view with ``officer_role`` so that a test can check every URL under
``officer/`` is wrapped (``tests/web/test_access.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404

from omov.web.access.models import UNIT_ROLES, Role
from omov.web.access.roles import may, may_for_unit, organisations_where, units_where
from omov.web.access.second_factor import needs_second_factor
from omov.web.contests.models import Contest, Organisation

View = TypeVar("View", bound=Callable[..., HttpResponseBase])
READING = frozenset({"GET", "HEAD"})
MARK = "officer_role"
UNIT_MARK = "unit_page"


def officer_view(role: Role | None) -> Callable[[View], View]:
    """Confine a contest's officer view to its organisation's officers (see the module)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, pk: int, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated or needs_second_factor(request.user):
                return redirect_to_login(request.get_full_path())
            contest = get_object_or_404(Contest.objects.only("pk", "organisation_id"), pk=pk)
            if request.method in READING:
                allowed = may(request.user, None, contest)
            else:
                allowed = role is not None and may(request.user, role, contest)
            if not allowed:
                raise PermissionDenied("not an officer of this contest's organisation")
            return view(request, *args, pk=pk, **kwargs)

        setattr(checked, MARK, role)
        return checked  # type: ignore[return-value]

    return decorate


def organisation_view(role: Role | None) -> Callable[[View], View]:
    """Confine an organisation's officer view to its officers (see the module)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def checked(
            request: HttpRequest, *args: Any, organisation: int, **kwargs: Any
        ) -> HttpResponseBase:
            if not request.user.is_authenticated or needs_second_factor(request.user):
                return redirect_to_login(request.get_full_path())
            target = get_object_or_404(Organisation.objects.only("pk"), pk=organisation)
            needed = None if request.method in READING else role
            allowed = (needed is not None or request.method in READING) and may(
                request.user, needed, target
            )
            if not allowed:
                raise PermissionDenied("not an officer of this organisation")
            return view(request, *args, organisation=organisation, **kwargs)

        setattr(checked, MARK, role)
        return checked  # type: ignore[return-value]

    return decorate


def officer_area(role: Role) -> Callable[[View], View]:
    """Confine an officer page outside any one contest to users with a role somewhere."""

    def decorate(view: View) -> View:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated or needs_second_factor(request.user):
                return redirect_to_login(request.get_full_path())
            needed = None if request.method in READING else role
            allowed = bool(organisations_where(request.user, needed))
            if role in UNIT_ROLES:  # a unit's officer's own area (their units' meetings)
                allowed = allowed or bool(units_where(request.user, role))
            if not allowed:
                raise PermissionDenied("no role in any organisation")
            return view(request, *args, **kwargs)

        setattr(checked, MARK, role)
        return checked  # type: ignore[return-value]

    return decorate


def unit_view(
    role: Role | None, unit_of: Callable[[dict[str, Any]], Any]
) -> Callable[[View], View]:
    """Confine a unit's officer view to the officers of that unit (see the module)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated or needs_second_factor(request.user):
                return redirect_to_login(request.get_full_path())
            unit = unit_of(kwargs)
            if request.method in READING:
                allowed = may_for_unit(request.user, None, unit)
            else:
                allowed = role is not None and may_for_unit(request.user, role, unit)
            if not allowed:
                raise PermissionDenied("not an officer of this unit")
            return view(request, *args, **kwargs)

        setattr(checked, MARK, role)
        setattr(checked, UNIT_MARK, True)
        return checked  # type: ignore[return-value]

    return decorate
