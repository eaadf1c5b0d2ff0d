"""The electorate (pure; Polars): who may vote in a contest, with a reason for every exclusion.

    from omov.electorate import LABOUR_2016, assess, exclusion_table, read_roll
    rolls = {"members": read_roll("members.csv", "members"), ...}   # section -> its roll
    table = exclusion_table(assess(rolls, LABOUR_2016, vetting=cases))

Modules: ``schema`` (the columns of each kind of roll), ``roll`` (import), ``criteria`` (the
interface a rulebook fills: any number of sections, each on a kind of roll), ``eligibility``
(reason codes), ``people`` (records of one person, linked), ``dedup`` (one person, one
ballot), ``vetting`` and ``appeals`` (state machines emitting ``events``), ``reports`` and
``synthetic`` (a 2016-shaped electorate with its ground truth).
"""

from omov.electorate.criteria import LABOUR_2016, EligibilityCriteria, SectionCriteria
from omov.electorate.dedup import EMAIL_AND_BIRTH, MEMBERSHIP_NUMBER, IdentityKey, deduplicate
from omov.electorate.eligibility import Assessment, Reason, assess
from omov.electorate.errors import CriteriaError, ElectorateError, RollError, TransitionError
from omov.electorate.events import Event
from omov.electorate.reports import Snapshot, exclusion_table, freeze_snapshot, personal_statement
from omov.electorate.roll import Roll, SkippedRow, read_roll
from omov.electorate.schema import RollKind

__all__ = [
    "EMAIL_AND_BIRTH",
    "LABOUR_2016",
    "MEMBERSHIP_NUMBER",
    "Assessment",
    "CriteriaError",
    "ElectorateError",
    "EligibilityCriteria",
    "Event",
    "IdentityKey",
    "Reason",
    "Roll",
    "RollError",
    "RollKind",
    "SectionCriteria",
    "SkippedRow",
    "Snapshot",
    "TransitionError",
    "assess",
    "deduplicate",
    "exclusion_table",
    "freeze_snapshot",
    "personal_statement",
    "read_roll",
]
