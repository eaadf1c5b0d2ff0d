"""Recording nominations, supporting nominations and withdrawals, and closing nominations.

Each is an event for the rules engine (``omov.web.contests.engine``); the engine decides
who is on the ballot, or that a lone candidate is elected unopposed, citing the rules."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext

from omov.rules.contest import Contest as EngineContest
from omov.rules.decisions import DecisionKind
from omov.rules.events import CloseNominations, Nominations, SupportingNomination, Withdrawal
from omov.web.audit.services import event_record
from omov.web.contests.engine import Actor, engine_run, event_add, nominating_bodies
from omov.web.contests.models import Candidate, Contest, ContestState
from omov.web.contests.services import contest_lock, contest_transition, label_checked
from omov.web.errors import ContestError
from omov.web.nominations.models import Nomination

OPEN = (ContestState.NOMINATIONS,)


def nomination_record(
    *,
    candidate: Candidate,
    nominator: str,
    body: str = "",
    unit: str = "",
    actor: Actor = None,
) -> Nomination:
    """Record that ``nominator``, a member of ``body`` (by default the first nominating
    body) and of ``unit`` (a branch or local party, where the rules count them), nominates
    ``candidate``."""
    return nominations_record(
        candidate=candidate, nominators=[nominator], body=body, unit=unit, actor=actor
    )[0]


@transaction.atomic
def nominations_record(
    *,
    candidate: Candidate,
    nominators: Sequence[str],
    body: str = "",
    unit: str = "",
    actor: Actor = None,
) -> list[Nomination]:
    """Nominations received together (a branch's sheet of names): one event for the engine."""
    contest = contest_lock(contest=candidate.contest, expected=OPEN)
    if not nominators or not all(name.strip() for name in nominators):
        raise ContestError(gettext("the nomination needs the nominator's name"))
    names = [label_checked(name, what="the nominator's name", longest=120) for name in nominators]
    if len(set(names)) != len(names):
        raise ContestError(gettext("a nominator is named twice"))
    bodies = nominating_bodies(contest)
    body = body or bodies[0]
    if body not in bodies:
        raise ContestError(
            gettext("nominations come from %(bodies)s, not %(body)s")
            % {"bodies": ", ".join(bodies), "body": repr(body)}
        )
    earlier = (
        Nomination.objects.filter(contest=contest, nominator__in=names)
        .select_related("candidate")
        .first()
    )
    if earlier is not None:
        raise ContestError(
            gettext("%(nominator)s has already nominated %(name)s")
            % {"nominator": earlier.nominator, "name": earlier.candidate.name}
        )
    made = Nomination.objects.bulk_create(
        Nomination(contest=contest, candidate=candidate, nominator=name, body=body)
        for name in names
    )
    event = Nominations(
        type="nominations", candidate=candidate.name, nominators={body: names}, unit=unit.strip()
    )
    common = {"candidate": candidate.name, "body": body, "unit": unit.strip()}
    for name in names[:-1]:  # one ledger entry a nomination (the log keeps a keyed hash)
        event_record(
            stream=contest.stream, kind="nomination.recorded", payload={**common, "nominator": name}
        )
    event_add(
        contest=contest,
        event=event,
        kind="nomination.recorded",
        payload={**common, "nominator": names[-1]},
        actor=actor,
    )
    return made


@transaction.atomic
def supporting_nomination_record(
    *,
    candidate: Candidate,
    body: str,
    nominator: str,
    kind: str = "",
    membership: int = 0,
    count: int = 1,
    actor: Actor = None,
) -> None:
    """A supporting nomination (a CLP's, an affiliate's with its kind and membership);
    ``count``: several units' at once, as a tally reported together."""
    contest = contest_lock(contest=candidate.contest, expected=OPEN)
    if not nominator.strip():
        raise ContestError(gettext("the supporting nomination needs the nominating unit's name"))
    event = SupportingNomination(
        type="supporting-nomination",
        candidate=candidate.name,
        body=body,
        nominator=nominator.strip(),
        kind=kind,
        membership=membership,
        count=count,
    )
    payload = {
        "candidate": candidate.name,
        "body": body,
        "nominator": event.nominator,
        "kind": kind,
        "membership": membership,
        "count": count,
    }
    event_add(
        contest=contest,
        event=event,
        kind="supporting-nomination.recorded",
        payload=payload,
        actor=actor,
    )


@transaction.atomic
def candidate_withdraw(*, candidate: Candidate, actor: Actor = None) -> None:
    contest = contest_lock(contest=candidate.contest, expected=OPEN)
    event_add(
        contest=contest,
        event=Withdrawal(type="withdrawal", candidate=candidate.name),
        kind="candidate.withdrawn",
        payload={"candidate": candidate.name},
        actor=actor,
    )


@transaction.atomic
def nominations_close(*, contest: Contest, actor: Actor = None) -> Contest:
    """Close nominations: the engine decides the ballot. A lone candidate validly nominated
    is elected unopposed; with nobody, or before any contest is triggered, the close is
    refused with the engine's reason."""
    contest = contest_lock(contest=contest, expected=OPEN)
    close = CloseNominations(type="close-nominations")
    engine = engine_run(contest, then=[close])
    if not engine.open:
        raise ContestError(
            gettext("no contest has been triggered: %(reason)s") % {"reason": _last_reason(engine)}
        )
    if engine.shortlist:
        raise ContestError(
            gettext(
                "the rules hold shortlist ballots first, which omov's web app does not run:"
                " %(reason)s"
            )
            % {"reason": _last_reason(engine)}
        )
    if not engine.ballot:
        raise ContestError(_last_reason(engine))
    event_add(
        contest=contest,
        event=close,
        kind="engine.nominations-closed",
        payload={"on_ballot": list(engine.ballot)},
        actor=actor,
    )
    names = list(engine.ballot)
    _ballot_paper(contest, names)
    if engine.decided and engine.elected:
        target, kind = ContestState.UNOPPOSED, "nominations.closed.unopposed"
    else:
        target, kind = ContestState.ELECTORATE, "nominations.closed"
    return contest_transition(
        contest=contest,
        source=OPEN,
        target=target,
        kind=kind,
        payload={"on_ballot": names, "elected": engine.elected},
    )


def _ballot_paper(contest: Contest, names: list[str]) -> None:
    """Mark the engine's ballot; an option the rules add (RON) becomes a candidate."""
    known = set(contest.candidates.values_list("name", flat=True))
    for name in names:
        if name not in known:
            Candidate.objects.create(
                contest=contest, name=name, position=contest.candidates.count() + 1
            )
    contest.candidates.filter(name__in=names).update(on_ballot=True)


def _last_reason(engine: EngineContest) -> str:
    decisions = engine.decisions
    wanted = (DecisionKind.BALLOT, DecisionKind.NOT_TRIGGERED, DecisionKind.NOT_ON_BALLOT)
    last = next((d for d in reversed(decisions) if d.kind in wanted), None)
    return f"{last.summary}: {last.explanation} ({last.citation})" if last else "no ballot"
