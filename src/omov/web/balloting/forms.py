"""Reading a ranking from the numbered select boxes of the ballot form.

Each candidate has a field ``rank_<position>`` holding "" (not ranked) or 1..n. Anything
else (an unknown candidate, a shared or skipped number) is refused with a plain message.
"""

from __future__ import annotations

from collections.abc import Collection

from django.http import QueryDict

from omov.web.contests.models import Contest
from omov.web.contests.selectors import ballot_candidates, ballot_positions
from omov.web.errors import ContestError


def ranking_from_post(
    post: QueryDict, contest: Contest | int, positions: Collection[int] | None = None
) -> list[int]:
    """The ranked positions, first preference first; ``positions`` are the paper's, if the
    caller has read them already (``contest`` may then be just its id)."""
    if positions is None:
        positions = ballot_positions(contest=contest)
    numbers: dict[int, int] = {}
    for field in post:
        if not field.startswith("rank_"):
            continue
        value = str(post.get(field) or "")
        try:
            position = int(field.removeprefix("rank_"))
        except ValueError:
            raise ContestError("the ranking names a candidate who is not on this ballot") from None
        if position not in positions:
            raise ContestError("the ranking names a candidate who is not on this ballot")
        if value.strip() == "":
            continue
        if not value.isdigit() or not 1 <= int(value) <= len(positions):
            raise ContestError(f"preferences are numbers from 1 to {len(positions)}")
        numbers[position] = int(value)
    order = sorted(numbers, key=numbers.__getitem__)
    for expected, position in enumerate(order, start=1):
        if numbers[position] != expected:
            names = {c.position: c.name for c in ballot_candidates(contest=contest)}
            shared = [names[p] for p in order if numbers[p] == numbers[position]]
            if len(shared) > 1:
                raise ContestError(f"{' and '.join(shared)} share preference {numbers[position]}")
            raise ContestError(f"preference {expected} is missing: number your choices 1, 2, 3…")
    if not order:
        raise ContestError("rank at least one candidate: put 1 next to your first choice")
    return order
