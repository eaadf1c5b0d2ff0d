"""Rolls and eligibility through the electorate package (``omov.electorate``).

The sections, the kind of roll each is kept on and its criteria come from the contest's
stored rulebook through the rules engine's adapter, with the dates set for the contest
(its timetable, and the freeze date where the rules let it be set). Each section has its
own roll; every import re-decides the whole electorate, because a person's records are
linked across sections. The web side keeps only what the contest needs per record:
reference, email, section, decision, reason, and the digest of the record's identity key
(``members/identity.py``) by which a registered supporter signed in is matched to it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.utils.translation import gettext

from omov.electorate.criteria import EligibilityCriteria
from omov.electorate.dedup import EMAIL_AND_BIRTH
from omov.electorate.eligibility import assess
from omov.electorate.errors import ElectorateError
from omov.electorate.roll import Roll, read_roll_bytes
from omov.electorate.schema import schema_for, template_csv
from omov.rules import RulesError
from omov.rules.contest import Contest as EngineContest
from omov.rules.for_electorate import electorate_criteria
from omov.web.contests.engine import engine_run
from omov.web.contests.models import Contest
from omov.web.contests.rulebooks import stored_book
from omov.web.errors import ContestError
from omov.web.members.identity import identity_digests


@dataclass(frozen=True)
class Decision:
    reference: str
    email: str
    section: str
    eligible: bool
    reason: str
    identity: str = ""
    """The digest of the record's identity key; empty when not asked for, or when the
    record has no email or no date of birth."""


def engine_contest(contest: Contest) -> EngineContest:
    """The contest as the engine leaves it: the dates set for it among the rest."""
    return engine_run(contest)


def criteria_for(contest: Contest) -> EligibilityCriteria:
    """The electorate's criteria as the contest's stored rulebook sets them (the rules
    engine's adapter) with the contest's dates, so a later release's shipped file changes
    no one's eligibility."""
    try:
        return electorate_criteria(stored_book(contest.rulebook.typed), engine_contest(contest))
    except RulesError as error:
        key = contest.rulebook.key
        raise ContestError(
            gettext("no eligibility criteria from %(key)s: %(error)s")
            % {"key": key, "error": error}
        ) from None


def sections(contest: Contest) -> list[tuple[str, str]]:
    """Each section that votes, with the columns of its roll."""
    book = stored_book(contest.rulebook.typed)
    return [
        (name, ",".join(schema_for(book.sections[name].roll.value).names))
        for name in criteria_for(contest).names
    ]


def section_template(contest: Contest, section: str) -> str:
    """The CSV template of one section's roll (its header and one example row), as the
    contest's stored rulebook sets the section's kind of roll."""
    book = stored_book(contest.rulebook.typed)
    if section not in criteria_for(contest).names:
        known = ", ".join(criteria_for(contest).names)
        raise ContestError(
            gettext("no section %(section)s votes under this rulebook; its sections: %(known)s")
            % {"section": repr(section), "known": known}
        )
    return template_csv(book.sections[section].roll.value)


def dates_used(contest: Contest) -> list[str]:
    """Every date an eligibility check uses, one line each, with where it came from (the
    rulebook, or the date set for this contest)."""
    return [used.line() for used in criteria_for(contest).dates_used()]


def roll_read(data: bytes, *, contest: Contest, section: str) -> Roll:
    """Read one section's roll; a bad row refuses the whole file with its line number."""
    book = stored_book(contest.rulebook.typed)
    if section not in book.sections:
        known = ", ".join(book.sections)
        raise ContestError(
            gettext("this rulebook has no section %(section)s; its sections: %(known)s")
            % {"section": repr(section), "known": known}
        )
    try:
        return read_roll_bytes(data, book.sections[section].roll.value, name=f"{section} roll")
    except ElectorateError as error:
        raise ContestError(str(error)) from None


def decide(
    rolls: dict[str, bytes],
    *,
    contest: Contest,
    exclusions: Sequence[tuple[str, str, str]] = (),
    identify: bool = False,
) -> list[Decision]:
    """Every record of every section's roll, with its eligibility decision and reason code.

    ``exclusions``: vetting exclusions in force, as (section, reference, decision); the
    electorate package applies each to the person, on every record of theirs. ``identify``:
    with each record's identity digest too (an import stores them; a re-decision after
    vetting changes no one's identity, so it does not pay for them)."""
    read = {name: roll_read(data, contest=contest, section=name) for name, data in rolls.items()}
    given = pl.DataFrame(
        list(exclusions), schema=["section", "record_id", "decision"], orient="row"
    )
    assessment = assess(read, criteria_for(contest), exclusions=given)
    emails: dict[tuple[str, str], tuple[str, str]] = {}
    for name, roll in read.items():
        references, addresses = _columns(roll.frame, schema_for(roll.kind).record_id, "email")
        digests = identities(roll) if identify else itertools.repeat("", len(references))
        for reference, email, digest in zip(references, addresses, digests, strict=True):
            emails[(name, reference)] = (str(email or ""), digest)
    decisions = []
    # Column lists, not a dict a row (iter_rows(named=True)): every import and every
    # vetting confirmation re-decides the whole electorate, 500,000 rows at Labour's scale.
    for section, reference, reason in zip(
        *_columns(assessment.records, "section", "record_id", "reason"), strict=True
    ):
        email, identity = emails[(section, reference)]
        decisions.append(
            Decision(reference, email, section, reason is None, reason or "eligible", identity)
        )
    return decisions


def identities(roll: Roll) -> list[str]:
    """The digest of each record's identity key (email and date of birth, normalised as the
    electorate package links a person's records: ``EMAIL_AND_BIRTH``), in the roll's order;
    empty for a record without one. The keys are built by Polars over the whole column; only
    the HMAC is done a record at a time."""
    keys = roll.frame.select(EMAIL_AND_BIRTH.expr()).to_series()
    return identity_digests(keys.to_list())


def _columns(frame: pl.DataFrame, *names: str) -> list[list[Any]]:
    """``names``' columns of ``frame`` as Python lists, each as text (a reference typed as
    a number reads as ``str`` would write it), the last as it is."""
    *texts, last = names
    return [frame.get_column(n).cast(pl.String).to_list() for n in texts] + [
        frame.get_column(last).to_list()
    ]
