"""Ballot secrecy, shown from the schema itself: nothing in the database lets a query join a
stored ballot to an elector or a credential."""

from __future__ import annotations

import pytest
from django.db import connection

from omov.web.audit.models import AuditEvent
from omov.web.balloting.models import Ballot, Credential
from omov.web.balloting.services import ballot_cast
from omov.web.contests.models import Contest
from omov.web.electorate.models import Elector

from .conftest import OpenBallot

pytestmark = pytest.mark.django_db

# Columns a ballot may share by name with the person side, and why they cannot identify:
# ``contest_id`` is the same for every ballot of a contest; ``section`` is one of three
# sections, which Labour publishes results by anyway.
HARMLESS = {"contest_id", "section"}


def _columns(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, table)
    return {column.name: column.type_code for column in description}


def _foreign_keys(table: str) -> dict[str, tuple[str, str]]:
    with connection.cursor() as cursor:
        return connection.introspection.get_relations(cursor, table)


def test_ballot_table_references_only_its_contest() -> None:
    relations = _foreign_keys(Ballot._meta.db_table)
    assert {column: target for column, (_, target) in relations.items()} == {
        "contest_id": Contest._meta.db_table
    }
    for table in connection.introspection.table_names():
        for _, target in _foreign_keys(table).values():
            assert target != Ballot._meta.db_table, f"{table} points at ballots"


def test_ballot_shares_no_identifying_column_with_electors_or_credentials() -> None:
    ballot = set(_columns(Ballot._meta.db_table))
    person = set(_columns(Elector._meta.db_table)) | set(_columns(Credential._meta.db_table))
    assert ballot & person <= HARMLESS | {"id"}
    # "id" is shared by name only: a ballot's id is a random UUID, never an elector's number.
    assert Ballot._meta.pk is not None
    assert Ballot._meta.pk.get_internal_type() == "UUIDField"
    assert Elector._meta.pk is not None
    assert Elector._meta.pk.get_internal_type() != "UUIDField"


def test_ballot_has_no_time_at_all() -> None:
    kinds = {field.get_internal_type() for field in Ballot._meta.get_fields()}
    assert not kinds & {"DateTimeField", "DateField", "TimeField", "DurationField"}
    assert not {"DateTimeField", "DateField"} & {
        f.get_internal_type() for f in Credential._meta.get_fields()
    }


def test_storage_order_does_not_follow_voting_order(open_ballot: OpenBallot) -> None:
    cast = []
    for code in open_ballot.codes.values():
        cast.append(ballot_cast(contest=open_ballot.contest, code=code, ranking=[1]))
    by_key = list(Ballot.objects.order_by("id").values_list("receipt", flat=True))
    assert sorted(by_key) == sorted(cast)
    assert by_key != cast  # 12 ballots: 1 chance in 12! of this failing by luck


def test_casting_leaves_no_trace_beyond_has_voted(open_ballot: OpenBallot) -> None:
    events_before = AuditEvent.objects.count()
    elector_id, code = next(iter(open_ballot.codes.items()))
    receipt = ballot_cast(contest=open_ballot.contest, code=code, ranking=[2, 1])
    assert AuditEvent.objects.count() == events_before
    elector = Elector.objects.get(pk=elector_id)
    assert elector.has_voted
    person_values = {str(v) for v in Elector.objects.filter(pk=elector_id).values().get().values()}
    for credential in elector.credentials.values():
        person_values |= {str(v) for v in credential.values()}
    ballot_values = {str(v) for k, v in Ballot.objects.values().get().items() if k not in HARMLESS}
    assert not ballot_values & person_values
    assert receipt not in person_values


def _storage_order(table: str) -> list[str]:
    position = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT receipt FROM {table} ORDER BY {position}")
        return [row[0] for row in cursor.fetchall()]


def test_closing_reseals_the_box_in_random_storage_order(open_ballot: OpenBallot) -> None:
    from omov.web.balloting.services import ballot_close

    cast = [
        ballot_cast(contest=open_ballot.contest, code=code, ranking=[1 + n % 3])
        for n, code in enumerate(open_ballot.codes.values())
    ]
    table = Ballot._meta.db_table
    assert _storage_order(table) == cast  # while open, storage order is casting order
    before = sorted(Ballot.objects.values_list("receipt", "ciphertext", "section"))
    ballot_close(contest=open_ballot.contest, reason="the test closes it early")
    assert sorted(Ballot.objects.values_list("receipt", "ciphertext", "section")) == before
    assert _storage_order(table) != cast  # 12 ballots: 1 chance in 12! of failing by luck
