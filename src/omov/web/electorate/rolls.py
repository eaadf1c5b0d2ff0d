"""Rolls and eligibility through the electorate package (``omov.electorate``).

The criteria come from the contest's stored rulebook through the rules engine's adapter.
Each section has its own roll (the electorate package's column schemas); every import
re-decides the whole electorate, because de-duplication looks across sections. The web side
keeps only what the contest needs per record: reference, email, section, decision, reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from omov.electorate.criteria import EligibilityCriteria
from omov.electorate.eligibility import assess
from omov.electorate.errors import ElectorateError
from omov.electorate.roll import Roll, read_roll_bytes
from omov.electorate.schema import Section, schema_for
from omov.rules import RulesError
from omov.rules.for_electorate import electorate_criteria
from omov.web.contests.rulebooks import Facts, stored_book
from omov.web.errors import ContestError

SECTION_OF = {
    "members": Section.MEMBERS,
    "registered-supporters": Section.SUPPORTERS,
    "affiliated-supporters": Section.AFFILIATES,
}
"""Rulebook section slug -> the electorate package's section."""


@dataclass(frozen=True)
class Decision:
    reference: str
    email: str
    section: str
    eligible: bool
    reason: str


def criteria_for(facts: Facts) -> EligibilityCriteria:
    """The electorate's criteria as the contest's stored rulebook sets them (the rules
    engine's adapter), so a later release's shipped file changes no one's eligibility."""
    try:
        return electorate_criteria(stored_book(facts))
    except RulesError as error:
        key = facts.get("key", "the rulebook")
        raise ContestError(f"no eligibility criteria from {key}: {error}") from None


def roll_columns(section: str) -> str:
    return ",".join(schema_for(SECTION_OF[section]).names)


def roll_read(data: bytes, *, section: str) -> Roll:
    """Read one section's roll; a bad row refuses the whole file with its line number."""
    if section not in SECTION_OF:
        raise ContestError(f"unknown section {section!r}; known: {', '.join(SECTION_OF)}")
    try:
        return read_roll_bytes(data, SECTION_OF[section], name=f"{section} roll")
    except ElectorateError as error:
        raise ContestError(str(error)) from None


def decide(rolls: dict[str, bytes], *, facts: Facts) -> list[Decision]:
    """Every record of every section's roll, with its eligibility decision and reason code."""
    read = {slug: roll_read(data, section=slug) for slug, data in rolls.items()}
    slug_of = {SECTION_OF[slug].value: slug for slug in read}
    assessment = assess({SECTION_OF[s]: r for s, r in read.items()}, criteria_for(facts))
    emails = {
        (slug, str(row[0])): str(row[1] or "")
        for slug, roll in read.items()
        for row in roll.frame.select(schema_for(roll.section).record_id, "email").iter_rows()
    }
    decisions = []
    for record in assessment.records.iter_rows(named=True):
        slug = slug_of[record["section"]]
        reference = str(record["record_id"])
        reason = record["reason"]
        decisions.append(
            Decision(
                reference, emails[(slug, reference)], slug, reason is None, reason or "eligible"
            )
        )
    return decisions
