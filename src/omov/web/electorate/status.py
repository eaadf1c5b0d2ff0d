"""A member's own status in a contest, found by their voting code, or when they have signed
in with the link emailed to them (``omov.web.members``) by their membership number (a
registered supporter, who has none, by their email and date of birth on the roll, never by
the email alone: ``_records_of``): eligible, not eligible
(the reason in plain words), or excluded on vetting (the ground's statement and the
rulebook's appeal deadline; on the older one-officer path, until the electorate is frozen),
and their appeal, lodged online to the appeals panel.

The code is checked under the sign-in's throttle and counts (``balloting/throttle.py``): a
wrong code here is a wrong code there. Only the person's own status is shown: never the
evidence note, nor any other record (not even another record of theirs, whose exclusion may
be the one that excludes this one: only its ground is told).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, QuerySet, When
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from omov.rules.schema import Vetting
from omov.web.balloting import throttle
from omov.web.balloting.codes import code_digest
from omov.web.balloting.models import Credential
from omov.web.contests.models import Contest
from omov.web.electorate.models import Appeal, AppealState, Elector, Eligibility, Exclusion
from omov.web.electorate.services import EDITABLE, appeal_lodge
from omov.web.electorate.vetting import (
    VETTING,
    appeal_deadline,
    exclusion_appeal,
    exclusion_in_force,
    vetting_rules,
)
from omov.web.errors import ContestError
from omov.web.members.identity import identity_digest
from omov.web.members.models import Member
from omov.web.wording import member_reason, when

ONE_OFFICER = "vetted"
"""The reason the older one-officer exclusion (``services.elector_exclude``) sets."""
# Marked for the translators here, translated when raised (the reader's language).
NOT_VALID = gettext_noop("this code is not valid for this ballot: check it and try again")
REPLACED = gettext_noop("this code has been replaced by a newer one: use the last code sent to you")


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
        raise ContestError(gettext(NOT_VALID))
    if Credential.objects.filter(elector_id=credential.elector_id, pk__gt=credential.pk).exists():
        raise ContestError(gettext(REPLACED))
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
    """The signed-in member's record on this contest's roll (``_records_of``)."""
    if member.organisation_id != contest.organisation_id:
        return None
    return _records_of(member).filter(contest=contest).order_by(*_ELIGIBLE_FIRST).first()


def member_contests(member: Member) -> list[Elector]:
    """The member's records on the rolls of their organisation's contests, one a contest
    (for the links on their home page)."""
    found: dict[int, Elector] = {}
    records = _records_of(member).select_related("contest")
    for elector in records.order_by("-contest_id", *_ELIGIBLE_FIRST):
        found.setdefault(elector.contest_id, elector)
    return list(found.values())


def _records_of(member: Member) -> QuerySet[Elector]:
    """The member's own records in their section: those the roll says are this person's,
    never merely someone's at the same address.

    A member is matched by their membership number, at the email their sign-in link was
    sent to. A registered supporter has no number, and an email is not a person: a couple,
    or a family, may share one address and each apply. So a supporter's record is theirs
    only where the roll's identity key for it (email and date of birth, as the electorate
    package links a person's records: ``members/identity.py``) equals the member's own; a
    record at their email under another date of birth is another person's, and neither its
    status nor its reason is shown to them (they can still read their own by their voting
    code, which names exactly one record). The keys are compared as the digests the import
    stored on each record (``rolls.identities``), in the query: no roll is read. A record
    without one (no email or date of birth on the roll, or imported before digests were
    kept and its roll no longer stored: migration 0008) matches no supporter."""
    found = Elector.objects.filter(
        contest__organisation_id=member.organisation_id,
        section=member.section,
        email__iexact=member.email.strip(),
    )
    if member.number:
        return found.filter(reference=member.number)
    return found.filter(identity_digest=identity_digest(member.identity_key))


_ELIGIBLE_FIRST = (Case(When(eligibility=Eligibility.ELIGIBLE, then=0), default=1), "pk")
"""Where a supporter applied twice, the record that may vote is the one shown."""


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
    appealable: bool = False
    """Excluded in a way that can be appealed: the page says how, and whether it can now."""
    may_appeal: bool = False
    why_not: str = ""
    """Why an appeal cannot be lodged now (empty when it can, or nothing is excluded)."""


HEADLINES = {
    Eligibility.ELIGIBLE: gettext_noop("You are eligible to vote in this ballot."),
    Eligibility.INELIGIBLE: gettext_noop("You are not eligible to vote in this ballot."),
    Eligibility.EXCLUDED: gettext_noop("You have been excluded from this ballot after vetting."),
}
"""Each status's headline, in English: ``member_status`` gives it in the reader's language."""


def member_status(*, elector: Elector, now: dt.datetime | None = None) -> MemberStatus:
    headline = gettext(HEADLINES[Eligibility(elector.eligibility)])
    reason = member_reason(elector.reason or "eligible")
    exclusion = exclusion_in_force(elector) if elector.eligibility == Eligibility.EXCLUDED else None
    if exclusion is not None:
        return _excluded(elector.contest, exclusion, headline, reason, now or timezone.now())
    if elector.eligibility == Eligibility.EXCLUDED and elector.reason == ONE_OFFICER:
        return _excluded_by_one_officer(elector, headline, reason)
    return MemberStatus(headline, reason)


def _excluded(
    contest: Contest, exclusion: Exclusion, headline: str, reason: str, now: dt.datetime
) -> MemberStatus:
    rules = vetting_rules(contest)
    ground = rules.ground(exclusion.ground)
    deadline = appeal_deadline(exclusion)
    appeal = exclusion.elector.appeals.order_by("-lodged_at", "-pk").first()
    why_not = (
        gettext("Your appeal is with the panel: you will be told its decision.")
        if appeal is not None and appeal.state == AppealState.LODGED
        else gettext("The panel has decided your appeal.")
        if appeal is not None and appeal.state == AppealState.DISMISSED
        else gettext("The time to appeal ended at %(moment)s.") % {"moment": when(deadline)}
        if now > deadline
        else gettext("Appeals can no longer be lodged: the ballot has closed.")
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
        appealable=True,
        may_appeal=not why_not,
        why_not=why_not,
    )


def _excluded_by_one_officer(elector: Elector, headline: str, reason: str) -> MemberStatus:
    """Excluded on the older one-officer path (``services.elector_exclude``): no ground of
    the rulebook's and no deadline, but an appeal to the panel until the electorate is
    frozen (``services.appeal_lodge``). The officer's grounds hold the evidence: not shown."""
    appeal = elector.appeals.order_by("-lodged_at", "-pk").first()
    why_not = (
        gettext("Your appeal is with the panel: you will be told its decision.")
        if appeal is not None and appeal.state == AppealState.LODGED
        else gettext("The panel has decided your appeal.")
        if appeal is not None and appeal.state == AppealState.DISMISSED
        else gettext("Appeals can no longer be lodged: the electorate has been frozen.")
        if elector.contest.state not in EDITABLE
        else ""
    )
    return MemberStatus(
        headline,
        reason,
        heard_by=_heard_by(elector.contest),
        appeal=appeal,
        appealable=True,
        may_appeal=not why_not,
        why_not=why_not,
    )


def _heard_by(contest: Contest) -> str:
    try:
        return vetting_rules(contest).appeals_heard_by
    except ContestError:  # a rulebook without vetting rules: the schema's own default
        return str(Vetting.model_fields["appeals_heard_by"].default)


def member_appeal(*, elector: Elector, grounds: str) -> Appeal:
    """The person appeals the exclusion that excludes them, with their written grounds,
    to the appeals panel (``vetting.exclusion_appeal``: the rulebook's days, one waiting)."""
    exclusion = exclusion_in_force(elector)
    if exclusion is not None:
        return exclusion_appeal(exclusion=exclusion, grounds=grounds)
    if elector.eligibility == Eligibility.EXCLUDED and elector.reason == ONE_OFFICER:
        if not grounds.strip():
            raise ContestError(gettext("an appeal needs its grounds"))
        return appeal_lodge(elector=elector, grounds=grounds.strip())
    raise ContestError(gettext("you are not excluded on vetting: there is nothing to appeal"))
