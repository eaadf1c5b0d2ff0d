"""PostgreSQL only: twenty simultaneous casts with one code store exactly one ballot (row
lock), and after the close no ballot shares a transaction id with a credential."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from django.db import connection, connections

from omov.web.balloting.models import Ballot, CredentialState
from omov.web.balloting.services import ballot_cast
from omov.web.electorate.models import Elector
from omov.web.errors import ContestError

from .conftest import ballot_ready

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 20


def test_twenty_concurrent_casts_with_one_code_store_one_ballot() -> None:
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://..."
    ready = ballot_ready(per_section=2)
    elector_id, code = next(iter(ready.codes.items()))
    start = Barrier(THREADS)

    def cast(n: int) -> str:
        start.wait()
        try:
            return ballot_cast(contest=ready.contest, code=code, ranking=[1 + n % 3])
        except ContestError as error:
            return f"refused: {error}"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(cast, range(THREADS)))
    receipts = [o for o in outcomes if not o.startswith("refused")]
    assert len(receipts) == 1
    assert outcomes.count("refused: this code has already been used") == THREADS - 1
    assert list(Ballot.objects.values_list("receipt", flat=True)) == receipts
    elector = Elector.objects.get(pk=elector_id)
    assert elector.has_voted
    assert elector.credentials.get().state == CredentialState.USED


def _xmins(sql: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {row[0] for row in cursor.fetchall()}


def test_after_close_no_ballot_shares_a_transaction_id_with_a_credential() -> None:
    from omov.web.balloting.services import ballot_close

    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://..."
    ready = ballot_ready(per_section=2)
    for code in ready.codes.values():
        ballot_cast(contest=ready.contest, code=code, ranking=[1])
    used = "SELECT xmin::text FROM balloting_credential WHERE state = 'used'"
    ballots = "SELECT xmin::text FROM balloting_ballot"
    assert _xmins(used) == _xmins(ballots)  # while open, xmin joins them: the test can see it
    ballot_close(contest=ready.contest, reason="the test closes it early")
    assert len(_xmins(ballots)) == 1
    assert not _xmins(ballots) & _xmins(used)
    assert not _xmins(ballots) & _xmins("SELECT xmin::text FROM electorate_elector")


def test_a_cast_during_the_close_waits_and_then_finds_the_ballot_closed() -> None:
    from threading import Thread

    from django.db import transaction

    from omov.web.contests.models import Contest, ContestState

    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://..."
    ready = ballot_ready(per_section=1)
    code = next(iter(ready.codes.values()))
    outcome: list[str] = []

    def cast() -> None:
        try:
            outcome.append(ballot_cast(contest=ready.contest, code=code, ranking=[1]))
        except ContestError as error:
            outcome.append(str(error))
        finally:
            connections.close_all()

    with transaction.atomic():  # what ballot_close holds while it reseals the box
        Contest.objects.select_for_update().get(pk=ready.contest.pk)
        caster = Thread(target=cast)
        caster.start()
        caster.join(timeout=1.0)
        assert caster.is_alive(), "the cast should wait for the close to finish"
        Contest.objects.filter(pk=ready.contest.pk).update(state=ContestState.BALLOT_CLOSED)
    caster.join(timeout=10)
    assert outcome == ["the ballot is not open"]
    assert not Ballot.objects.exists()
