"""Acceptance: for every shipped rulebook the web app runs, a whole contest through the web
services: the rulebook, nominations to a ballot the engine decides, each section's roll made
from the rulebook's own template, eligibility, vetting and an appeal, the freeze,
credentials, votes, the close, the trustees' mix and decryption, the count, publication;
and the published bundle verifies. Vetting is proposed by one officer and confirmed by
another, and the appeal is upheld by the appeals panel with written reasons."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from omov.electorate.schema import template_csv
from omov.ledger.verify import verify_bundle
from omov.rules.schema import TriggerKind
from omov.web.balloting.services import (
    ballot_cast,
    ballot_close,
    ballot_open,
    credentials_issue,
    postal_import,
)
from omov.web.contests.models import ContestState
from omov.web.contests.rulebooks import shipped_keys, stored_book
from omov.web.contests.services import (
    candidate_add,
    contest_open,
    organisation_create,
    rulebook_load,
)
from omov.web.electorate.models import Eligibility
from omov.web.electorate.rolls import sections
from omov.web.electorate.services import electorate_freeze, roll_import
from omov.web.electorate.vetting import (
    exclusion_appeal,
    exclusion_appeal_decide,
    exclusion_confirm,
    exclusion_propose,
)
from omov.web.nominations.services import nominations_close
from omov.web.results.services import result_count, result_publish
from omov.web.trustees.simulation import SimulatedTrustees

from .engine_helpers import nominate_to_threshold

pytestmark = pytest.mark.django_db

PER_SECTION = 12
"""Electors per section: above every shipped rulebook's smallest published section (10)."""


def roll_from_template(template: str, section: str, count: int) -> bytes:
    """``count`` people made from the template's example row: each their own number and
    email, on the electoral register where the roll asks."""
    rows = list(csv.reader(io.StringIO(template)))
    header, example = rows[0], rows[1]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for n in range(count):
        row = dict(zip(header, example, strict=True))
        row[header[0]] = f"{section[:3].upper()}{n:04d}"
        row["email"] = f"{section}-{n}@example.org"
        if "on_register" in row:
            row["on_register"] = "true"
        if "membership_number" in row and header[0] != "membership_number":
            row["membership_number"] = ""
        writer.writerow(row.values())
    return out.getvalue().encode()


def _run(key: str, tmp_path: Path) -> None:
    organisation = organisation_create(name=f"Organisation of {key}")
    rulebook = rulebook_load(organisation=organisation, key=key)
    now = timezone.now()
    contest = contest_open(
        rulebook=rulebook,
        title=f"Election under {key}",
        nominating_body_size=int(rulebook.facts["body_size"] or 20),
        freeze_date=dt.date(2016, 1, 12),
        ballot_opens_at=now - dt.timedelta(hours=1),
        ballot_closes_at=now + dt.timedelta(days=1),
    )
    challenge = contest.trigger == TriggerKind.CHALLENGE
    first = candidate_add(contest=contest, name="Ada First", incumbent=challenge)
    second = candidate_add(contest=contest, name="Bea Second")
    for candidate in (first, second):
        nominate_to_threshold(contest, candidate)
    nominations_close(contest=contest)
    contest.refresh_from_db()
    assert contest.state == ContestState.ELECTORATE, contest.decisions[-1]
    assert set(contest.candidates.filter(on_ballot=True).values_list("name", flat=True)) >= {
        "Ada First",
        "Bea Second",
    }

    book = stored_book(rulebook.typed)
    for section, _ in sections(contest):
        template = template_csv(book.sections[section].roll.value)
        roll_import(
            contest=contest,
            section=section,
            data=roll_from_template(template, section, PER_SECTION),
        )
    eligible = contest.electors.filter(eligibility=Eligibility.ELIGIBLE).order_by("pk")
    assert eligible.count() >= PER_SECTION, list(contest.electors.values_list("section", "reason"))
    officers = [get_user_model().objects.create_user(n) for n in ("vetter", "second", "panel")]
    vetter, second, panel = officers
    ground = book.vetting.grounds[0].code if book.vetting else ""
    person = eligible[0]
    proposed = exclusion_propose(elector=person, ground=ground, note="On file", actor=vetter)
    exclusion_confirm(exclusion=proposed, actor=second)
    assert contest.electors.get(pk=person.pk).eligibility == Eligibility.EXCLUDED
    appeal = exclusion_appeal(exclusion=proposed, grounds="The record is someone else's")
    exclusion_appeal_decide(
        appeal=appeal, uphold=True, reason="Records show two different people", actor=panel
    )
    assert contest.electors.get(pk=person.pk).eligibility == Eligibility.ELIGIBLE
    electorate_freeze(contest=contest)

    codes = credentials_issue(contest=contest, send=False)
    trustees = SimulatedTrustees(contest)
    trustees.make_key()
    ballot_open(contest=contest)
    contest.refresh_from_db()
    on_ballot = list(contest.candidates.filter(on_ballot=True).order_by("position"))
    votes = list(codes.values())  # every section votes (a college counts each)
    if contest.online_voting:
        for n, code in enumerate(votes):
            ballot_cast(contest=contest, code=code, ranking=[on_ballot[n % 2].position])
    else:
        text = "credential,preferences\n" + "".join(
            f"{code},{on_ballot[n % 2].name}\n" for n, code in enumerate(votes)
        )
        assert all(o.accepted for o in postal_import(contest=contest, text=text))
    ballot_close(contest=contest, reason="the test closes it early")
    trustees.mix_and_decrypt()
    result_count(contest=contest)
    result_publish(contest=contest)
    contest.refresh_from_db()
    assert contest.state == ContestState.PUBLISHED

    response = Client().get(reverse("bundle-download", args=[contest.pk]))
    assert response.status_code == 200
    zipfile.ZipFile(io.BytesIO(response.content)).extractall(tmp_path)
    checks = verify_bundle(tmp_path / f"contest-{contest.pk}-bundle")
    assert [c.line() for c in checks if not c.ok] == []


@pytest.mark.parametrize("key", shipped_keys())
def test_a_whole_contest_runs_and_its_bundle_verifies(key: str, tmp_path: Path) -> None:
    _run(key, tmp_path)
