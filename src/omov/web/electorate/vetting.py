"""Accountable vetting: one officer proposes an exclusion on one of the rulebook's grounds,
a second officer confirms it (never the same person), and the exclusion then applies to the
person on every record of theirs (the electorate package links records by identity key and
membership number). It can be confirmed after the freeze and while the ballot is open: the
person's unused voting code is revoked; a ballot already cast stays, and the officer is told.
Appeals go to the appeals panel within the rulebook's days and are decided with reasons.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from omov.rules.schema import Vetting
from omov.web.audit.services import event_record, events_record
from omov.web.balloting.models import Credential, CredentialState
from omov.web.contests.models import Contest, ContestState
from omov.web.contests.rulebooks import stored_book
from omov.web.contests.services import contest_lock
from omov.web.electorate.models import (
    Appeal,
    AppealState,
    Elector,
    Eligibility,
    Exclusion,
    ExclusionState,
)
from omov.web.electorate.rolls import decide
from omov.web.errors import ContestError

VETTING = (
    ContestState.NOMINATIONS,
    ContestState.ELECTORATE,
    ContestState.FROZEN,
    ContestState.BALLOT_OPEN,
)
"""Exclusion is possible until the ballot closes."""
KEPT = ("vetted", "appeal-upheld")
"""Reasons set by the older one-officer exclusion path, which a re-decision keeps."""


def vetting_rules(contest: Contest) -> Vetting:
    book = stored_book(contest.rulebook.typed)
    if book.vetting is None:
        raise ContestError(
            gettext("%(id)s gives no vetting grounds: nobody can be excluded") % {"id": book.id}
        )
    return book.vetting


@transaction.atomic
def exclusion_propose(*, elector: Elector, ground: str, note: str, actor: User) -> Exclusion:
    """Propose excluding the person behind ``elector`` on the rulebook's ``ground``."""
    contest = contest_lock(contest=elector.contest, expected=VETTING)
    rules = vetting_rules(contest)
    if rules.ground(ground) is None:
        known = ", ".join(g.code for g in rules.grounds)
        raise ContestError(
            gettext("%(ground)s is not a ground of this rulebook; its grounds: %(known)s")
            % {"ground": repr(ground), "known": known}
        )
    if not note.strip():
        raise ContestError(gettext("an exclusion needs a note of the evidence"))
    elector = Elector.objects.select_for_update().get(pk=elector.pk)
    if elector.eligibility != Eligibility.ELIGIBLE:
        raise ContestError(
            gettext("%(reference)s is not eligible, so cannot be excluded")
            % {"reference": elector.reference}
        )
    if elector.exclusions.filter(state=ExclusionState.PROPOSED).exists():
        raise ContestError(
            gettext("an exclusion of %(reference)s is already awaiting confirmation")
            % {"reference": elector.reference}
        )
    exclusion = Exclusion.objects.create(
        elector=elector, ground=ground, note=note.strip(), proposed_by=actor
    )
    event_record(
        stream=contest.stream,
        kind="exclusion.proposed",
        payload={"exclusion": exclusion.pk, "ground": ground, "actor": actor.get_username()},
    )
    if not rules.second_officer:
        _confirm(contest, exclusion, actor)
    return exclusion


@dataclass(frozen=True)
class Confirmed:
    exclusion: Exclusion
    excluded: int
    """Records of the person now excluded (every section they are on)."""
    revoked: int
    """Unused voting codes revoked."""
    already_voted: bool
    """The person had voted: that ballot stays in the box."""


@transaction.atomic
def exclusion_confirm(*, exclusion: Exclusion, actor: User) -> Confirmed:
    """A second officer confirms; the person is excluded on every record of theirs."""
    contest = contest_lock(contest=exclusion.elector.contest, expected=VETTING)
    exclusion = Exclusion.objects.select_for_update().get(pk=exclusion.pk)
    if exclusion.state != ExclusionState.PROPOSED:
        raise ContestError(gettext("this exclusion is not awaiting confirmation"))
    if exclusion.proposed_by_id == actor.pk:
        raise ContestError(
            gettext(
                "the officer who proposed an exclusion cannot confirm it: a second officer must"
            )
        )
    return _confirm(contest, exclusion, actor)


def _confirm(contest: Contest, exclusion: Exclusion, actor: User) -> Confirmed:
    exclusion.state, exclusion.decided_by, exclusion.decided_at = (
        ExclusionState.CONFIRMED,
        actor,
        timezone.now(),
    )
    exclusion.save(update_fields=["state", "decided_by", "decided_at"])
    changed = electorate_redecide(contest=contest)
    excluded = [e for e in changed if e.eligibility == Eligibility.EXCLUDED]
    revoked = Credential.objects.filter(
        elector_id__in=[e.pk for e in excluded], state=CredentialState.ISSUED
    ).update(state=CredentialState.REVOKED)
    voted = any(e.has_voted for e in excluded)
    event_record(
        stream=contest.stream,
        kind="elector.excluded",
        payload={
            "reference": exclusion.elector.reference,
            "section": exclusion.elector.section,
            "ground": exclusion.ground,
            "grounds": exclusion.ground,
            "exclusion": exclusion.pk,
            "proposed_by": exclusion.proposed_by.get_username(),
            "actor": actor.get_username(),
            "records": len(excluded),
            "codes_revoked": revoked,
            "ballot_already_cast": voted,
        },
    )
    return Confirmed(exclusion, len(excluded), revoked, voted)


@transaction.atomic
def exclusion_reject(*, exclusion: Exclusion, actor: User) -> Exclusion:
    contest = contest_lock(contest=exclusion.elector.contest, expected=VETTING)
    exclusion = Exclusion.objects.select_for_update().get(pk=exclusion.pk)
    if exclusion.state != ExclusionState.PROPOSED:
        raise ContestError(gettext("this exclusion is not awaiting confirmation"))
    if exclusion.proposed_by_id == actor.pk:
        raise ContestError(gettext("the officer who proposed an exclusion cannot decide on it"))
    exclusion.state, exclusion.decided_by, exclusion.decided_at = (
        ExclusionState.REJECTED,
        actor,
        timezone.now(),
    )
    exclusion.save(update_fields=["state", "decided_by", "decided_at"])
    event_record(
        stream=contest.stream,
        kind="exclusion.rejected",
        payload={"exclusion": exclusion.pk, "actor": actor.get_username()},
    )
    return exclusion


@dataclass(frozen=True)
class Redecided:
    """An elector whose decision a re-decision changed, as it now stands."""

    pk: int
    eligibility: str
    reason: str
    has_voted: bool


def electorate_redecide(*, contest: Contest) -> list[Redecided]:
    """Decide every record again with the exclusions in force, in place (the electors'
    rows, and so their voting codes, stay); the electors whose decision changed.

    Rows are read as tuples, not models: a bulk confirmation re-decides every elector and
    reads every exclusion in force, and building a model for each (two, with the exclusion's
    elector) made each batch cost more as the exclusions, and so the log, grew."""
    rolls = {r.section: bytes(r.data) for r in contest.rolls.all()}
    exclusions = [
        (section, reference, str(pk))
        for section, reference, pk in Exclusion.objects.filter(
            elector__contest=contest, state=ExclusionState.CONFIRMED
        ).values_list("elector__section", "elector__reference", "pk")
    ]
    decided = decide(rolls, contest=contest, exclusions=exclusions)
    decisions = {(d.section, d.reference): d for d in decided}
    changed = []
    for pk, section, reference, was, why, voted in (
        Elector.objects.filter(contest=contest)
        .exclude(reason__in=KEPT)
        .values_list("pk", "section", "reference", "eligibility", "reason", "has_voted")
        .iterator(chunk_size=10_000)
    ):
        found = decisions.get((section, reference))
        if found is None:
            continue
        eligibility = (
            Eligibility.ELIGIBLE
            if found.eligible
            else Eligibility.EXCLUDED
            if found.reason == "excluded_by_vetting"
            else Eligibility.INELIGIBLE
        )
        if (was, why) != (eligibility, found.reason):
            changed.append(Redecided(pk, eligibility, found.reason, voted))
    _update_by_decision(changed)
    return changed


def _update_by_decision(changed: list[Redecided]) -> None:
    """One UPDATE per (decision, reason), not a CASE over every row (which grows with the
    square of a bulk vetting's size)."""
    groups: dict[tuple[str, str], list[int]] = {}
    for elector in changed:
        groups.setdefault((elector.eligibility, elector.reason), []).append(elector.pk)
    for (eligibility, reason), pks in groups.items():
        Elector.objects.filter(pk__in=pks).update(eligibility=eligibility, reason=reason)


def appeal_deadline(exclusion: Exclusion) -> dt.datetime:
    """The last moment to appeal: the rulebook's days after the exclusion took effect."""
    days = vetting_rules(exclusion.elector.contest).appeal_days
    return (exclusion.decided_at or exclusion.proposed_at) + dt.timedelta(days=days)


@transaction.atomic
def exclusion_appeal(*, exclusion: Exclusion, grounds: str) -> Appeal:
    """The person appeals an exclusion, within the rulebook's days, to the appeals panel."""
    contest = contest_lock(contest=exclusion.elector.contest, expected=VETTING)
    exclusion = Exclusion.objects.select_related("elector").get(pk=exclusion.pk)
    if exclusion.state != ExclusionState.CONFIRMED:
        raise ContestError(gettext("only a confirmed exclusion can be appealed"))
    if timezone.now() > appeal_deadline(exclusion):
        days, deadline = vetting_rules(contest).appeal_days, appeal_deadline(exclusion)
        raise ContestError(
            ngettext(
                "the %(days)s day to appeal ended at %(time)s on %(date)s",
                "the %(days)s days to appeal ended at %(time)s on %(date)s",
                days,
            )
            % {
                "days": days,
                "time": date_format(deadline, "H:i"),
                "date": date_format(deadline, "d F Y"),
            }
        )
    if not grounds.strip():
        raise ContestError(gettext("an appeal needs its grounds"))
    elector = exclusion.elector
    if elector.appeals.filter(state=AppealState.LODGED).exists():
        raise ContestError(
            gettext("%(reference)s already has an appeal waiting")
            % {"reference": elector.reference}
        )
    appeal = Appeal.objects.create(elector=elector, grounds=grounds.strip())
    event_record(
        stream=contest.stream,
        kind="appeal.lodged",
        payload={"reference": elector.reference, "exclusion": exclusion.pk},
    )
    return appeal


@transaction.atomic
def exclusion_appeal_decide(*, appeal: Appeal, uphold: bool, reason: str, actor: User) -> Appeal:
    """The appeals panel decides, with written reasons; no officer who acted on the
    exclusion may hear its appeal. Upheld: the exclusion is reversed and the person may vote
    again (a new code is issued from the dashboard)."""
    contest = contest_lock(contest=appeal.elector.contest, expected=VETTING)
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.state != AppealState.LODGED:
        raise ContestError(gettext("this appeal has already been decided"))
    if not reason.strip():
        raise ContestError(gettext("an appeal decision needs written reasons"))
    exclusion = appeal.elector.exclusions.filter(state=ExclusionState.CONFIRMED).first()
    if exclusion is not None and actor.pk in (exclusion.proposed_by_id, exclusion.decided_by_id):
        raise ContestError(gettext("an officer who acted on the exclusion cannot hear its appeal"))
    appeal.state = AppealState.UPHELD if uphold else AppealState.DISMISSED
    appeal.decision_reason, appeal.decided_by = reason.strip(), actor
    appeal.save(update_fields=["state", "decision_reason", "decided_by"])
    if uphold and exclusion is not None:
        exclusion.state = ExclusionState.REVERSED
        exclusion.save(update_fields=["state"])
        electorate_redecide(contest=contest)
    event_record(
        stream=contest.stream,
        kind="appeal.upheld" if uphold else "appeal.dismissed",
        payload={
            "reference": appeal.elector.reference,
            "reason": reason.strip(),
            "actor": actor.get_username(),
        },
    )
    return appeal


COLUMNS = ("section", "reference", "ground", "note")


@dataclass(frozen=True)
class RowProblem:
    line: int
    problem: str


@transaction.atomic
def exclusions_import(*, contest: Contest, text: str, actor: User) -> list[Exclusion]:
    """Bulk proposals from a CSV (``section,reference,ground,note``): every row is checked
    before any is applied, and one bad row refuses the file, each fault with its line. A
    second officer confirms the batch (``exclusions_confirm``)."""
    contest = contest_lock(contest=contest, expected=VETTING)
    rules = vetting_rules(contest)
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ContestError(
            gettext("vetting decisions: the columns must be %(columns)s")
            % {"columns": ",".join(COLUMNS)}
        )
    rows = list(reader)
    electors = {  # not contest.electors: it would fetch each row's deferred contest_id
        (e.section, e.reference): e
        for e in Elector.objects.filter(
            contest=contest, reference__in=[r["reference"] or "" for r in rows]
        ).only("pk", "section", "reference", "eligibility")
    }
    waiting = set(
        Exclusion.objects.filter(
            elector__contest=contest, state=ExclusionState.PROPOSED
        ).values_list("elector_id", flat=True)
    )
    problems, chosen, seen = [], [], set()
    for line, row in enumerate(rows, start=2):
        key = (row["section"] or "", row["reference"] or "")
        elector = electors.get(key)
        fault = _row_fault(row, elector, rules, twice=key in seen, waiting=waiting)
        seen.add(key)
        if fault is not None:
            problems.append(RowProblem(line, fault))
        elif elector is not None:
            chosen.append(
                Exclusion(
                    elector=elector,
                    ground=row["ground"],
                    note=row["note"].strip(),
                    proposed_by=actor,
                )
            )
    if problems:
        raise ContestError(_problems_sentence(problems))
    made = Exclusion.objects.bulk_create(chosen)
    event_record(  # the file is one entry; each decision is its own when confirmed
        stream=contest.stream,
        kind="exclusions.proposed",
        payload={
            "proposed": len(made),
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "actor": actor.get_username(),
        },
    )
    return made


def _row_fault(
    row: dict[str, str], elector: Elector | None, rules: Vetting, *, twice: bool, waiting: set[int]
) -> str | None:
    """Why one row of a bulk vetting file cannot be applied, in the officer's language;
    None if it can. The first fault found is the one said."""
    if elector is None:
        return gettext("no such elector in this section")
    if elector.eligibility != Eligibility.ELIGIBLE:
        return gettext("not eligible, so cannot be excluded")
    if elector.pk in waiting:
        return gettext("already awaiting confirmation")
    if twice:
        return gettext("named twice in this file")
    if rules.ground(row["ground"] or "") is None:
        return gettext("%(ground)r is not a ground of this rulebook") % {"ground": row["ground"]}
    if not (row["note"] or "").strip():
        return gettext("no note of the evidence")
    return None


def _problems_sentence(problems: list[RowProblem], shown: int = 20) -> str:
    """The file's first ``shown`` faults, each with its line, and how many more there are."""
    listed = "; ".join(
        gettext("line %(line)s: %(problem)s") % {"line": p.line, "problem": p.problem}
        for p in problems[:shown]
    )
    left = len(problems) - shown
    more = (
        ngettext(" (and %(count)s more)", " (and %(count)s more)", left) % {"count": left}
        if left > 0
        else ""
    )
    return gettext("no decision was applied: %(shown)s%(more)s") % {"shown": listed, "more": more}


@transaction.atomic
def exclusions_confirm(*, contest: Contest, proposed_by: User, actor: User) -> int:
    """A second officer confirms every exclusion ``proposed_by`` proposed that awaits
    confirmation (a bulk import): the electorate is re-decided once, each decision is its
    own log entry. Returns how many were confirmed."""
    contest = contest_lock(contest=contest, expected=VETTING)
    if proposed_by.pk == actor.pk:
        raise ContestError(
            gettext(
                "the officer who proposed an exclusion cannot confirm it: a second officer must"
            )
        )
    batch = list(
        Exclusion.objects.select_for_update()
        .filter(elector__contest=contest, state=ExclusionState.PROPOSED, proposed_by=proposed_by)
        .select_related("elector")
    )
    Exclusion.objects.filter(pk__in=[x.pk for x in batch]).update(  # one statement
        state=ExclusionState.CONFIRMED, decided_by=actor, decided_at=timezone.now()
    )
    changed = electorate_redecide(contest=contest)
    excluded = [e.pk for e in changed if e.eligibility == Eligibility.EXCLUDED]
    Credential.objects.filter(elector_id__in=excluded, state=CredentialState.ISSUED).update(
        state=CredentialState.REVOKED
    )
    events_record(  # one log entry a decision, written together
        stream=contest.stream,
        events=[
            (
                "elector.excluded",
                {
                    "reference": exclusion.elector.reference,
                    "section": exclusion.elector.section,
                    "ground": exclusion.ground,
                    "grounds": exclusion.ground,
                    "exclusion": exclusion.pk,
                    "proposed_by": proposed_by.get_username(),
                    "actor": actor.get_username(),
                },
            )
            for exclusion in batch
        ],
    )
    return len(batch)


def exclusion_in_force(elector: Elector) -> Exclusion | None:
    """The confirmed exclusion on ``elector``'s record. (A person's other records are
    excluded with it, but only the one record that was eligible, and so held the voting
    code, can have had the exclusion proposed on it.)"""
    return elector.exclusions.filter(state=ExclusionState.CONFIRMED).order_by("pk").first()
