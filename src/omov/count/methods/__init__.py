"""Counting methods, one registry, one signature.

Each method module registers a function ``(ballots, *, seats, options) -> CountReport``
with ``@register`` under its name in the catalogue (``omov.count.catalogue``, which says
what the method is and needs); ``count`` looks it up by name. A method's module is
imported when the method is first looked up (``HOMES``), not with this package: a count
by one method loads no other (a command-line count of a file is a process of its own,
which would spend more time importing every method than counting). ``METHODS`` lists
them all, importing each when it is read (tests loop over it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from omov.count.ballots import BallotSet
from omov.count.catalogue import CATALOGUE, EqualRankings, MethodInfo
from omov.count.equal import read_for
from omov.count.errors import MethodError
from omov.count.lazy import LazyRegistry
from omov.count.options import CountOptions
from omov.count.report import CountReport

CountFunction = Callable[..., CountReport]


@dataclass(frozen=True)
class Method:
    """A method of the catalogue (``omov.count.catalogue``) and the function that runs it."""

    info: MethodInfo
    run: CountFunction

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def description(self) -> str:
        return self.info.description

    @property
    def multi_seat(self) -> bool:
        return self.info.multi_seat

    @property
    def needs_sections(self) -> bool:
        return self.info.needs_sections

    @property
    def overvote_groups(self) -> bool:
        return self.info.overvote_groups

    @property
    def equal_rankings(self) -> EqualRankings:
        return self.info.equal_rankings


HOMES: dict[str, str] = {
    "irv": "irv",
    "fptp": "fptp",
    "exhaustive": "exhaustive",
    "college": "college",
    "scottish-stv": "stv_scottish",
    "ers97": "stv_ers97",
    "meek": "stv_meek",
    "wigm": "wigm",
    "wigm-one-per-round": "wigm",
    "wigm-bottoms-up": "wigm",
}
"""Method name -> the module of ``omov.count.methods`` that registers it (the catalogue's
names, in its order: ``tests/count/test_catalogue.py`` checks they are the same)."""


_REGISTRY: LazyRegistry[Method] = LazyRegistry(__name__, HOMES)
METHODS: Mapping[str, Method] = _REGISTRY


def register(name: str) -> Callable[[CountFunction], CountFunction]:
    """Register the function that runs the catalogue's method ``name``."""
    info = CATALOGUE.get(name)
    if info is None:
        raise MethodError(f"{name!r} is not in omov.count.catalogue; list it there first")
    if name not in HOMES:
        raise MethodError(f"{name!r} is not in omov.count.methods.HOMES; list it there first")

    def decorate(run: CountFunction) -> CountFunction:
        _REGISTRY.registered[name] = Method(info, run)
        return run

    return decorate


def count(
    ballots: BallotSet, *, method: str, seats: int = 1, options: CountOptions | None = None
) -> CountReport:
    """Count ``ballots`` by ``method`` for ``seats`` seats."""
    chosen = METHODS.get(method)
    if chosen is None:
        known = ", ".join(sorted(METHODS))
        raise MethodError(f"unknown counting method {method!r}; known: {known}")
    if seats < 1:
        raise MethodError(f"seats must be at least 1, not {seats}")
    if seats > 1 and not chosen.multi_seat:
        raise MethodError(f"{method} fills one seat; {seats} were asked for")
    running = ballots.n_candidates - len(ballots.withdrawn)
    if seats > running:
        raise MethodError(f"{seats} seats but only {running} candidates stand")
    if chosen.needs_sections and not ballots.section_names:
        raise MethodError(f"{method} needs ballots labelled with their electorate section")
    ballots, note = read_for(ballots, method, chosen.equal_rankings)
    if ballots.overvote_groups and not chosen.overvote_groups:
        raise MethodError(
            f"{method} does not support the exhaust-if-multiple-continuing overvote rule; "
            "read the ballots with overvote 'exhaust' or 'skip'"
        )
    report = chosen.run(ballots, seats=seats, options=options or CountOptions())
    return replace(report, notes=(note, *report.notes)) if note else report


__all__ = ["HOMES", "METHODS", "EqualRankings", "Method", "count", "register"]
