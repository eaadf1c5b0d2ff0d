"""Reading a ranking from the numbered select boxes of the ballot form.

Each candidate has a field ``rank_<position>`` holding "" (not ranked) or 1..n. Anything
else (an unknown candidate, a shared or skipped number) is refused with a plain message.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import QueryDict
from django.utils.translation import gettext

from omov.web.contests.models import Contest
from omov.web.contests.selectors import ballot_candidates, ballot_positions
from omov.web.errors import ContestError


def ranking_from_post(post: QueryDict, contest: Contest | int) -> list[int]:
    """The ranked positions, first preference first (``contest`` or its id)."""
    positions = ballot_positions(contest=contest)
    numbers: dict[int, int] = {}
    for field in post:
        if not field.startswith("rank_"):
            continue
        value = str(post.get(field) or "")
        try:
            position = int(field.removeprefix("rank_"))
        except ValueError:
            raise ContestError(
                gettext("the ranking names a candidate who is not on this ballot")
            ) from None
        if position not in positions:
            raise ContestError(gettext("the ranking names a candidate who is not on this ballot"))
        if value.strip() == "":
            continue
        if not _digits(value) or not 1 <= int(value) <= len(positions):
            raise ContestError(
                gettext("preferences are numbers from 1 to %(len_positions)s")
                % {"len_positions": len(positions)}
            )
        numbers[position] = int(value)
    order = sorted(numbers, key=numbers.__getitem__)
    for expected, position in enumerate(order, start=1):
        if numbers[position] != expected:
            names = {c.position: c.name for c in ballot_candidates(contest=contest)}
            shared = [names[p] for p in order if numbers[p] == numbers[position]]
            if len(shared) > 1:
                raise ContestError(
                    gettext("%(and_join_shared)s share preference %(numbers_position)s")
                    % {
                        "and_join_shared": " and ".join(shared),
                        "numbers_position": numbers[position],
                    }
                )
            raise ContestError(
                gettext("preference %(expected)s is missing: number your choices 1, 2, 3…")
                % {"expected": expected}
            )
    if not order:
        raise ContestError(gettext("rank at least one candidate: put 1 next to your first choice"))
    return order


def _digits(text: str) -> bool:
    """0-9 only: ``str.isdigit`` also takes digits ``int`` refuses (such as "²")."""
    return text.isascii() and text.isdigit()


@dataclass(frozen=True)
class PlainForm:
    """A ballot form that is well formed whatever the paper: ``ranking`` (positions, first
    preference first) and ``named``, every position the form has a field for, ranked or not.
    Whether those positions are on the paper is for the cast to check."""

    ranking: list[int]
    named: list[int]


def plain_form(post: QueryDict) -> PlainForm | None:
    """The form read without the ballot paper, or None if it has a mistake.

    A plain form's ranking is exactly what ``ranking_from_post`` returns once its positions
    are found on the paper; a form with a mistake needs the paper to say which mistake."""
    numbers: dict[int, int] = {}
    named: list[int] = []
    for field in post:
        if not field.startswith("rank_"):
            continue
        position, value = field.removeprefix("rank_"), str(post.get(field) or "")
        if not _digits(position) or not (_digits(value) or value.strip() == ""):
            return None
        named.append(int(position))
        if value.strip():
            numbers[int(position)] = int(value)
    order = sorted(numbers, key=numbers.__getitem__)
    if not order or [numbers[p] for p in order] != list(range(1, len(order) + 1)):
        return None
    return PlainForm(order, named)
