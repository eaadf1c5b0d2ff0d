"""Counting methods, one registry, one signature.

Each method module registers a function ``(ballots, *, seats, options) -> CountReport``
with ``@register``; ``count`` looks it up by name. Importing this package imports every
method module, so ``METHODS`` always lists them all (tests loop over it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from omov.count.ballots import BallotSet
from omov.count.equal import EqualRankings, read_for
from omov.count.errors import MethodError
from omov.count.options import CountOptions
from omov.count.report import CountReport

CountFunction = Callable[..., CountReport]


@dataclass(frozen=True)
class Method:
    name: str
    description: str
    run: CountFunction
    multi_seat: bool
    """False: the method fills one seat only."""
    needs_sections: bool = False
    overvote_groups: bool = False
    """True: the method reads overvote groups (the exhaust-if-multiple-continuing rule)."""
    equal_rankings: EqualRankings = EqualRankings.OVERVOTE
    """What a paper that ranks candidates equal means under the method's rule
    (``omov.count.equal``)."""


METHODS: dict[str, Method] = {}


def register(
    name: str,
    *,
    description: str,
    multi_seat: bool,
    needs_sections: bool = False,
    overvote_groups: bool = False,
    equal_rankings: EqualRankings = EqualRankings.OVERVOTE,
) -> Callable[[CountFunction], CountFunction]:
    def decorate(run: CountFunction) -> CountFunction:
        METHODS[name] = Method(
            name, description, run, multi_seat, needs_sections, overvote_groups, equal_rankings
        )
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


# Importing the method modules registers them.
from omov.count.methods import college as college  # noqa: E402
from omov.count.methods import exhaustive as exhaustive  # noqa: E402
from omov.count.methods import fptp  # noqa: E402
from omov.count.methods import irv as irv  # noqa: E402
from omov.count.methods import stv_ers97 as stv_ers97  # noqa: E402
from omov.count.methods import stv_meek as stv_meek  # noqa: E402
from omov.count.methods import stv_scottish as stv_scottish  # noqa: E402
from omov.count.methods import wigm as wigm  # noqa: E402

__all__ = ["METHODS", "EqualRankings", "Method", "count", "fptp", "register"]
