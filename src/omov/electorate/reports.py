"""What the electorate decisions look like to the public, to one person, and to the ballot.

- :func:`exclusion_table`: records per reason and section, the table a party could publish.
  Each record is counted once, under its first reason, so every column adds up to its roll.
- :func:`personal_statement`: one person's decisions in plain words and how to appeal them.
- :func:`freeze_snapshot`: the electorate as it stood at the start of the ballot-issue date,
  with a digest a ledger can commit to; decisions made later do not change it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time

import polars as pl

from omov.electorate.appeals import Appeal, appeal_deadline
from omov.electorate.criteria import EligibilityCriteria, SectionCriteria
from omov.electorate.dedup import EMAIL_AND_BIRTH, IdentityKey
from omov.electorate.eligibility import ORDER, Assessment, Reason, assess, reasons_of
from omov.electorate.errors import ElectorateError
from omov.electorate.roll import Roll
from omov.electorate.vetting import VettingCase

ELIGIBLE = "eligible"
TOTAL = "total"

EXPLANATIONS: dict[Reason, str] = {
    Reason.JOINED_AFTER_FREEZE: "your membership began after {freeze}, the date by which "
    "members had to have joined",
    Reason.LAPSED: "your membership had lapsed",
    Reason.APPLIED_OUTSIDE_WINDOW: "your application was not made between {opens} and {closes}",
    Reason.SIGNED_UP_AFTER_DEADLINE: "you signed up after the deadline, {deadline}",
    Reason.JOINED_AFFILIATE_AFTER_FREEZE: (
        "your affiliate reports that you joined it after {affiliate_by}, the date by which "
        "affiliated supporters had to be its members"
    ),
    Reason.PAYMENT_FAILED: "the payment of the £{fee} fee did not go through",
    Reason.UNDER_AGE: "you were under {age} on {age_on}",
    Reason.NOT_ON_REGISTER: "we could not match you to the electoral register",
    Reason.EXPELLED: "you have been expelled",
    Reason.SUSPENDED: "your membership is suspended",
    Reason.IN_ARREARS: "your subscriptions are in arrears",
    Reason.EXCLUDED_BY_VETTING: "you were excluded by vetting decision {decision}",
    Reason.DUPLICATE: "you are already on the electorate as {keeper}, which has your one vote",
}


def exclusion_table(assessment: Assessment) -> pl.DataFrame:
    """One row per reason (every reason, zero or not), then ``eligible`` and ``total``."""
    sections = list(assessment.criteria.names)
    counts = (
        assessment.records.with_columns(pl.col("reason").fill_null(ELIGIBLE))
        .group_by("reason", "section")
        .len()
    )
    labels = [*(reason.value for reason in ORDER), ELIGIBLE]
    table = pl.DataFrame({"reason": labels})
    for section in sections:
        mine = counts.filter(pl.col("section") == section).select(
            "reason", pl.col("len").cast(pl.Int64).alias(section)
        )
        table = table.join(mine, on="reason", how="left", maintain_order="left")
    table = table.with_columns(pl.col(sections).fill_null(0))
    table = table.with_columns(pl.sum_horizontal(sections).alias(TOTAL))
    totals = table.select(pl.lit(TOTAL).alias("reason"), pl.exclude("reason").sum())
    return pl.concat([table, totals], how="vertical")


@dataclass(frozen=True, slots=True)
class Statement:
    """What one person is told: the outcome, every reason, and how and by when to appeal."""

    section: str
    record_id: str
    eligible: bool
    lines: tuple[str, ...]
    appeal_by: datetime | None

    def text(self) -> str:
        return "\n".join(self.lines)


def personal_statement(
    assessment: Assessment,
    section: str,
    record_id: str,
    *,
    vetting: Iterable[VettingCase] = (),
    appeals: Iterable[Appeal] = (),
) -> Statement:
    """One person's decisions in plain words; ``vetting`` and ``appeals`` add their history."""
    record = assessment.record(section, record_id)
    if record is None:
        raise ElectorateError(f"no record {record_id!r} on the {section} roll")
    criteria = assessment.criteria.section(section)
    reasons = reasons_of(int(str(record["failed"])))
    head = f"{section} record {record_id}: "
    if not reasons:
        line = head + "you are on the electorate and will receive a ballot."
        return Statement(section, record_id, True, (line,), None)
    decision = record["decision"]
    case = next((c for c in vetting if c.decision == decision), None)
    lines = [head + "you will not receive a ballot in this section, because:"]
    lines += [f"- {_explain(reason, record, criteria)}" for reason in reasons]
    if record["via"]:
        found = str(record["via"]).replace(":", " record ")
        lines.append(f"  this is about you, not one record: it was found on your {found}")
    if case is not None and case.grounds is not None:
        lines.append(f"  ground {case.grounds.code}: {case.grounds.statement}")
    if reasons == [Reason.DUPLICATE]:
        return Statement(section, record_id, False, tuple(lines), None)
    decided = (case.excluded_at() if case else None) or assessment.as_of
    by = appeal_deadline(decided, assessment.criteria.appeal_days)
    reference = decision if isinstance(decision, str) else f"{section}:{record_id}"
    lines.append(f"You may appeal until {by:%d %B %Y %H:%M}, quoting {reference}.")
    lines += [
        f"Your appeal {a.appeal_id} is {a.state.value.replace('_', ' ')}."
        for a in appeals
        if a.decision == reference
    ]
    return Statement(section, record_id, False, tuple(lines), by)


def _day(value: object) -> str:
    return f"{value:%d %B %Y}" if value is not None else "the date the rules set"


def _explain(reason: Reason, record: Mapping[str, object], section: SectionCriteria) -> str:
    opens, closes = section.window_opens, section.window_closes
    return EXPLANATIONS[reason].format(
        freeze=_day(section.joined_by),
        opens=f"{opens:%d %B %Y %H:%M}" if opens else "the opening of applications",
        closes=f"{closes:%d %B %Y %H:%M}" if closes else "the close of applications",
        deadline=_day(section.signed_up_by),
        affiliate_by=_day(section.affiliate_member_by),
        fee=f"{(section.fee_pence or 0) / 100:.2f}",
        age=section.minimum_age,
        age_on=_day(section.age_on),
        decision=record["decision"],
        keeper=str(record["duplicate_of"]).replace(":", " record "),
    )


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The electorate frozen at a moment: who gets a ballot, counts, and a digest of the list."""

    as_of: datetime
    electors: pl.DataFrame
    per_section: tuple[tuple[str, int], ...]
    digest: str

    def __len__(self) -> int:
        return self.electors.height


def freeze_snapshot(
    rolls: Mapping[str, Roll | pl.DataFrame],
    criteria: EligibilityCriteria,
    *,
    vetting: Iterable[VettingCase] = (),
    identity: IdentityKey = EMAIL_AND_BIRTH,
) -> Snapshot:
    """Assess with vetting as it stood when the ballot-issue date began, and freeze the result."""
    moment = datetime.combine(criteria.ballot_issue_date, time.min)
    return snapshot(assess(rolls, criteria, vetting=vetting, as_of=moment, identity=identity))


def snapshot(assessment: Assessment) -> Snapshot:
    """Freeze an assessment's eligible records, sorted, with a SHA-256 digest of the list."""
    electors = assessment.eligible().select("section", "record_id").sort("section", "record_id")
    lines = electors.select(pl.concat_str("section", "record_id", separator=":"))
    digest = hashlib.sha256("\n".join(lines.to_series().to_list()).encode()).hexdigest()
    counts = electors.group_by("section").len().sort("section")
    per_section = tuple((str(s), int(n)) for s, n in counts.iter_rows())
    return Snapshot(assessment.as_of, electors, per_section, digest)
