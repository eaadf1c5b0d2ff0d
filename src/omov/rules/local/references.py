"""Cross-references of ``[local]``: every kind of unit, body and method a local rule names
must exist."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from omov.rules.local.schema import Effect

if TYPE_CHECKING:
    from omov.rules.schema import Rulebook


def local_problems(book: Rulebook) -> Iterator[str]:
    local = book.local
    if local is None:
        return
    kinds = set(local.units)
    for name, unit in local.units.items():
        if unit.within is not None:
            yield from undefined_names(f"local.units.{name}.within", [unit.within], kinds)
        if unit.body is not None:
            yield from undefined_names(f"local.units.{name}.body", [unit.body], book.bodies)
    seen: set[str] = set()
    for i, motion in enumerate(local.motions):
        if motion.kind in seen:
            yield f"local.motions[{i}]: kind {motion.kind!r} is given twice"
        seen.add(motion.kind)
        movers = kinds | (set(book.bodies) if motion.carried_by == "letter" else set())
        yield from undefined_names(f"local.motions[{i}].units", motion.units, movers)
        if motion.body is not None:
            yield from undefined_names(f"local.motions[{i}].body", [motion.body], book.bodies)
        counting = motion.effect is Effect.COUNTS_TOWARD and motion.body in book.bodies
        if counting and book.bodies[str(motion.body)].size is None:
            yield f"local.motions[{i}]: a share of {motion.body!r} needs the body's size"
    ballot = local.trigger_ballot
    if ballot is not None:
        path = "local.trigger_ballot"
        yield from undefined_names(f"{path}.party_units", [ballot.party_units], kinds)
        yield from undefined_names(f"{path}.affiliated_units", [ballot.affiliated_units], kinds)
        from omov.rules.counting import known_methods

        if ballot.selection_method not in known_methods():
            yield f"{path}.selection_method: the count core has no {ballot.selection_method!r}"


def undefined_names(path: str, names: Iterable[str], known: Iterable[str]) -> Iterator[str]:
    """A problem for each of ``names`` not among ``known`` (one wording for the whole rulebook)."""
    have = set(known)
    for name in names:
        if name not in have:
            listed = ", ".join(sorted(have)) or "none defined"
            yield f"{path}: {name!r} is not defined (known: {listed})"
