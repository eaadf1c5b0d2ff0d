"""Reading the ballot box without touching who voted."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet, Sum

from omov.ledger.board import normalise_tracker
from omov.web.balloting.models import Ballot, CodeAttempts
from omov.web.contests.models import Contest


def receipt_included(*, contest: Contest, receipt: str) -> bool:
    return Ballot.objects.filter(contest=contest, receipt=normalise_tracker(receipt)).exists()


def ballot_box(*, contest: Contest) -> QuerySet[Ballot]:
    return Ballot.objects.filter(contest=contest).order_by("receipt")


@dataclass(frozen=True)
class Refusals:
    """What the officer sees: wrong codes typed, and attempts refused while held back."""

    wrong: int
    held: int


def code_refusals(*, contest_id: int) -> Refusals:
    """The contest's refused sign-ins (``balloting/throttle.py``): its own row counts every
    wrong code, and the held-back tries of clients forgotten after an hour's quiet; the
    clients' rows still kept add their own held-back tries."""
    sums = CodeAttempts.objects.filter(contest_id=contest_id).aggregate(
        wrong=Sum("wrong", filter=Q(client="")), held=Sum("held")
    )
    return Refusals(sums["wrong"] or 0, sums["held"] or 0)
