"""Cross-references of ``[hustings]``: the kind of unit that makes a region exists, and the
sections' minimum shares fit in the questions chosen."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from omov.rules.hustings.schema import GroupedBy
from omov.rules.local.references import undefined_names
from omov.rules.values import format_percent

if TYPE_CHECKING:
    from omov.rules.schema import Rulebook


def hustings_problems(book: Rulebook) -> Iterator[str]:
    hustings = book.hustings
    if hustings is None:
        return
    choice = hustings.choice
    if choice.grouped_by is GroupedBy.UNIT and choice.unit_kind is not None:
        kinds = book.local.units if book.local is not None else {}
        yield from undefined_names("hustings.choice.unit_kind", [choice.unit_kind], kinds)
    if choice.grouped_by is GroupedBy.SECTION:
        sections = voting_sections(book)
        if choice.minimum_share * len(sections) > 1:
            yield (
                f"hustings.choice.minimum_share: {len(sections)} sections at "
                f"{format_percent(choice.minimum_share)} each would take more than every question"
            )


def voting_sections(book: Rulebook) -> list[str]:
    """The sections whose electors vote in the contest: those who may take part."""
    voters = book.voting.voters if book.voting is not None else []
    return [slug for slug in voters if slug in book.sections]
