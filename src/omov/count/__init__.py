"""The count core: ballot sets, counting methods and count reports. Pure: NumPy only.

from omov.count import BallotSet, count
report = count(ballots, method="irv")
"""

from omov.count.ballots import BallotPolicy, BallotSet, DuplicateRule, Inactive, OvervoteRule
from omov.count.errors import BallotError, BallotFileError, CountError, MethodError
from omov.count.methods import METHODS, count
from omov.count.options import CountOptions, Quota, TieBreakMode
from omov.count.report import CountReport, Round, SectionFigures, TieBreak, Transfer

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
