"""Reading the ballot box without touching who voted."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet, Sum

from omov.ledger.board import normalise_tracker
from omov.web.balloting.models import Ballot, BallotTally, CodeAttempts
from omov.web.contests.models import Contest


def receipt_included(*, contest: Contest, receipt: str) -> bool:
    return Ballot.objects.filter(contest=contest, receipt=normalise_tracker(receipt)).exists()


def ballot_box(*, contest: Contest) -> QuerySet[Ballot]:
    return Ballot.objects.filter(contest=contest).order_by("receipt")


def ballots_cast(*, contest: Contest) -> int:
    """How many ballots ``contest`` holds, exact, from the tally the database keeps with
    every insert and delete (``BallotTally``): counting the ballots read every one of them
    on each dashboard request, more as the ballot went on."""
    total = BallotTally.objects.filter(contest_id=contest.pk).aggregate(total=Sum("n"))["total"]
    return int(total or 0)


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
