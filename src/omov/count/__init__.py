"""The count core: ballot sets, counting methods and count reports. Pure: NumPy only.

from omov.count import BallotSet, count
report = count(ballots, method="irv")

The names below are imported when first used, so that importing a light module of the
package (``omov.count.catalogue``, ``options``, ``policy``, ``errors``) does not load
NumPy: ``omov --help``, ``omov count --help`` and ``omov rules`` read those alone.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from omov.count.ballots import BallotSet
    from omov.count.errors import BallotError, BallotFileError, CountError, MethodError
    from omov.count.methods import METHODS, count
    from omov.count.options import CountOptions, Quota, TieBreakMode
    from omov.count.policy import BallotPolicy, DuplicateRule, Inactive, OvervoteRule
    from omov.count.report import CountReport, Round, SectionFigures, TieBreak, Transfer

_HOMES = {
    "omov.count.ballots": ("BallotSet",),
    "omov.count.errors": ("BallotError", "BallotFileError", "CountError", "MethodError"),
    "omov.count.methods": ("METHODS", "count"),
    "omov.count.options": ("CountOptions", "Quota", "TieBreakMode"),
    "omov.count.policy": ("BallotPolicy", "DuplicateRule", "Inactive", "OvervoteRule"),
    "omov.count.report": ("CountReport", "Round", "SectionFigures", "TieBreak", "Transfer"),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'omov.count' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


__all__ = [
    "METHODS",
    "BallotError",
    "BallotFileError",
    "BallotPolicy",
    "BallotSet",
    "CountError",
    "CountOptions",
    "CountReport",
    "DuplicateRule",
    "Inactive",
    "MethodError",
    "OvervoteRule",
    "Quota",
    "Round",
    "SectionFigures",
    "TieBreak",
    "TieBreakMode",
    "Transfer",
    "count",
]
