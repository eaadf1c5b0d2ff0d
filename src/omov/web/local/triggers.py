"""Trigger ballots: a sitting representative wishes to stand again; each party branch and
affiliated branch of the unit answers yes or no (its meeting's vote, ``services``); the
engine says, with the arithmetic, whether an open selection follows, under the edition the
ballot was opened under. An open selection is then a contest of its own, opened through the
contest services: the unit's members on its roll, one member one vote, the rulebook's
method.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from omov.web.audit.services import event_record
from omov.web.contests.engine import Actor
from omov.web.contests.models import Contest
from omov.web.contests.services import candidate_add, contest_open, label_checked
from omov.web.electorate.services import roll_import
from omov.web.errors import ContestError
from omov.web.local import engine
from omov.web.local.models import TriggerBallot, TriggerState
from omov.web.local.selectors import book_of, rulebook_row, unit_members
from omov.web.local.services import actor_name
from omov.web.members.models import Unit

ROLL_COLUMNS = ("membership_number", "email", "date_of_birth", "join_date", "status", "arrears")


def _log(ballot: TriggerBallot, kind: str, payload: dict[str, object], actor: Actor) -> None:
    event_record(
        stream=f"organisation:{ballot.unit.organisation_id}",
        kind=f"local.trigger-ballot.{kind}",
        payload={
            "trigger_ballot": ballot.pk,
            "unit": ballot.unit.code,
            **payload,
            "actor": actor_name(actor),
        },
    )


@transaction.atomic
def trigger_ballot_open(*, unit: Unit, representative: str, actor: Actor = None) -> TriggerBallot:
    """``representative`` (the sitting MP) wishes to stand again for ``unit``."""
    row = rulebook_row(unit.organisation)
    rules = engine.trigger_rules(book_of(row))
    if unit.kind == rules.party_units or unit.kind == rules.affiliated_units:
        raise ContestError(gettext("a trigger ballot is held by the unit whose branches answer it"))
    name = label_checked(representative, what="the representative's name", longest=120)
    if TriggerBallot.objects.filter(unit=unit, state=TriggerState.OPEN).exists():
        raise ContestError(
            gettext("%(name)s already has a trigger ballot under way") % {"name": unit.name}
        )
    ballot = TriggerBallot.objects.create(
        unit=unit,
        rulebook=row,
        representative=name,
        opened_by_id=actor.pk if actor is not None and actor.is_authenticated else None,
    )
    _log(ballot, "opened", {"representative": name, "rulebook": row.key}, actor)
    return ballot


def branches(ballot: TriggerBallot) -> list[tuple[Unit, bool]]:
    """The unit's party and affiliated branches, each with whether it is affiliated."""
    rules = engine.trigger_rules(book_of(ballot.rulebook))
    kinds = {rules.party_units: False, rules.affiliated_units: True}
    found = Unit.objects.filter(parent=ballot.unit, kind__in=kinds).order_by("kind", "name")
    return [(unit, kinds[unit.kind]) for unit in found]


def answers_now(ballot: TriggerBallot) -> list[engine.BranchAnswer]:
    """Every branch's answer so far (None where it has not answered)."""
    given = dict(ballot.answers.values_list("unit_id", "yes"))
    return [
        engine.BranchAnswer(unit=unit.name, affiliated=affiliated, yes=given.get(unit.pk))
        for unit, affiliated in branches(ballot)
    ]


def outcome_now(ballot: TriggerBallot) -> engine.TriggerRuling:
    """What the engine would decide on the answers so far."""
    return engine.trigger_ruling(
        book_of(ballot.rulebook), answers_now(ballot), representative=ballot.representative
    )


@transaction.atomic
def trigger_ballot_decide(
    *,
    ballot: TriggerBallot,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
    actor: Actor = None,
) -> TriggerBallot:
    """Decide on the branches' answers; an open selection opens its contest (the ballot's
    dates are needed then)."""
    ballot = TriggerBallot.objects.select_for_update().select_related("unit").get(pk=ballot.pk)
    if ballot.state != TriggerState.OPEN:
        raise ContestError(gettext("this trigger ballot has been decided"))
    ruling = outcome_now(ballot)
    if ruling.open_selection and (opens_at is None or closes_at is None):
        raise ContestError(
            gettext("%(summary)s: give the selection ballot's opening and closing times")
            % {"summary": ruling.decision.summary}
        )
    ballot.state = TriggerState.DECIDED
    ballot.open_selection = ruling.open_selection
    ballot.decisions = [ruling.decision.as_record()]
    if ruling.open_selection:
        assert opens_at is not None
        assert closes_at is not None
        ballot.selection = selection_open(
            ballot=ballot, opens_at=opens_at, closes_at=closes_at, actor=actor
        )
    ballot.save()
    _log(
        ballot,
        "decided",
        {
            "open_selection": ruling.open_selection,
            "selection": ballot.selection_id,
            "method": ruling.method,
            "decisions": ballot.decisions,
        },
        actor,
    )
    return ballot


def selection_open(
    *, ballot: TriggerBallot, opens_at: dt.datetime, closes_at: dt.datetime, actor: Actor
) -> Contest:
    """The open selection as a contest: the sitting representative is on the shortlist as
    the incumbent, the unit's members are its roll (the contest's eligibility decides who
    votes, as for any contest), counted by the rulebook's method."""
    unit = ballot.unit
    contest = contest_open(
        rulebook=ballot.rulebook,
        title=f"Selection of the candidate for {unit.name}",
        nominating_body_size=max(len(branches(ballot)), 1),
        freeze_date=timezone.localdate(),
        ballot_opens_at=opens_at,
        ballot_closes_at=closes_at,
        actor=actor,
    )
    candidate_add(contest=contest, name=ballot.representative, incumbent=True, actor=actor)
    roll_import(contest=contest, section="members", data=_roll(unit))
    return contest


def _roll(unit: Unit) -> bytes:
    """The unit's members as the contest's members' roll."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ROLL_COLUMNS)
    for member in unit_members(unit).exclude(number=""):
        writer.writerow(
            (
                member.number,
                member.email,
                member.date_of_birth.isoformat(),
                member.joined.isoformat(),
                member.standing,
                "false",
            )
        )
    return out.getvalue().encode()
