"""The electorate's and the ballot box's figures the officer reads come from tallies the
database keeps (triggers, migrations electorate 0004 and balloting 0006), not from counting
every row: after each kind of write, through the services or around them (the admin, a
bulk update, a delete), the tally equals a fresh count of the rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import F

from omov.web.balloting.models import Ballot, BallotTally
from omov.web.balloting.selectors import ballots_cast
from omov.web.balloting.services import (
    ballot_cast,
    ballot_close,
    credential_reissue,
    postal_import,
)
from omov.web.contests.models import Contest
from omov.web.electorate.models import Elector, ElectorTally, Eligibility
from omov.web.electorate.selectors import elector_counts, elector_counts_recounted
from omov.web.electorate.services import (
    appeal_decide,
    appeal_lodge,
    elector_exclude,
    roll_import,
)
from omov.web.electorate.vetting import (
    exclusion_appeal,
    exclusion_appeal_decide,
    exclusion_confirm,
    exclusion_propose,
    exclusions_confirm,
    exclusions_import,
)

from .conftest import ballot_ready, import_rolls, member_roll, nominated_contest


def _user(name: str) -> User:
    return get_user_model().objects.create_user(name)


def _agrees(contest: Contest) -> list[dict[str, Any]]:
    """The tally's figures, checked against a recount of the electors and the ballots."""
    recounted = elector_counts_recounted(contest=contest)
    assert elector_counts(contest=contest) == recounted
    assert ballots_cast(contest=contest) == Ballot.objects.filter(contest=contest).count()
    return recounted


def _n(figures: list[dict[str, Any]], **match: object) -> int:
    return sum(row["n"] for row in figures if all(row[k] == v for k, v in match.items()))


def _electorate() -> Contest:
    return nominated_contest()


@pytest.mark.django_db
def test_the_tally_follows_imports_vetting_appeals_and_writes_around_the_services() -> None:
    contest = _electorate()
    first, second, panel = _user("first"), _user("second"), _user("panel")
    assert _agrees(contest) == []
    import_rolls(contest, 4)  # each member roll has one who joined too late
    figures = _agrees(contest)
    assert _n(figures) == 13
    assert _n(figures, reason="joined_after_freeze") == 1
    roll_import(contest=contest, section="members", data=member_roll(2, late=0))  # a smaller roll
    assert _n(_agrees(contest), section="members") == 2

    proposed = exclusion_propose(
        elector=contest.electors.get(reference="M0001"),
        ground="aims-and-values",
        note="Posts",
        actor=first,
    )
    assert _n(_agrees(contest), eligibility=Eligibility.EXCLUDED) == 0  # only proposed
    exclusion_confirm(exclusion=proposed, actor=second)
    assert _n(_agrees(contest), eligibility=Eligibility.EXCLUDED) == 1
    appeal = exclusion_appeal(exclusion=proposed, grounds="Not mine")
    exclusion_appeal_decide(appeal=appeal, uphold=True, reason="Another's posts", actor=panel)
    assert _n(_agrees(contest), eligibility=Eligibility.EXCLUDED) == 0

    bulk = "section,reference,ground,note\nmembers,M0002,aims-and-values,Posts\n"
    exclusions_import(contest=contest, text=bulk, actor=first)
    exclusions_confirm(contest=contest, proposed_by=first, actor=second)
    assert _n(_agrees(contest), eligibility=Eligibility.EXCLUDED) == 1

    excluded = elector_exclude(elector=contest.electors.get(reference="S0001"), grounds="Dup")
    assert _n(_agrees(contest), eligibility=Eligibility.EXCLUDED) == 2
    appeal_decide(appeal=appeal_lodge(elector=excluded, grounds="No"), uphold=True, reason="OK")
    assert _n(_agrees(contest), reason="appeal-upheld") == 1

    # Around the services, as the admin or a script would write.
    Elector.objects.filter(contest=contest, section="affiliated-supporters").update(
        eligibility=Eligibility.INELIGIBLE, reason="arrears"
    )
    assert _n(_agrees(contest), reason="arrears") == 4
    Elector.objects.bulk_create(
        Elector(contest=contest, reference=f"X{n}", section="members") for n in range(3)
    )
    assert _n(_agrees(contest), section="members") == 5
    Elector.objects.filter(contest=contest, reference__startswith="X").delete()
    elector = contest.electors.get(reference="S0002")
    elector.section = "members"
    elector.save()
    assert _n(_agrees(contest), section="members") == 3
    assert _n(_agrees(contest)) == 10


@pytest.mark.django_db
def test_the_tally_follows_codes_casts_reissues_postal_papers_and_the_close() -> None:
    ready = ballot_ready()
    contest = ready.contest
    codes = list(ready.codes.items())
    ballot_cast(contest=contest, code=codes[0][1], ranking=[1])
    figures = _agrees(contest)
    assert _n(figures, has_voted=True) == 1
    credential_reissue(elector=Elector.objects.get(pk=codes[1][0]), send=False)
    postal_import(contest=contest, text=f"credential,preferences\n{codes[2][1]},Alice Incumbent\n")
    figures = _agrees(contest)
    assert _n(figures, has_voted=True) == ballots_cast(contest=contest) == 2
    ballot_close(contest=contest, reason="Closing early in a test.")  # reseals the box
    assert ballots_cast(contest=contest) == 2
    _agrees(contest)


@pytest.mark.django_db(transaction=True)
def test_the_tally_follows_the_one_statement_cast() -> None:
    """Outside a transaction on PostgreSQL a cast is one statement (balloting.casting): the
    triggers count it in that statement; elsewhere it runs as ORM queries."""
    ready = ballot_ready()
    for i, code in enumerate(list(ready.codes.values())[:3]):
        ballot_cast(contest=ready.contest.pk, code=code, ranking=[1 + i % 3])
    assert _n(_agrees(ready.contest), has_voted=True) == ballots_cast(contest=ready.contest) == 3


@pytest.mark.django_db(transaction=True)
def test_rows_counted_under_other_slots_stay_right() -> None:
    """A figure is the sum of its rows whatever their slot, so the rows kept before the slots
    changed (16 to 256 on PostgreSQL, migrations electorate 0006 and balloting 0007) stay
    right: every row moved to slots no trigger writes, the casts and a close still agree."""
    ready = ballot_ready()
    codes = list(ready.codes.values())
    ballot_cast(contest=ready.contest.pk, code=codes[0], ranking=[1])
    moved = {"slot": F("slot") + 1000}
    assert ElectorTally.objects.update(**moved) > 0
    assert BallotTally.objects.update(**moved) > 0
    for i, code in enumerate(codes[1:4]):
        ballot_cast(contest=ready.contest.pk, code=code, ranking=[1 + i % 3])
    assert _n(_agrees(ready.contest), has_voted=True) == ballots_cast(contest=ready.contest) == 4
    ballot_close(contest=ready.contest, reason="Closing early in a test.")
    _agrees(ready.contest)


@pytest.mark.django_db
def test_the_figures_need_no_read_of_every_elector() -> None:
    """The figures' queries read the tallies alone (a few rows a figure), never the electors'
    or the ballots' table."""
    contest = ballot_ready().contest
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        elector_counts(contest=contest)
        ballots_cast(contest=contest)
    read = " ".join(q["sql"] for q in queries.captured_queries)
    assert "electorate_electortally" in read
    assert "balloting_ballottally" in read
    assert 'electorate_elector"' not in read
    assert 'balloting_ballot"' not in read
    _agrees(contest)
