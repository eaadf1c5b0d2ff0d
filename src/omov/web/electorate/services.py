"""Importing rolls, vetting, appeals and freezing the electorate."""

from __future__ import annotations

from django.db import transaction

from omov.web.audit.services import event_record
from omov.web.contests.models import Contest, ContestState
from omov.web.contests.services import contest_lock, contest_transition
from omov.web.electorate.models import Appeal, AppealState, Elector, Eligibility
from omov.web.electorate.rolls import roll_rows
from omov.web.errors import ContestError

EDITABLE = (ContestState.NOMINATIONS, ContestState.ELECTORATE)


@transaction.atomic
def roll_import(*, contest: Contest, text: str) -> int:
    """Add the electors of a roll CSV, each with its eligibility decision; all or nothing."""
    contest = contest_lock(contest=contest, expected=EDITABLE)
    rows = roll_rows(
        text, sections=contest.rulebook.facts["sections"], freeze_date=contest.freeze_date
    )
    known = set(contest.electors.values_list("reference", flat=True))
    again = [row.reference for row in rows if row.reference in known]
    if again:
        raise ContestError(f"roll: {len(again)} reference(s) already on the roll, e.g. {again[0]}")
    Elector.objects.bulk_create(
        Elector(
            contest=contest,
            reference=row.reference,
            name=row.name,
            email=row.email,
            section=row.section,
            joined_on=row.joined_on,
            eligibility=Eligibility.ELIGIBLE if row.eligible else Eligibility.INELIGIBLE,
            reason=row.reason,
        )
        for row in rows
    )
    event_record(
        stream=contest.stream,
        kind="roll.imported",
        payload={"rows": len(rows), "eligible": sum(row.eligible for row in rows)},
    )
    return len(rows)


@transaction.atomic
def elector_exclude(*, elector: Elector, grounds: str) -> Elector:
    """Vetting: exclude an eligible elector, with grounds and evidence."""
    contest_lock(contest=elector.contest, expected=EDITABLE)
    elector = Elector.objects.select_for_update().get(pk=elector.pk)
    if elector.eligibility != Eligibility.ELIGIBLE:
        raise ContestError(f"{elector.reference} is not eligible, so cannot be excluded")
    if not grounds.strip():
        raise ContestError("an exclusion needs its grounds")
    elector.eligibility, elector.reason, elector.grounds = Eligibility.EXCLUDED, "vetted", grounds
    elector.save(update_fields=["eligibility", "reason", "grounds"])
    event_record(
        stream=elector.contest.stream,
        kind="elector.excluded",
        payload={"reference": elector.reference, "grounds": grounds},
    )
    return elector


@transaction.atomic
def appeal_lodge(*, elector: Elector, grounds: str) -> Appeal:
    contest_lock(contest=elector.contest, expected=EDITABLE)
    if elector.eligibility == Eligibility.ELIGIBLE:
        raise ContestError(f"{elector.reference} is eligible: there is nothing to appeal")
    if elector.appeals.filter(state=AppealState.LODGED).exists():
        raise ContestError(f"{elector.reference} already has an appeal waiting")
    appeal = Appeal.objects.create(elector=elector, grounds=grounds)
    event_record(
        stream=elector.contest.stream,
        kind="appeal.lodged",
        payload={"reference": elector.reference, "grounds": grounds},
    )
    return appeal


@transaction.atomic
def appeal_decide(*, appeal: Appeal, uphold: bool, reason: str) -> Appeal:
    """Uphold (the elector's vote is restored) or dismiss an appeal."""
    elector = appeal.elector
    contest_lock(contest=elector.contest, expected=EDITABLE)
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.state != AppealState.LODGED:
        raise ContestError("this appeal has already been decided")
    appeal.state = AppealState.UPHELD if uphold else AppealState.DISMISSED
    appeal.decision_reason = reason
    appeal.save(update_fields=["state", "decision_reason"])
    if uphold:
        Elector.objects.filter(pk=elector.pk).update(
            eligibility=Eligibility.ELIGIBLE, reason="appeal-upheld"
        )
    event_record(
        stream=elector.contest.stream,
        kind="appeal.upheld" if uphold else "appeal.dismissed",
        payload={"reference": elector.reference, "reason": reason},
    )
    return appeal


@transaction.atomic
def electorate_freeze(*, contest: Contest) -> Contest:
    """Freeze the electorate: no more rolls, vetting or appeals; credentials can be issued."""
    contest = contest_lock(contest=contest, expected=(ContestState.ELECTORATE,))
    if contest.electors.filter(appeals__state=AppealState.LODGED).exists():
        raise ContestError("decide the waiting appeals before freezing the electorate")
    eligible = contest.electors.filter(eligibility=Eligibility.ELIGIBLE).count()
    if eligible == 0:
        raise ContestError("nobody is eligible: import a roll first")
    return contest_transition(
        contest=contest,
        source=(ContestState.ELECTORATE,),
        target=ContestState.FROZEN,
        kind="electorate.frozen",
        payload={"eligible": eligible},
    )
