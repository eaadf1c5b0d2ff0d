"""The officer's irreversible steps: each says what it will do with the figures, is refused
without its confirmation (nothing changes), and the state guards hold: no opening before a
code is issued, no early close without a logged reason."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from omov.web.access.models import Role
from omov.web.audit.models import AuditEvent
from omov.web.balloting.models import Credential
from omov.web.balloting.services import ballot_cast, ballot_close
from omov.web.contests.models import Contest, ContestState
from omov.web.contests.services import candidate_add
from omov.web.electorate.services import electorate_freeze
from omov.web.errors import ContestError
from omov.web.nominations.services import nomination_record, nominations_close
from omov.web.trustees.simulation import SimulatedTrustees
from tests.web.conftest import NAMES, OpenBallot, import_rolls, officer_of, open_contest

pytestmark = pytest.mark.django_db


def _state(contest: Contest) -> str:
    contest.refresh_from_db()
    return str(contest.state)


def _post(client: Client, step: str, contest: Contest, form: dict[str, str]) -> str:
    """Post a step's form; the message the dashboard then shows."""
    response = client.post(reverse(step, args=[contest.pk]), form, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def _officer(contest: Contest) -> Client:
    return officer_of(contest.organisation, Role.RETURNING_OFFICER)


def _nominated(contest: Contest) -> None:
    """Three candidates, two challengers with the two nominations each needs."""
    candidates = [
        candidate_add(contest=contest, name=n, incumbent=i == 0) for i, n in enumerate(NAMES)
    ]
    for i, nominator in enumerate(("MP 1", "MP 2", "MP 3", "MP 4")):
        nomination_record(candidate=candidates[1 + i % 2], nominator=nominator)


def test_closing_nominations_is_refused_unticked_and_says_who_goes_on(db: None) -> None:
    contest = open_contest(body=10)
    alice = candidate_add(contest=contest, name="Alice Incumbent", incumbent=True)
    bob = candidate_add(contest=contest, name="Bob Challenger")
    candidate_add(contest=contest, name="Carol Challenger")
    nomination_record(candidate=bob, nominator="MP 1")
    nomination_record(candidate=bob, nominator="MP 2")
    assert alice.incumbent
    officer = _officer(contest)
    page = officer.get(reverse("contest-dashboard", args=[contest.pk])).content.decode()
    assert "Close nominations now? 2 of 3 candidates go on the ballot" in page
    refused = _post(officer, "nominations-close", contest, {})
    assert "Nothing was done: tick the box" in refused
    assert _state(contest) == ContestState.NOMINATIONS
    _post(officer, "nominations-close", contest, {"confirm": "yes"})
    assert _state(contest) == ContestState.ELECTORATE


def test_freezing_is_refused_unticked(db: None) -> None:
    contest = open_contest(body=10)
    _nominated(contest)
    nominations_close(contest=contest)
    import_rolls(contest, 3)
    officer = _officer(contest)
    page = officer.get(reverse("contest-dashboard", args=[contest.pk])).content.decode()
    assert "Freeze the electorate now? 9 of 10 electors are eligible" in page
    assert "tick the box" in _post(officer, "electorate-freeze", contest, {"confirm": "no"})
    assert _state(contest) == ContestState.ELECTORATE
    _post(officer, "electorate-freeze", contest, {"confirm": "yes"})
    assert _state(contest) == ContestState.FROZEN


def test_opening_is_refused_unticked_and_before_any_code_is_issued(db: None) -> None:
    contest = open_contest(body=10)
    _nominated(contest)
    nominations_close(contest=contest)
    import_rolls(contest, 3)
    electorate_freeze(contest=contest)
    SimulatedTrustees(contest).make_key()
    officer = _officer(contest)
    page = officer.get(reverse("contest-dashboard", args=[contest.pk])).content.decode()
    assert "Open the ballot now? 0 voting codes are out to 9 eligible electors" in page
    assert "tick the box" in _post(officer, "ballot-open", contest, {})
    assert _state(contest) == ContestState.FROZEN
    refused = _post(officer, "ballot-open", contest, {"confirm": "yes"})
    assert "no voting code has been issued" in refused
    assert _state(contest) == ContestState.FROZEN
    assert not Credential.objects.filter(elector__contest=contest).exists()


def test_closing_needs_the_typed_word_and_an_early_close_a_logged_reason(
    open_ballot: OpenBallot,
) -> None:
    contest = open_ballot.contest
    codes = iter(open_ballot.codes.values())
    for _ in range(3):
        ballot_cast(contest=contest, code=next(codes), ranking=[1])
    officer = _officer(contest)
    page = officer.get(reverse("contest-dashboard", args=[contest.pk])).content.decode()
    eligible = len(open_ballot.codes)
    assert f"Close the ballot now? 3 of {eligible} have voted; the timetable closes it at" in page
    assert "Closing early needs a reason" in page
    reason = {"reason": "The hall flooded."}
    for form in ({}, {"confirm": "yes"} | reason, {"confirm": "clos"} | reason):
        assert "type “close”" in _post(officer, "ballot-close", contest, form)
        assert _state(contest) == ContestState.BALLOT_OPEN
    refused = _post(officer, "ballot-close", contest, {"confirm": "close", "reason": " "})
    assert "closing it early needs a reason" in refused
    assert _state(contest) == ContestState.BALLOT_OPEN
    _post(officer, "ballot-close", contest, {"confirm": "Close"} | reason)
    assert _state(contest) == ContestState.BALLOT_CLOSED
    closed = AuditEvent.objects.get(stream=contest.stream, kind="ballot.closed")
    payload = closed.payload if isinstance(closed.payload, dict) else json.loads(closed.payload)
    assert payload["early_reason"] == "The hall flooded."


def test_the_service_refuses_an_early_close_without_a_reason(open_ballot: OpenBallot) -> None:
    with pytest.raises(ContestError, match="needs a reason"):
        ballot_close(contest=open_ballot.contest)
    assert _state(open_ballot.contest) == ContestState.BALLOT_OPEN


def test_counting_and_publishing_are_refused_without_their_confirmation(
    open_ballot: OpenBallot,
) -> None:
    contest = open_ballot.contest
    ballot_cast(contest=contest, code=next(iter(open_ballot.codes.values())), ranking=[2])
    ballot_close(contest=contest, reason="the test closes it early")
    open_ballot.mix_and_decrypt()
    officer = _officer(contest)
    page = officer.get(reverse("contest-dashboard", args=[contest.pk])).content.decode()
    assert "Count now? 1 ballots are counted" in page
    assert "tick the box" in _post(officer, "result-count", contest, {})
    assert _state(contest) == ContestState.BALLOT_CLOSED
    _post(officer, "result-count", contest, {"confirm": "yes"})
    assert _state(contest) == ContestState.COUNTED
    page = officer.get(reverse("contest-dashboard", args=[contest.pk])).content.decode()
    assert "Publish the results now?" in page
    for form in ({}, {"confirm": "yes"}):
        assert "type “publish”" in _post(officer, "result-publish", contest, form)
        assert _state(contest) == ContestState.COUNTED
    _post(officer, "result-publish", contest, {"confirm": "publish"})
    assert _state(contest) == ContestState.PUBLISHED


def test_reissuing_is_refused_unticked(open_ballot: OpenBallot) -> None:
    contest = open_ballot.contest
    elector = contest.electors.filter(eligibility="eligible").order_by("pk").first()
    assert elector is not None
    officer = _officer(contest)
    url = reverse("credential-reissue", args=[contest.pk, elector.pk])
    before = sorted(Credential.objects.filter(elector=elector).values_list("digest", "state"))
    refused = officer.post(url, {}, follow=True).content.decode()
    assert "tick the box" in refused
    after = sorted(Credential.objects.filter(elector=elector).values_list("digest", "state"))
    assert after == before
    officer.post(url, {"confirm": "yes"})
    assert Credential.objects.filter(elector=elector).count() == len(before) + 1
