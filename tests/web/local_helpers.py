"""Meetings for tests of local democracy: called, opened and attended through the services,
as a secretary would, on the members foundation's units and members."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from omov.web.access.services import unit_post_grant
from omov.web.contests.models import Organisation
from omov.web.local.models import Meeting, Motion
from omov.web.local.services import attendance_record, meeting_call, meeting_open
from omov.web.members.models import Member, Unit

from .members_helpers import make_member

HELD = dt.date(2026, 3, 10)
NOTICE = dt.date(2026, 3, 1)


def secretary(unit: Unit, username: str = "secretary") -> User:
    user = get_user_model().objects.create_user(username, password="a long officer password")
    unit_post_grant(user=user, unit=unit)
    return user


def secretary_client(unit: Unit, username: str = "secretary") -> Client:
    secretary(unit, username)
    client = Client()
    signed_in = client.post(
        reverse("login"), {"username": username, "password": "a long officer password"}
    )
    assert signed_in.status_code == 302
    return client


def members_of(organisation: Organisation, unit: Unit, count: int) -> list[Member]:
    return [make_member(organisation, units=[unit]) for _ in range(count)]


def open_meeting(
    unit: Unit, *, present: int = 0, quorum: int | None = None, actor: User | None = None
) -> tuple[Meeting, list[Member]]:
    """A meeting of ``unit``, called with due notice and open, ``present`` members ticked."""
    meeting = meeting_call(
        unit=unit, title="", held_on=HELD, notice_on=NOTICE, quorum=quorum, actor=actor
    )
    meeting = meeting_open(meeting=meeting, actor=actor)
    members = members_of(unit.organisation, unit, present)
    if members:
        attendance_record(meeting=meeting, members=members, actor=actor)
    return meeting, members


def make_motion(organisation: Organisation, unit_code: str = "B1") -> Motion:
    """A motion tabled at an open meeting of ``organisation``'s unit ``unit_code`` (a thread
    on a motion needs one that exists)."""
    meeting, (mover, seconder) = open_meeting(
        Unit.objects.get(organisation=organisation, code=unit_code), present=2
    )
    return Motion.objects.create(
        meeting=meeting, position=1, kind="ordinary", text="We ask.", mover=mover, seconder=seconder
    )
