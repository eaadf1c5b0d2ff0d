"""Postal returns, the results page and its downloads, and the seeded demo."""

from __future__ import annotations

import io
import json

import pyarrow.parquet as pq
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from omov.web.access.models import Role
from omov.web.access.roles import may
from omov.web.balloting.models import Ballot, Channel
from omov.web.balloting.services import ballot_cast, ballot_close, postal_import
from omov.web.contests.models import Contest, ContestState
from omov.web.demo import demo_seed
from omov.web.electorate.models import Elector, Eligibility
from omov.web.results.services import result_count, result_publish
from omov.web.trustees.models import DecryptedPaper

from .conftest import OpenBallot

pytestmark = pytest.mark.django_db


def test_postal_returns_count_once_per_credential(open_ballot: OpenBallot) -> None:
    codes = list(open_ballot.codes.values())
    ballot_cast(contest=open_ballot.contest, code=codes[0], ranking=[1])
    text = "\n".join(
        [
            "credential,preferences",
            f"{codes[1]},Bob Challenger>Alice Incumbent",
            f"{codes[1]},Alice Incumbent",  # the same paper's credential again
            f"{codes[0]},Carol Challenger",  # already voted online
            f"{codes[2]},Dave Nobody",
            "ZZZZ-ZZZZ-ZZZZ,Alice Incumbent",
            f"{codes[3]},Carol Challenger",
        ]
    )
    outcomes = postal_import(contest=open_ballot.contest, text=text)
    assert [(o.line, o.accepted) for o in outcomes] == [
        (2, True),
        (3, False),
        (4, False),
        (5, False),
        (6, False),
        (7, True),
    ]
    assert outcomes[1].reason == "this code has already been used"
    assert outcomes[3].reason == "names a candidate who is not on this ballot"
    assert outcomes[4].reason == "this code is not valid for this ballot"
    assert Ballot.objects.filter(channel=Channel.POSTAL).count() == 2
    assert Ballot.objects.count() == 3
    assert Elector.objects.filter(has_voted=True).count() == 3
    # Postal papers are encrypted as they are imported, and decrypt with the rest.
    ballot_close(contest=open_ballot.contest, reason="the test closes it early")
    open_ballot.mix_and_decrypt()
    papers = DecryptedPaper.objects.filter(contest=open_ballot.contest)
    assert sorted(p.ranking for p in papers) == [[1], [2, 1], [3]]


def test_postal_returns_with_wrong_columns_are_refused(open_ballot: OpenBallot) -> None:
    from omov.web.errors import ContestError

    with pytest.raises(ContestError, match="credential,preferences"):
        postal_import(contest=open_ballot.contest, text="code,ranking\nX,Y\n")
    assert Ballot.objects.count() == 0


def _counted(open_ballot: OpenBallot) -> Contest:
    codes = list(open_ballot.codes.values())
    for code, ranking in zip(codes, [[1], [2, 1], [3, 2], [1, 3], [2]], strict=False):
        ballot_cast(contest=open_ballot.contest, code=code, ranking=ranking)
    ballot_close(contest=open_ballot.contest, reason="the test closes it early")
    open_ballot.mix_and_decrypt()
    result_count(contest=open_ballot.contest)
    return open_ballot.contest


def test_results_are_hidden_until_published_then_shown_with_downloads(
    open_ballot: OpenBallot,
) -> None:
    contest = _counted(open_ballot)
    page = reverse("results", args=[contest.pk])
    assert Client().get(page).status_code == 404
    result_publish(contest=contest)
    response = Client().get(page)
    html = response.content.decode()
    assert "Elected: Bob Challenger" in html
    assert "Registered supporters" in html  # every reporting section, named by the rulebook
    assert "5 of 12 eligible electors (41.7%)" in html
    rctab = Client().get(reverse("results-download", args=[contest.pk, "rctab.json"]))
    assert rctab.status_code == 200
    summary = json.loads(rctab.content)
    assert summary["results"][0]["tally"] == {
        "Alice Incumbent": "2",
        "Bob Challenger": "2",
        "Carol Challenger": "1",
    }
    csv = Client().get(reverse("results-download", args=[contest.pk, "results.csv"]))
    assert csv.status_code == 200
    assert b"Bob Challenger" in csv.content
    board = Client().get(reverse("results-download", args=[contest.pk, "board.parquet"]))
    table = pq.read_table(io.BytesIO(board.content)).to_pydict()
    stored = {p.id.hex: p for p in DecryptedPaper.objects.all()}
    assert sorted(table["ballot_id"]) == sorted(stored)  # the board lists the decrypted papers
    names = {c.position: c.name for c in open_ballot.candidates}
    for paper_id, first in zip(table["ballot_id"], table["rank_1"], strict=True):
        assert first == names[stored[paper_id].ranking[0]]


def test_demo_seeds_a_2016_shaped_contest_that_counts() -> None:
    demo = demo_seed(cast_fraction=0.3, scale=0.001)
    contest = Contest.objects.get(pk=demo.contest_id)
    assert contest.state == ContestState.BALLOT_OPEN
    eligible = contest.electors.filter(eligibility=Eligibility.ELIGIBLE)
    assert set(eligible.values_list("section", flat=True)) == {
        "members",
        "registered-supporters",
        "affiliated-supporters",
    }
    assert contest.electors.exclude(eligibility=Eligibility.ELIGIBLE).exists()
    assert Ballot.objects.count() == demo.ballots_cast > 0
    voter = contest.electors.get(reference=demo.voter)
    assert voter.section == "members"
    assert not voter.has_voted
    receipt = ballot_cast(contest=contest, code=demo.voting_code, ranking=[2])
    assert Ballot.objects.filter(receipt=receipt).exists()
    client = Client()
    assert (
        client.post(
            reverse("login"), {"username": demo.officer, "password": demo.password}
        ).status_code
        == 302
    )
    assert may(get_user_model().objects.get(username="officer"), Role.RETURNING_OFFICER, contest)
    closing = {"confirm": "close", "reason": "The demo closes it early."}
    assert client.post(reverse("ballot-close", args=[contest.pk]), closing).status_code == 302
    # The officer runs the demo's trustees from the dashboard, then counts.
    assert (
        b"Mix and decrypt with the demo"
        in client.get(reverse("contest-dashboard", args=[contest.pk])).content
    )
    assert client.post(reverse("trustees-demo", args=[contest.pk])).status_code == 302
    counting = {"confirm": "yes"}
    assert client.post(reverse("result-count", args=[contest.pk]), counting).status_code == 302
    contest.refresh_from_db()
    assert contest.state == ContestState.COUNTED
    assert sum(int(v) for v in contest.result.summary["rounds"][0]["tallies"].values()) == (
        demo.ballots_cast + 1
    )
