"""What a thread can be on: a contest (built in), and the kinds other apps register (a
motion, a petition), each read by a function from (organisation, id) to the ``Target``,
or None if there is no such thing in that organisation::

    from omov.web.discussion.targets import Target, targets_register

    def motion_target(organisation, pk):
        motion = Motion.objects.filter(meeting__unit__organisation=organisation, pk=pk).first()
        return None if motion is None else Target(motion.title, reverse("motion", args=[pk]))

    targets_register("motion", motion_target)   # from the app's AppConfig.ready

A kind nobody has registered is taken on its id alone, within the member's organisation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from omov.web.contests.models import Contest, Organisation
from omov.web.discussion.models import TargetKind


@dataclass(frozen=True)
class Target:
    title: str
    url: str = ""
    contest: Contest | None = None


Reader = Callable[[Organisation, int], Target | None]
_READERS: dict[str, Reader] = {}


def targets_register(kind: str, reader: Reader) -> None:
    _READERS[kind] = reader


def _contest(organisation: Organisation, pk: int) -> Target | None:
    contest = Contest.objects.filter(organisation=organisation, pk=pk).first()
    if contest is None:
        return None
    return Target(contest.title, reverse("statements", args=[pk]), contest)


targets_register(TargetKind.CONTEST, _contest)


def target(organisation: Organisation, kind: str, pk: int) -> Target | None:
    """The thing a thread is on, or None if ``kind`` is unknown or it does not exist."""
    if kind not in TargetKind.values:
        return None
    reader = _READERS.get(kind)
    if reader is None:
        return Target(f"{TargetKind(kind).label} {pk}")
    return reader(organisation, pk)
