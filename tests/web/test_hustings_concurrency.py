"""PostgreSQL only: one member, one vote under load. Twenty requests from one member to
support one question arrive together, each in its own thread with its own connection:
the unique constraint counts exactly one, and the other nineteen are told they already
support it (no server error)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from omov.web.hustings.models import Support
from omov.web.hustings.services import ALREADY, question_ask

from .hustings_helpers import campaign
from .members_helpers import sign_in_member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 20


def test_twenty_concurrent_supports_by_one_member_count_once() -> None:
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://..."
    ready = campaign(members=2)
    asker, supporter = ready.members
    question = question_ask(contest=ready.contest, member=asker, text="Will you keep OMOV?")
    url = reverse("hustings-support", args=[ready.contest.pk, question.number])
    page = reverse("hustings", args=[ready.contest.pk])
    clients = []
    for _ in range(THREADS):
        client = Client()
        sign_in_member(client, supporter)
        clients.append(client)
    start = Barrier(THREADS)

    def support(client: Client) -> tuple[int, str]:
        try:
            start.wait()
            status = client.post(url).status_code
            return status, client.get(page).content.decode()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(support, clients))
    assert [status for status, _ in outcomes] == [302] * THREADS
    told = [body for _, body in outcomes]
    assert sum("You support question 1." in body for body in told) == 1
    assert sum(ALREADY in body for body in told) == THREADS - 1
    assert Support.objects.filter(question=question, member=supporter).count() == 1
    assert Support.objects.filter(question=question).count() == 2  # the asker's and one
