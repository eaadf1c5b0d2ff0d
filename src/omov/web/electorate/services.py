"""Importing rolls, vetting, appeals and freezing the electorate."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils.translation import gettext

from omov.web.audit.services import event_record
from omov.web.contests.models import Contest, ContestState
from omov.web.contests.services import contest_lock, contest_transition
from omov.web.electorate.models import (
    Appeal,
    AppealState,
    Elector,
    Eligibility,
    Exclusion,
    ExclusionState,
    RollUpload,
)
from omov.web.electorate.rolls import Decision, decide, roll_read, sections
from omov.web.errors import ContestError

EDITABLE = (ContestState.NOMINATIONS, ContestState.ELECTORATE)
KEPT = ("vetted", "appeal-upheld")
"""Decided by an officer outside the rolls (the one-officer path): a re-import keeps them."""
UPDATED = ["email", "identity_digest", "eligibility", "reason"]
"""What a re-import changes of an elector it keeps."""


def _in_force(contest: Contest) -> list[tuple[str, str, str]]:
    confirmed = Exclusion.objects.filter(
        elector__contest=contest, state=ExclusionState.CONFIRMED
    ).select_related("elector")
    return [(x.elector.section, x.elector.reference, str(x.pk)) for x in confirmed]


def _eligibility(decision: Decision) -> Eligibility:
    if decision.eligible:
        return Eligibility.ELIGIBLE
    if decision.reason == "excluded_by_vetting":
        return Eligibility.EXCLUDED
    return Eligibility.INELIGIBLE


@transaction.atomic
def roll_import(*, contest: Contest, section: str, data: bytes) -> int:
    """Import (or replace) one section's roll and re-decide every elector; all or nothing.

    Vetting decisions already taken (exclusions, upheld appeals) stand across re-imports."""
    contest = contest_lock(contest=contest, expected=EDITABLE)
    if section not in dict(sections(contest)):
        raise ContestError(
            gettext("no section %(section)s votes under this rulebook") % {"section": repr(section)}
        )
    roll_read(data, contest=contest, section=section)  # refuse a bad file before storing
    RollUpload.objects.update_or_create(contest=contest, section=section, defaults={"data": data})
    rolls = {r.section: bytes(r.data) for r in contest.rolls.all()}
    decisions = decide(rolls, contest=contest, exclusions=_in_force(contest), identify=True)
    existing = {(e.section, e.reference): e for e in contest.electors.all()}
    fresh, changed = [], []
    for d in decisions:
        elector = existing.pop((d.section, d.reference), None)
        eligibility = _eligibility(d)
        if elector is None:
            fresh.append(
                Elector(
                    contest=contest,
                    reference=d.reference,
                    email=d.email,
                    identity_digest=d.identity,
                    section=d.section,
                    eligibility=eligibility,
                    reason=d.reason,
                )
            )
        elif elector.reason not in KEPT:
            now = (d.email, d.identity, eligibility, d.reason)
            # Only the records the import changes are written: every other section's
            # records are re-decided too, and mostly stay as they were.
            if (elector.email, elector.identity_digest, elector.eligibility, elector.reason) != now:
                elector.email, elector.identity_digest, elector.eligibility, elector.reason = now
                changed.append(elector)
    gone = [e.pk for e in existing.values() if e.reason not in KEPT]
    contest.electors.filter(pk__in=gone).delete()
    # In batches: one UPDATE's CASE over every changed row costs each row a pass over the
    # CASE, the square of the rows (a third roll re-writing the 18,000 records of the two
    # before took 500 s of PostgreSQL's CPU).
    Elector.objects.bulk_update(changed, UPDATED, batch_size=1_000)
    Elector.objects.bulk_create(fresh)
    rows = sum(d.section == section for d in decisions)
    event_record(
        stream=contest.stream,
        kind="roll.imported",
        payload={
            "section": section,
            "rows": rows,
            "sha256": hashlib.sha256(data).hexdigest(),
            "eligible": sum(d.eligible for d in decisions),
            "electors": len(decisions),
        },
    )
    return rows


@transaction.atomic
def elector_exclude(*, elector: Elector, grounds: str) -> Elector:
    """Vetting: exclude an eligible elector, with grounds and evidence."""
    contest_lock(contest=elector.contest, expected=EDITABLE)
    elector = Elector.objects.select_for_update().get(pk=elector.pk)
    if elector.eligibility != Eligibility.ELIGIBLE:
        raise ContestError(
            gettext("%(reference)s is not eligible, so cannot be excluded")
            % {"reference": elector.reference}
        )
    if not grounds.strip():
        raise ContestError(gettext("an exclusion needs its grounds"))
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
        raise ContestError(
            gettext("%(reference)s is eligible: there is nothing to appeal")
            % {"reference": elector.reference}
        )
    if elector.appeals.filter(state=AppealState.LODGED).exists():
        raise ContestError(
            gettext("%(reference)s already has an appeal waiting")
            % {"reference": elector.reference}
        )
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
        raise ContestError(gettext("this appeal has already been decided"))
    if not reason.strip():
        raise ContestError(gettext("an appeal decision needs written reasons"))
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
        raise ContestError(gettext("decide the waiting appeals before freezing the electorate"))
    eligible = contest.electors.filter(eligibility=Eligibility.ELIGIBLE).count()
    if eligible == 0:
        raise ContestError(gettext("nobody is eligible: import a roll first"))
    return contest_transition(
        contest=contest,
        source=(ContestState.ELECTORATE,),
        target=ContestState.FROZEN,
        kind="electorate.frozen",
        payload={"eligible": eligible},
    )
