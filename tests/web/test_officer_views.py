"""The officer's pages: opening a contest from the form (rulebook defaults) and adding a
candidate with a photo for the statements page."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from omov.web.access.models import Role
from omov.web.audit.models import AuditEvent
from omov.web.audit.selectors import DASHBOARD_EVENTS
from omov.web.contests.models import Candidate, Contest, Organisation
from omov.web.contests.services import candidate_add, organisation_create
from omov.web.electorate.models import Appeal, Elector
from omov.web.electorate.selectors import APPEALS_SHOWN
from omov.web.electorate.services import appeal_lodge, elector_exclude, roll_import
from omov.web.nominations.services import nomination_record

from .conftest import member_roll, officer_of

pytestmark = pytest.mark.django_db


def png_photo(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def officer(settings: object, tmp_path: Path) -> Client:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    labour = organisation_create(name="The Labour Party")
    return officer_of(labour, Role.RETURNING_OFFICER)


def _open(officer: Client) -> Contest:
    response = officer.post(
        reverse("officer-home"),
        {
            "organisation": Organisation.objects.get(name="The Labour Party").pk,
            "rulebook": "labour/2016",
            "title": "Leadership election",
            "ballot_opens_at": "2016-08-22 09:00",
            "ballot_closes_at": "2016-09-21 12:00",
        },
    )
    assert response.status_code == 302
    return Contest.objects.get()


def test_contest_takes_body_size_and_freeze_date_from_the_rulebook(officer: Client) -> None:
    contest = _open(officer)
    assert contest.nominating_body_size == 251  # PLP 231 + EPLP 20, as the rulebook records
    assert contest.freeze_date.isoformat() == "2016-01-12"
    page = officer.get(reverse("contest-dashboard", args=[contest.pk])).content.decode()
    assert "Threshold: <strong>51</strong> nominations from plp and eplp" in page
    assert "20% of 251 (PLP 231 + EPLP 20) = 50.2, rounded up to 51" in page


def test_the_officers_message_is_shown_once_on_the_next_page(officer: Client) -> None:
    """Messages ride in the signed session cookie (MESSAGE_STORAGE): shown once, then gone."""
    contest = _open(officer)
    dashboard = reverse("contest-dashboard", args=[contest.pk])
    shown = officer.get(dashboard).content.decode()
    assert "Opened Leadership election: nominations are open." in shown
    assert "nominations are open." not in officer.get(dashboard).content.decode()


def test_candidate_photo_is_checked_and_shown(officer: Client) -> None:
    contest = _open(officer)
    url = reverse("candidate-add", args=[contest.pk])
    fake = SimpleUploadedFile("photo.png", b"GIF89a not a png", content_type="image/png")
    response = officer.post(url, {"name": "Owen Smith", "photo": fake}, follow=True)
    assert b"could not be read as a JPEG, PNG or WebP image" in response.content
    assert not Candidate.objects.exists()
    photo = SimpleUploadedFile("smith.png", png_photo(), content_type="image/png")
    officer.post(url, {"name": "Owen Smith", "statement": "Words.", "photo": photo})
    candidate = Candidate.objects.get()
    assert candidate.photo.read().startswith(b"\xff\xd8\xff")  # written anew as a JPEG
    candidate.on_ballot = True
    candidate.save()
    statements = Client().get(reverse("statements", args=[contest.pk])).content.decode()
    src = reverse("candidate-photo", args=[contest.pk, candidate.position])
    assert f'src="{src}" alt="Photo of Owen Smith"' in statements


def _add_nominations(contest: Contest, how_many: int) -> None:
    """``how_many`` events on the contest's stream (each nomination is one)."""
    candidate = candidate_add(contest=contest, name="Owen Smith")
    for n in range(how_many):
        nomination_record(candidate=candidate, nominator=f"MP {n}")


def test_the_dashboard_shows_the_latest_events_and_the_trail_has_them_all(
    officer: Client,
) -> None:
    """A vetting drive adds an event per decision and each decision returns to the
    dashboard, so it shows only the latest few; the trail download has every one."""
    contest = _open(officer)
    _add_nominations(contest, DASHBOARD_EVENTS + 2)
    events = list(AuditEvent.objects.filter(stream=contest.stream).order_by("sequence"))
    assert len(events) == DASHBOARD_EVENTS + 4  # opened, candidate added, the nominations
    page = officer.get(reverse("contest-dashboard", args=[contest.pk])).content.decode()
    trail = page[page.index('id="audit"') :]
    assert f"The latest {DASHBOARD_EVENTS} of {len(events)} events." in trail
    shown = [int(v) for v in re.findall(r'<li value="(\d+)">', trail)]
    assert shown == [e.sequence for e in events[-DASHBOARD_EVENTS:]]
    download = officer.get(reverse("audit-trail", args=[contest.pk]))
    lines = b"".join(download.streaming_content).decode().splitlines()  # type: ignore[attr-defined]
    records = [json.loads(line) for line in lines]
    assert [r["sequence"] for r in records] == [e.sequence for e in events]
    assert [r["payload"] for r in records] == [json.loads(e.payload) for e in events]


def _appeals(contest: Contest, members: int) -> None:
    """A roll of ``members``, and every one still eligible excluded in vetting, each with an
    appeal waiting."""
    roll_import(contest=contest, section="members", data=member_roll(members, late=0))
    for elector in Elector.objects.filter(contest=contest, eligibility="eligible").order_by("pk"):
        excluded = elector_exclude(elector=elector, grounds="vetting")
        appeal_lodge(elector=excluded, grounds=f"I am {elector.reference}")


def _appeals_shown(page: str) -> list[str]:
    """The references of the appeals the dashboard lists, in order."""
    section = page[page.index("<h3>Appeals waiting</h3>") : page.index("<h3>Electors</h3>")]
    return re.findall(r"I am (M\d+)", section)


def test_the_dashboard_shows_the_oldest_waiting_appeals_in_few_queries(officer: Client) -> None:
    """A purge can bring thousands of appeals: the dashboard shows the oldest few, says how
    many wait, and reads them with their electors in one query, not one per appeal."""
    contest = _open(officer)
    dashboard = reverse("contest-dashboard", args=[contest.pk])
    _appeals(contest, 3)
    officer.get(dashboard)  # shows (and so deletes) the "Opened" message in the session
    with CaptureQueriesContext(connection) as few:
        page = officer.get(dashboard).content.decode()
    assert "The oldest" not in page
    assert _appeals_shown(page) == ["M0001", "M0002", "M0003"]
    _appeals(contest, APPEALS_SHOWN + 4)  # the roll again, larger: the same three and more
    with CaptureQueriesContext(connection) as many:
        page = officer.get(dashboard).content.decode()
    waiting = Appeal.objects.filter(elector__contest=contest, state="lodged").order_by("pk")
    assert waiting.count() == APPEALS_SHOWN + 4
    assert f"The oldest {APPEALS_SHOWN} of {APPEALS_SHOWN + 4} waiting." in page
    assert _appeals_shown(page) == [a.elector.reference for a in waiting[:APPEALS_SHOWN]]
    assert len(many.captured_queries) == len(few.captured_queries)


def test_while_open_the_dashboard_shows_turnout_per_section_never_who_voted(db: None) -> None:
    from omov.web.balloting.services import ballot_cast

    from .conftest import ballot_ready, officer_of

    ready = ballot_ready(per_section=2)
    officer = officer_of(ready.contest.organisation, Role.RETURNING_OFFICER)
    code = next(iter(ready.codes.values()))
    ballot_cast(contest=ready.contest, code=code, ranking=[ready.candidates[0].position])
    page = officer.get(reverse("contest-dashboard", args=[ready.contest.pk])).content.decode()
    assert re.search(r"<td[^>]*>\s*1\s*</td>", page)  # one voter in a section's turnout
    for elector_id in ready.codes:  # every eligible elector has the same action, voted or not
        assert reverse("credential-reissue", args=[ready.contest.pk, elector_id]) in page
    assert "<th>Voted</th>" not in page
    assert "yes" not in re.sub(r"<[^>]+>", " ", page.split('id="ballot"')[0]).split()
