"""Start-up checks of the voting-code throttle's settings (``OMOV_THROTTLE_*``): a count of
zero or a negative time would lock every voter out or turn the throttle off without a word,
so every command refuses to start until they make sense."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from omov.web.balloting.throttle import limits

COUNTS = ("OMOV_THROTTLE_FREE", "OMOV_THROTTLE_FREE_UNDER_FLOOD", "OMOV_THROTTLE_FLOOD")
SECONDS = (
    "OMOV_THROTTLE_FLOOD_SECONDS",
    "OMOV_THROTTLE_FORGET_SECONDS",
    "OMOV_THROTTLE_LONGEST_WAIT_SECONDS",
)


def _positive(value: object, *, whole: bool) -> bool:
    if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)):
        return False
    return 0 < value < math.inf  # NaN is neither


def _refusal(name: str, what: str, number: int) -> Error:
    return Error(f"{name} must be {what}", hint="see docs/deploy.md", id=f"omov.E{number:03}")


@register(Tags.security)
def throttle_settings_check(**_: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = [
        _refusal(name, "a whole number above zero", 1)
        for name in COUNTS
        if not _positive(getattr(settings, name), whole=True)
    ]
    problems += [
        _refusal(name, "a number of seconds above zero", 2)
        for name in SECONDS
        if not _positive(getattr(settings, name), whole=False)
    ]
    if problems:
        return problems
    numbers = limits()
    if numbers.free_under_flood > numbers.free:
        problems.append(_refusal("OMOV_THROTTLE_FREE_UNDER_FLOOD", "at most OMOV_THROTTLE_FREE", 3))
    if numbers.longest_wait > numbers.forget:
        problems.append(
            _refusal(
                "OMOV_THROTTLE_LONGEST_WAIT_SECONDS", "at most OMOV_THROTTLE_FORGET_SECONDS", 4
            )
        )
    return problems
