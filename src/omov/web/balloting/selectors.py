"""Reading the ballot box without touching who voted."""

from __future__ import annotations

from django.db.models import QuerySet

from omov.ledger.board import normalise_tracker
from omov.web.balloting.models import Ballot
from omov.web.contests.models import Contest


def receipt_included(*, contest: Contest, receipt: str) -> bool:
    return Ballot.objects.filter(contest=contest, receipt=normalise_tracker(receipt)).exists()


def ballot_box(*, contest: Contest) -> QuerySet[Ballot]:
    return Ballot.objects.filter(contest=contest).order_by("receipt")
