"""Thresholds reached: the rules' decision recorded once, with its clause, when the count
first passes each (10,000: a response; 100,000: a debate)."""

from __future__ import annotations

import time
from datetime import datetime

from django.db import transaction

from omov.rules import Rulebook as Book
from omov.web.audit.services import event_record
from omov.web.petitions import engine
from omov.web.petitions.models import Petition
from omov.web.petitions.selectors import live_count

FRESH = 2.0
"""Seconds a process trusts the total it last read, while far from the next threshold."""
NEAR = 1_000
"""Within this many signatures of the next threshold, every signing reads the total."""
_SEEN: dict[tuple[int, str], tuple[float, int]] = {}


def thresholds_check(petition: Petition, book: Book, at: datetime) -> None:
    """If the count has reached a threshold not yet recorded, record it once the signing
    commits (in a transaction of its own, under the petition's lock: the signer's shared
    lock cannot be raised to it without risking a deadlock with other signers).

    Far from the next threshold the total read in the last ``FRESH`` seconds serves (a
    surge adds far fewer than ``NEAR`` signatures in that time), so most signings read no
    total at all."""
    waiting = [
        t.signatures
        for t in engine.petition_rules(book).thresholds
        if t.signatures > petition.thresholds_noted
    ]
    if not waiting:
        return
    now, which = time.monotonic(), (petition.pk, petition.key)
    seen = _SEEN.get(which)
    if seen is not None and now - seen[0] < FRESH and seen[1] + NEAR < waiting[0]:
        return
    total = live_count(petition.pk).total
    _SEEN[which] = (now, total)
    if total >= waiting[0]:
        transaction.on_commit(lambda: thresholds_note(petition.pk, book, at))


@transaction.atomic
def thresholds_note(petition_id: int, book: Book, at: datetime) -> None:
    petition = Petition.objects.select_for_update().get(pk=petition_id)
    total = live_count(petition_id).total
    decisions = engine.thresholds_crossed(
        book, before=petition.thresholds_noted, after=total, at=at
    )
    for decision in decisions:
        event_record(
            stream=petition.stream, kind="petition.threshold-reached", payload=decision.as_record()
        )
    if decisions:
        petition.thresholds_noted = max(engine.thresholds_reached(book, total))
        petition.save(update_fields=["thresholds_noted"])
