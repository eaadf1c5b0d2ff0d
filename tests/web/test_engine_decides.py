"""The web app asks the rules engine: it records typed events (declarations, nominations,
supporting nominations, withdrawals), stores the engine's decisions with their clauses and
shows them; the engine decides the ballot, or that a lone candidate is elected unopposed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from omov.web.access.models import Role
from omov.web.audit.models import AuditEvent
from omov.web.contests.models import Contest, ContestEvent, ContestState, EventKind
from omov.web.contests.services import (
    candidate_add,
    contest_open,
    organisation_create,
    rulebook_load,
)
from omov.web.errors import ContestError
from omov.web.nominations.selectors import contest_threshold, nomination_standing
from omov.web.nominations.services import (
    candidate_withdraw,
    nominations_close,
    supporting_nomination_record,
)

from .conftest import officer_of
from .engine_helpers import nominate_to_threshold

pytestmark = pytest.mark.django_db


def _open(
    key: str, *, trigger: str | None = None, body: int | None = None, name: str = "Party"
) -> Contest:
    organisation = organisation_create(name=name)
    rulebook = rulebook_load(organisation=organisation, key=key)
    now = timezone.now()
    return contest_open(
        rulebook=rulebook,
        title="Leadership election",
        nominating_body_size=body or int(rulebook.facts["body_size"]),
        freeze_date=dt.date(2019, 12, 20),
        ballot_opens_at=now - dt.timedelta(hours=1),
        ballot_closes_at=now + dt.timedelta(days=1),
        trigger=trigger,
    )


def test_labour_2018_a_vacancy_needs_ten_percent_and_a_challenge_twenty() -> None:
    vacancy = contest_threshold(contest=_open("labour/2018", trigger="vacancy"))
    assert vacancy.required == 22
    assert vacancy.arithmetic == "10% of 212 (PLP 202 + EPLP 10) = 21.2, rounded up to 22"
    assert vacancy.citation == "Ch4 Cl II.2.B.i"
    challenge = contest_threshold(contest=_open("labour/2018", trigger="challenge", name="Other"))
    assert challenge.required == 43
    assert challenge.citation == "Ch4 Cl II.2.B.iii"


def test_a_trigger_the_rulebook_lacks_is_refused() -> None:
    with pytest.raises(ContestError, match="starts no contest by 'challenge'"):
        _open("conservative/2016", trigger="challenge")


def test_labour_2018_supporting_nominations_gate_the_ballot_and_one_left_is_unopposed() -> None:
    contest = _open("labour/2018", trigger="vacancy")
    first = candidate_add(contest=contest, name="Rebecca Long-Bailey")
    second = candidate_add(contest=contest, name="Emily Thornberry")
    nominate_to_threshold(contest, first)
    nominate_to_threshold(contest, second)
    with pytest.raises(ContestError, match="No candidate is validly nominated"):
        nominations_close(contest=contest)  # 22 MPs each, but no CLP or affiliate support
    supporting_nomination_record(candidate=first, body="clps", nominator="CLPs", count=33)
    supporting_nomination_record(candidate=second, body="clps", nominator="CLPs", count=32)
    standing = {s.name: s for s in nomination_standing(contest=contest)}
    assert standing["Rebecca Long-Bailey"].qualifies
    assert not standing["Emily Thornberry"].qualifies
    assert (
        "32 of 33 needed (5% of 650 CLPs = 32.5, rounded up to 33)"
        in standing["Emily Thornberry"].reason
    )
    nominations_close(contest=contest)
    contest.refresh_from_db()
    assert contest.state == ContestState.UNOPPOSED
    elected = [d for d in contest.decisions if d["kind"] == "elected"]
    assert [d["summary"] for d in elected] == ["Rebecca Long-Bailey is elected unopposed"]
    assert list(contest.candidates.filter(on_ballot=True).values_list("name", flat=True)) == [
        "Rebecca Long-Bailey"
    ]


def test_a_withdrawal_leaving_one_candidate_elects_them_unopposed() -> None:
    contest = _open("conservative/2016")
    names = ("Theresa May", "Andrea Leadsom")
    candidates = [candidate_add(contest=contest, name=name) for name in names]
    for candidate in candidates:
        nominate_to_threshold(contest, candidate)
    candidate_withdraw(candidate=candidates[1])
    nominations_close(contest=contest)
    contest.refresh_from_db()
    assert contest.state == ContestState.UNOPPOSED
    assert any(d["summary"] == "Theresa May is elected unopposed" for d in contest.decisions)
    kinds = list(contest.engine_events.values_list("kind", flat=True))
    assert kinds.count(EventKind.WITHDRAWAL) == 1
    assert kinds[-1] == EventKind.CLOSE_NOMINATIONS


def test_the_decisions_are_stored_with_clauses_logged_with_the_actor_and_shown() -> None:
    contest = _open("labour/2016", body=10)
    client = officer_of(contest.organisation, Role.RETURNING_OFFICER)
    client.post(
        reverse("candidate-add", args=[contest.pk]), {"name": "Jeremy Corbyn", "incumbent": "on"}
    )
    client.post(reverse("candidate-add", args=[contest.pk]), {"name": "Owen Smith"})
    smith = contest.candidates.get(name="Owen Smith")
    for n in range(2):  # 20% of 10
        client.post(
            reverse("nomination-add", args=[contest.pk]),
            {"candidate": smith.pk, "nominator": f"MP {n}", "body": "plp"},
        )
    contest.refresh_from_db()
    triggered = [d for d in contest.decisions if d["kind"] == "contest-triggered"]
    assert len(triggered) == 1
    assert triggered[0]["citation"] == "Ch4 Cl II.2.B.ii"
    last = AuditEvent.objects.filter(stream=contest.stream).order_by("sequence").last()
    assert last is not None
    assert last.kind == "nomination.recorded"
    assert '"actor":"ro"' in last.payload
    assert "Contest triggered (challenge)" in last.payload
    assert ContestEvent.objects.filter(contest=contest, actor__username="ro").count() == 3
    page = client.get(reverse("contest-dashboard", args=[contest.pk])).content.decode()
    assert "Contest triggered (challenge)" in page
    assert "Ch4 Cl II.2.B.ii" in page
