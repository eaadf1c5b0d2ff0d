"""Counting a closed ballot by the rulebook's method, and publishing the result."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from omov.count import CountError, count
from omov.ledger.heads import Checkpoint
from omov.web.contests.models import Contest, ContestState
from omov.web.contests.rulebooks import count_rules
from omov.web.contests.selectors import ballot_candidates
from omov.web.contests.services import contest_lock, contest_transition
from omov.web.electorate.selectors import elector_counts
from omov.web.errors import ContestError
from omov.web.results.models import Result
from omov.web.results.reporting import ballot_set, board_parquet, downloads, report_summary
from omov.web.trust.publication import board_facts, contest_board, count_facts
from omov.web.trustees.models import DecryptedPaper


@transaction.atomic
def result_count(*, contest: Contest) -> Result:
    contest = contest_lock(contest=contest, expected=(ContestState.BALLOT_CLOSED,))
    if not contest.ballots.exists():
        raise ContestError(gettext("there are no ballots to count"))
    if not DecryptedPaper.objects.filter(contest=contest).exists():
        raise ContestError(
            gettext(
                "the ballots are still encrypted: two trustees must mix them and "
                "enough trustees decrypt them before the count"
            )
        )
    rows = list(DecryptedPaper.objects.filter(contest=contest).values_list("ranking", "section"))
    ballots = ballot_set(ballot_candidates(contest=contest), rows, contest.title)
    method, seats, options = count_rules(contest.rulebook.typed)
    try:
        report = count(ballots, method=method, seats=seats, options=options)
    except CountError as error:
        raise ContestError(gettext("the count failed: %(error)s") % {"error": error}) from None
    summary = report_summary(report)
    board, _ = contest_board(contest)  # the board the bundle publishes, not one of its own
    result = Result.objects.create(
        contest=contest,
        method=contest.method,
        summary=summary,
        board=board_parquet(board),
        electors=elector_counts(contest=contest),  # the closed rolls' figures, read once
        **downloads(report),
    )
    contest_transition(
        contest=contest,
        source=(ContestState.BALLOT_CLOSED,),
        target=ContestState.COUNTED,
        kind="count.completed",
        payload={
            "method": contest.method,
            "winner": summary["winner"],
            "valid": summary["valid"],
            "final": summary["rounds"][-1]["tallies"],
        },
        facts=count_facts(contest),  # the count of the board, and its reports' digests
    )
    return result


@transaction.atomic
def result_publish(*, contest: Contest) -> Contest:
    contest = contest_lock(contest=contest, expected=(ContestState.COUNTED,))
    return contest_transition(
        contest=contest,
        source=(ContestState.COUNTED,),
        target=ContestState.PUBLISHED,
        kind="result.published",
        payload={"winner": contest.result.summary["winner"]},
        facts=board_facts(contest),  # the board's root, which the published head covers
        checkpoint=Checkpoint.PUBLISHED,
    )
