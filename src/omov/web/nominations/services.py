"""Recording nominations and closing them."""

from __future__ import annotations

from django.db import transaction

from omov.web.audit.services import event_record
from omov.web.contests.models import Candidate, Contest, ContestState
from omov.web.contests.services import contest_lock, contest_transition
from omov.web.errors import ContestError
from omov.web.nominations.models import Nomination
from omov.web.nominations.selectors import nomination_standing


@transaction.atomic
def nomination_record(*, candidate: Candidate, nominator: str) -> Nomination:
    """Record that ``nominator`` (a member of the nominating body) nominates ``candidate``."""
    contest = contest_lock(contest=candidate.contest, expected=(ContestState.NOMINATIONS,))
    nominator = nominator.strip()
    if not nominator:
        raise ContestError("the nomination needs the nominator's name")
    earlier = Nomination.objects.filter(contest=contest, nominator=nominator).first()
    if earlier is not None:
        raise ContestError(f"{nominator} has already nominated {earlier.candidate.name}")
    if contest.nominations.count() >= contest.nominating_body_size:
        raise ContestError("every member of the nominating body has already nominated")
    nomination = Nomination.objects.create(
        contest=contest, candidate=candidate, nominator=nominator
    )
    event_record(
        stream=contest.stream,
        kind="nomination.recorded",
        payload={"candidate": candidate.name, "nominator": nominator},
    )
    return nomination


@transaction.atomic
def nominations_close(*, contest: Contest) -> Contest:
    """Close nominations: the candidates who qualify under the rulebook go on the ballot."""
    contest = contest_lock(contest=contest, expected=(ContestState.NOMINATIONS,))
    standing = nomination_standing(contest=contest)
    qualified = [s for s in standing if s.qualifies]
    if len(qualified) < 2:
        raise ContestError(
            "fewer than two candidates qualify, so there is no ballot: "
            + "; ".join(f"{s.name} {s.nominations}/{s.threshold}" for s in standing)
        )
    contest.candidates.filter(pk__in=[s.candidate_id for s in qualified]).update(on_ballot=True)
    return contest_transition(
        contest=contest,
        source=(ContestState.NOMINATIONS,),
        target=ContestState.ELECTORATE,
        kind="nominations.closed",
        payload={
            "on_ballot": [s.name for s in qualified],
            "standing": {s.name: s.nominations for s in standing},
            "threshold": standing[0].threshold,
        },
    )
