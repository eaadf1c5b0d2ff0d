"""PostgreSQL refuses to change or delete any row of the transparency log."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from omov.web.balloting.services import ballot_cast
from omov.web.trust.models import BallotLeaf, LogEntry, TreeHeadRecord
from omov.web.trust.services import checkpoint_sign

from .conftest import OpenBallot, with_batches_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_the_database_keeps_the_log_append_only(open_ballot: OpenBallot) -> None:
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://..."
    code = next(iter(open_ballot.codes.values()))
    ballot_cast(contest=open_ballot.contest, code=code, ranking=[1])
    with_batches_of(open_ballot.contest, 1)  # a rulebook that lets a batch be of one
    checkpoint_sign(contest=open_ballot.contest)
    changes = (
        (LogEntry, {"data": '{"kind":"ballot-opened"}'}),
        (LogEntry, {"root": "00" * 32}),
        (BallotLeaf, {"data": "{}"}),
        (TreeHeadRecord, {"size": 0}),
    )
    for model, change in changes:
        rows = model.objects.all()
        assert rows.exists()
        with pytest.raises(DatabaseError, match="append-only: UPDATE"), transaction.atomic():
            rows.update(**change)
        with pytest.raises(DatabaseError, match="append-only: DELETE"), transaction.atomic():
            rows._raw_delete(rows.db)  # type: ignore[attr-defined]  (past the model's guard)
    first = LogEntry.objects.order_by("index").first()
    assert first is not None
    assert first.kind == "rulebook-loaded"
    assert BallotLeaf.objects.count() == 1
