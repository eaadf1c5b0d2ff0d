"""Twenty simultaneous casts with one code store exactly one ballot (PostgreSQL row lock)."""

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
