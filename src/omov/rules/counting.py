"""From a rulebook to the count core: which method, how many seats, which options."""

from __future__ import annotations

from omov.count.catalogue import CATALOGUE
from omov.count.options import CountOptions
from omov.rules.errors import RulebookError
from omov.rules.schema import Rulebook, Shortlist, Voting


def known_methods() -> frozenset[str]:
    """The count core's methods, which a rulebook may name (read from the catalogue, so
    checking a rulebook loads no counting code)."""
    return frozenset(CATALOGUE)


def count_setup(rulebook: Rulebook, *, stage: str = "ballot") -> tuple[str, int, CountOptions]:
    """(method, seats, options) for ``omov.count.count`` from a rulebook.

    ``stage`` is "ballot" (the electorate's ballot) or "shortlist" (the MPs' rounds of a
    two-stage contest).
    """
    if stage == "shortlist":
        if rulebook.shortlist is None:
            raise RulebookError(f"{rulebook.id} has no shortlist stage")
        return _shortlist_setup(rulebook.shortlist)
    if stage != "ballot":
        raise RulebookError(f"unknown stage {stage!r}; known: ballot, shortlist")
    if rulebook.voting is None:
        raise RulebookError(f"{rulebook.id} has no [voting] table")
    return _ballot_setup(rulebook.voting)


def _ballot_setup(voting: Voting) -> tuple[str, int, CountOptions]:
    options = CountOptions(
        tie_break=voting.tie_break,
        seed=voting.seed,
        batch_elimination=voting.batch_elimination,
        continue_until_two=voting.continue_until_two,
        quota=voting.quota,
        whole_threshold=voting.whole_threshold,
        decimals=voting.decimals,
        minimum_votes=dict(voting.minimum_votes),
        section_weights=dict(voting.college_weights),
    )
    return voting.method, voting.seats, options


def _shortlist_setup(shortlist: Shortlist) -> tuple[str, int, CountOptions]:
    options = CountOptions(minimum_votes=dict(shortlist.minimum_votes))
    return shortlist.method, 1, options
