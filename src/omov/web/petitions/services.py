"""A petition's life: a member starts it, an officer checks it and opens it (or takes it
down, with the reason), reviews what screening held, and closes it, publishing the signed
count. Each step is one transaction under the petition's lock, writes its entry in the
petition's log where the log has one (from opening), and an audit event.
"""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from omov.ledger.petition import (
    CLOSED,
    MODERATED,
    OPENED,
    OTHER_UNITS,
    REVIEWED,
    Leaf,
    closing_entries,
    entry_bytes,
    text_sha256,
)
from omov.rules.errors import RulesError
from omov.web.audit.services import event_record
from omov.web.contests.rulebooks import stored_book, stored_text
from omov.web.members.models import Member
from omov.web.members.selectors import rulebook_row_in_force
from omov.web.petitions import engine
from omov.web.petitions.errors import PetitionError, SigningRefusedError
from omov.web.petitions.log import head_sign, log_append
from omov.web.petitions.models import (
    Petition,
    PetitionState,
    Signature,
    SignatureStatus,
    SignerClass,
)
from omov.web.petitions.selectors import awaiting, petition_book
from omov.web.petitions.tallies import tallies_move, tally_add

TITLE_MAX = 120
TEXT_MAX = 3000


def _locked(petition: Petition, *states: PetitionState) -> Petition:
    locked = Petition.objects.select_for_update().select_related("rulebook").get(pk=petition.pk)
    if locked.state not in states:
        raise PetitionError(
            gettext("This petition is %(locked_get_state_display_lower)s.")
            % {"locked_get_state_display_lower": locked.get_state_display().lower()}
        )
    return locked


def _actor(officer: object) -> str:
    return str(getattr(officer, "username", officer))


@transaction.atomic
def petition_start(
    *, sponsor: Member, title: str, text: str, closes_at: datetime, at: datetime | None = None
) -> Petition:
    """``sponsor`` starts a petition; it waits for an officer's check before anyone signs."""
    at = at or timezone.now()
    title, text = " ".join(title.split()), text.strip()
    if not title or not text:
        raise PetitionError(gettext("A petition needs a title and its text."))
    if len(title) > TITLE_MAX or len(text) > TEXT_MAX:
        raise PetitionError(
            gettext(
                "Keep the title under %(title_max)s characters and the text under %(text_max)s."
            )
            % {"title_max": TITLE_MAX, "text_max": TEXT_MAX}
        )
    if closes_at <= at:
        raise PetitionError(gettext("The closing date must be in the future."))
    row = rulebook_row_in_force(sponsor.organisation)
    book = stored_book(row.typed)
    try:
        refusal = engine.signing_refusal(book, standing=sponsor.standing)
    except RulesError:
        raise PetitionError(
            gettext("This organisation's rules have no members' petitions.")
        ) from None
    if refusal is not None:
        raise SigningRefusedError(refusal)
    petition = Petition.objects.create(
        organisation=sponsor.organisation,
        rulebook=row,
        title=title,
        text=text,
        sponsor=sponsor,
        closes_at=closes_at,
        key=secrets.token_hex(32),
    )
    event_record(
        stream=petition.stream,
        kind="petition.started",
        payload={"title": title, "text_sha256": text_sha256(text), "at": at.isoformat()},
    )
    return petition


@transaction.atomic
def petition_open(*, petition: Petition, officer: object, at: datetime | None = None) -> Petition:
    """An officer has checked the text against the published rules: signing opens, and the
    log begins with the text's and the rules' fingerprints, under a signed head."""
    at = at or timezone.now()
    petition = _locked(petition, PetitionState.SUBMITTED)
    if petition.closes_at <= at:
        raise PetitionError(gettext("Its closing date has passed: it cannot open."))
    rules = engine.petition_rules(petition_book(petition))
    opened = entry_bytes(
        OPENED,
        petition=petition.log_id,
        title=petition.title,
        text_sha256=text_sha256(petition.text),
        rulebook=petition.rulebook.key,
        rulebook_sha256=text_sha256(stored_text(petition.rulebook.typed)),
        actor=_actor(officer),
        at=at.isoformat(),
        citation=rules.citation,
    )
    head_sign(petition, log_append(petition, [opened]), OPENED)
    petition.state = PetitionState.OPEN
    petition.save(update_fields=["state"])
    event_record(stream=petition.stream, kind="petition.opened", payload={"by": _actor(officer)})
    return petition


@transaction.atomic
def petition_moderate(
    *, petition: Petition, reason: str, officer: object, at: datetime | None = None
) -> Petition:
    """An officer takes down a petition whose text breaks the published rules, saying why:
    the reason is shown in its place and kept in its log (entry ``petition-moderated``)."""
    at = at or timezone.now()
    reason = reason.strip()
    if not reason:
        raise PetitionError(gettext("Say which published rule the petition breaks, and how."))
    petition = _locked(petition, PetitionState.SUBMITTED, PetitionState.OPEN)
    rules = engine.petition_rules(petition_book(petition))
    if petition.state == PetitionState.OPEN:
        entry = entry_bytes(
            MODERATED,
            reason=reason,
            actor=_actor(officer),
            at=at.isoformat(),
            citation=rules.citation,
        )
        log_append(petition, [entry])
    petition.state = PetitionState.MODERATED
    petition.moderation_reason = reason
    petition.save(update_fields=["state", "moderation_reason"])
    event_record(
        stream=petition.stream,
        kind="petition.moderated",
        payload={"reason": reason, "by": _actor(officer), "at": at.isoformat()},
    )
    return petition


@transaction.atomic
def signatures_review(
    *,
    petition: Petition,
    flag: str,
    accept: bool,
    reason: str,
    officer: object,
    address_range: str = "",
    at: datetime | None = None,
) -> int:
    """Decide the signatures held for ``flag`` (from ``address_range``, if given): counted
    if accepted, rejected if not; each decision is an entry of the log with the reason.
    Nothing is dropped: a rejected signature stays, published as rejected. How many."""
    at = at or timezone.now()
    reason = reason.strip()
    if not reason:
        raise PetitionError(
            gettext("Give the reason for your decision; it is published in the log.")
        )
    if flag not in engine.FLAGS:
        raise PetitionError(gettext("Choose which held signatures you are deciding."))
    petition = _locked(petition, PetitionState.OPEN)
    rules = engine.petition_rules(petition_book(petition))
    chosen = list(
        awaiting(petition, flag, address_range).values_list("pk", "signer", "klass", "unit_id")
    )
    if not chosen:
        raise PetitionError(gettext("No signatures wait for review there."))
    after = SignatureStatus.COUNTED if accept else SignatureStatus.REJECTED
    Signature.objects.filter(pk__in=[row[0] for row in chosen]).update(status=after)
    moves = Counter((klass, unit or 0) for _, _, klass, unit in chosen)
    tallies_move(
        petition.pk,
        [(klass, unit, n) for (klass, unit), n in moves.items()],
        before=SignatureStatus.AWAITING,
        after=after,
    )
    actor = _actor(officer)
    log_append(
        petition,
        [
            entry_bytes(
                REVIEWED,
                signer=signer,
                accepted=accept,
                reason=reason,
                actor=actor,
                at=at.isoformat(),
                citation=rules.screening_citation,
            )
            for _, signer, _, _ in sorted(chosen, key=lambda row: row[1])
        ],
    )
    event_record(
        stream=petition.stream,
        kind="petition.signatures-reviewed",
        payload={"flag": flag, "accepted": accept, "signatures": len(chosen), "reason": reason},
    )
    return len(chosen)


def unconfirmed_expire(*, petition: Petition, at: datetime | None = None) -> int:
    """Forget non-members' signatures never confirmed within the rules' hours (and their
    addresses): they were never signatures. How many."""
    at = at or timezone.now()
    hours = engine.petition_rules(petition_book(petition)).confirm_within_hours
    stale = Signature.objects.filter(
        petition=petition,
        status=SignatureStatus.UNCONFIRMED,
        signed_at__lt=at - timedelta(hours=hours),
    )
    gone, _ = stale.delete()
    if gone:
        tally_add(petition.pk, SignerClass.NON_MEMBER, SignatureStatus.UNCONFIRMED, 0, -gone)
    return int(gone)


def _unit(klass: str, unit: str | None) -> str:
    """The unit a leaf names: none for a non-member, "other units" for a member in none."""
    if klass == SignerClass.NON_MEMBER:
        return ""
    return unit or OTHER_UNITS


@transaction.atomic
def petition_close(*, petition: Petition, officer: object, at: datetime | None = None) -> Petition:
    """Once its closing date has passed: the count. Every signature becomes a leaf of the
    log (in order of signer, small units merged), then ``petition-closed`` with the count,
    under a signed head; the signed count is then published for anyone to verify."""
    at = at or timezone.now()
    petition = _locked(petition, PetitionState.OPEN)
    if at < petition.closes_at:
        raise PetitionError(
            gettext("It takes signatures until its closing date; close it after that.")
        )
    rules = engine.petition_rules(petition_book(petition))
    stale = Signature.objects.filter(petition=petition, status=SignatureStatus.UNCONFIRMED)
    gone, _ = stale.delete()  # never confirmed: never signatures
    if gone:
        tally_add(petition.pk, SignerClass.NON_MEMBER, SignatureStatus.UNCONFIRMED, 0, -gone)
    rows = Signature.objects.filter(petition=petition).values_list(
        "signer", "klass", "unit__name", "status"
    )
    leaves = [
        Leaf(signer, klass, _unit(klass, unit), status) for signer, klass, unit, status in rows
    ]
    entries = closing_entries(
        leaves,
        thresholds=[t.signatures for t in rules.thresholds],
        min_published=rules.min_published,
        at=at.isoformat(),
        actor=_actor(officer),
    )
    head_sign(petition, log_append(petition, entries), CLOSED)
    petition.state = PetitionState.CLOSED
    petition.save(update_fields=["state"])
    event_record(
        stream=petition.stream,
        kind="petition.closed",
        payload={"signatures": len(leaves), "by": _actor(officer), "at": at.isoformat()},
    )
    return petition
