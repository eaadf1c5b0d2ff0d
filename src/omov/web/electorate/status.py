"""A member's own status in a contest, found by their voting code, or by their membership
when they have signed in with the link emailed to them (``omov.web.members``): eligible,
not eligible (the reason in plain words), or excluded on vetting (the ground's statement
and the rulebook's appeal deadline), and their appeal, lodged online to the appeals panel.

The code is checked under the sign-in's throttle and counts (``balloting/throttle.py``): a
wrong code here is a wrong code there. Only the person's own status is shown: never the
evidence note, nor any other record (not even another record of theirs, whose exclusion may
be the one that excludes this one: only its ground is told).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from omov.web.balloting import throttle
from omov.web.balloting.codes import code_digest
from omov.web.balloting.models import Credential
from omov.web.contests.models import Contest
from omov.web.electorate.models import Appeal, AppealState, Elector, Eligibility, Exclusion
from omov.web.electorate.vetting import (
    VETTING,
    appeal_deadline,
    exclusion_appeal,
    exclusion_in_force,
    vetting_rules,
)
from omov.web.errors import ContestError
from omov.web.members.models import Member
from omov.web.wording import member_reason, when

NOT_VALID = "this code is not valid for this ballot: check it and try again"
REPLACED = "this code has been replaced by a newer one: use the last code sent to you"


def status_sign_in(
    *, contest: int, code: str, client: str | None = None, now: float | None = None
) -> str:
    """Check a voting code for the status page; its digest, to keep in the session.

    Any code the elector was last given will do, used or not, and revoked when an exclusion
    revoked it: the person must be able to read why. A code replaced by a newer one will
    not (``client``: under the throttle, as ``credential_check``)."""
    if client is not None:
        now = throttle.clock() if now is None else now
        throttle.attempt_check(contest_id=contest, client=client, now=now)
    digest = code_digest(code)
    credential = (
        Credential.objects.filter(digest=digest, elector__contest_id=contest)
        .only("pk", "elector_id")
        .first()
    )
    if credential is None:
        if client is not None and now is not None:
            throttle.wrong_code_record(contest_id=contest, client=client, now=now)
        raise ContestError(NOT_VALID)
    if Credential.objects.filter(elector_id=credential.elector_id, pk__gt=credential.pk).exists():
        raise ContestError(REPLACED)
    return digest


def elector_signed_in(*, contest: int, digest: str) -> Elector | None:
    """The elector whose code (still their latest) has ``digest`` in this contest."""
    credential = (
        Credential.objects.filter(digest=digest, elector__contest_id=contest)
        .select_related("elector")
        .first()
    )
    if credential is None:
        return None
    if Credential.objects.filter(elector_id=credential.elector_id, pk__gt=credential.pk).exists():
        return None
    return credential.elector


def elector_of_member(*, contest: Contest, member: Member) -> Elector | None:
    """The signed-in member's record on this contest's roll: in their organisation and
    section, under their membership number, at the email they were sent their link at (a
    supporter, with no number, uses their voting code)."""
    if member.organisation_id != contest.organisation_id or not member.number:
        return None
    return (
        contest.electors.filter(
            section=member.section, reference=member.number, email__iexact=member.email.strip()
        )
        .order_by("pk")
        .first()
    )


def member_contests(member: Member) -> list[Elector]:
    """The member's records on the rolls of their organisation's contests (for the links on
    their home page)."""
    if not member.number:
        return []
    return list(
        Elector.objects.filter(
            contest__organisation_id=member.organisation_id,
            section=member.section,
            reference=member.number,
            email__iexact=member.email.strip(),
        )
        .select_related("contest")
        .order_by("-contest_id")
    )


@dataclass(frozen=True)
class MemberStatus:
    """What the person is told about themselves."""

    headline: str
    reason: str
    """The reason in plain words (``wording.member_reason``)."""
    ground: str = ""
    """The vetting ground's statement, as the rulebook gives it to the person."""
    citation: str = ""
    heard_by: str = ""
    deadline: str = ""
    """The last moment to appeal, in words."""
    appeal: Appeal | None = None
    """Their latest appeal of the exclusion, if any."""
    may_appeal: bool = False
    why_not: str = ""
    """Why an appeal cannot be lodged now (empty when it can, or nothing is excluded)."""


HEADLINES = {
    Eligibility.ELIGIBLE: "You are eligible to vote in this ballot.",
    Eligibility.INELIGIBLE: "You are not eligible to vote in this ballot.",
    Eligibility.EXCLUDED: "You have been excluded from this ballot after vetting.",
}


def member_status(*, elector: Elector, now: dt.datetime | None = None) -> MemberStatus:
    headline = HEADLINES[Eligibility(elector.eligibility)]
    reason = member_reason(elector.reason or "eligible")
    exclusion = exclusion_in_force(elector) if elector.eligibility == Eligibility.EXCLUDED else None
    if exclusion is None:
        return MemberStatus(headline, reason)
    return _excluded(elector.contest, exclusion, headline, reason, now or timezone.now())


def _excluded(
    contest: Contest, exclusion: Exclusion, headline: str, reason: str, now: dt.datetime
) -> MemberStatus:
    rules = vetting_rules(contest)
    ground = rules.ground(exclusion.ground)
    deadline = appeal_deadline(exclusion)
    appeal = exclusion.elector.appeals.order_by("-lodged_at", "-pk").first()
    why_not = (
        "Your appeal is with the panel: you will be told its decision."
        if appeal is not None and appeal.state == AppealState.LODGED
        else "The panel has decided your appeal."
        if appeal is not None and appeal.state == AppealState.DISMISSED
        else f"The time to appeal ended at {when(deadline)}."
        if now > deadline
        else "Appeals can no longer be lodged: the ballot has closed."
        if contest.state not in VETTING
        else ""
    )
    return MemberStatus(
        headline,
        reason,
        ground=ground.statement if ground else "",
        citation=ground.citation if ground else rules.citation,
        heard_by=rules.appeals_heard_by,
        deadline=when(deadline),
        appeal=appeal,
        may_appeal=not why_not,
        why_not=why_not,
    )


def member_appeal(*, elector: Elector, grounds: str) -> Appeal:
    """The person appeals the exclusion that excludes them, with their written grounds,
    to the appeals panel (``vetting.exclusion_appeal``: the rulebook's days, one waiting)."""
    exclusion = exclusion_in_force(elector)
    if exclusion is None:
        raise ContestError("you are not excluded on vetting: there is nothing to appeal")
    return exclusion_appeal(exclusion=exclusion, grounds=grounds)
