"""The petition pages: a member starts one and signs on its page, a non-member signs through
the emailed link, the officer opens, reviews, takes down and closes, and the signed count
downloaded from the page verifies offline."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from omov.ledger.petition_verify import verify_petition
from omov.web.access.models import Role
from omov.web.petitions.models import Petition, PetitionState, Signature
from omov.web.petitions.selectors import live_count

from .conftest import officer_of
from .members_helpers import make_member, make_organisation_with_units, sign_in_member

pytestmark = pytest.mark.django_db

UNITS = (("clp", "CLP1", "Islington North CLP", ""),)


def member_client(member: object) -> Client:
    client = Client()
    sign_in_member(client, member)  # type: ignore[arg-type]
    return client


def started(organisation: object) -> tuple[Petition, Client]:
    """A petition a member started through the page, opened by the returning officer."""
    sponsor = make_member(organisation, units=["CLP1"])  # type: ignore[arg-type]
    client = member_client(sponsor)
    closes = (timezone.now() + dt.timedelta(days=10)).date().isoformat()
    form = {"title": "Bring back the trains", "text": "We ask for trains.", "closes_on": closes}
    response = client.post(reverse("petition-start"), form)
    assert response.status_code == 302
    petition = Petition.objects.get()
    assert petition.state == PetitionState.SUBMITTED
    assert Client().get(reverse("petition", args=[petition.pk])).status_code == 404
    officer = officer_of(organisation, Role.RETURNING_OFFICER)  # type: ignore[arg-type]
    opened = officer.post(reverse("petition-open", args=[petition.organisation_id, petition.pk]))
    assert opened.status_code == 302
    return Petition.objects.get(), officer


def test_a_member_signs_on_the_page_and_sees_the_count_and_the_table_by_unit():
    organisation = make_organisation_with_units(rulebook="labour/2018", units=UNITS)
    petition, _ = started(organisation)
    url = reverse("petition", args=[petition.pk])
    member = make_member(organisation, units=["CLP1"])
    client = member_client(member)
    assert "Sign as" in client.get(url).content.decode()
    signed = client.post(reverse("petition-sign", args=[petition.pk]), follow=True)
    page = signed.content.decode()
    assert "you have signed this petition" in page.lower()
    assert "<strong>1</strong> signature:" in page
    assert (
        client.post(reverse("petition-sign", args=[petition.pk]), follow=True)
        .content.decode()
        .count("already signed")
        == 1
    )
    assert Client().get(reverse("petition-count", args=[petition.pk])).json() == {
        "total": 1, "members": 1, "non_members": 0,
    }  # fmt: skip


def test_an_expelled_member_is_refused_on_the_page_with_the_reason():
    organisation = make_organisation_with_units(rulebook="labour/2018", units=UNITS)
    petition, _ = started(organisation)
    expelled = make_member(organisation, units=["CLP1"], standing="suspended")
    page = member_client(expelled).post(reverse("petition-sign", args=[petition.pk]), follow=True)
    assert "suspended cannot sign" in page.content.decode()
    assert live_count(petition.pk).total == 0


def test_a_non_member_signs_by_the_emailed_link():
    organisation = make_organisation_with_units(rulebook="labour/2018", units=UNITS)
    petition, _ = started(organisation)
    visitor = Client()
    asked = visitor.post(
        reverse("petition-sign-email", args=[petition.pk]),
        {"email": "Dora@Example.org"},
        follow=True,
    )
    assert "Check your email" in asked.content.decode()
    (message,) = mail.outbox
    link = re.search(r"https?://\S+/petitions/confirm/\S+/", message.body)
    assert link is not None
    path = link.group(0).split("testserver", 1)[1]
    assert live_count(petition.pk).total == 0
    assert "Confirm my signature" in visitor.get(path).content.decode()  # a GET confirms nothing
    assert live_count(petition.pk).total == 0
    assert visitor.post(path).status_code == 302
    assert live_count(petition.pk).non_members == 1
    assert visitor.post(path).status_code == 400  # once only


def test_the_officer_reviews_takes_down_and_closes_and_the_count_downloads(tmp_path: Path):
    organisation = make_organisation_with_units(rulebook="labour/2018", units=UNITS)
    petition, officer = started(organisation)
    visitor = Client()
    visitor.post(reverse("petition-sign-email", args=[petition.pk]), {"email": "x@yopmail.com"})
    token = re.search(r"/petitions/confirm/(\S+)/", mail.outbox[0].body)
    assert token is not None
    visitor.post(reverse("petition-confirm", args=[token.group(1)]))
    page_url = reverse("petition-officer", args=[organisation.pk, petition.pk])
    page = officer.get(page_url).content.decode()
    assert "1 held: the email is at a domain of throwaway inboxes" in page
    review = reverse("petition-review", args=[organisation.pk, petition.pk])
    form = {"flag": "disposable-email", "decision": "reject", "reason": "A throwaway inbox"}
    assert officer.post(review, form).status_code == 302
    assert Signature.objects.get().status == "rejected"
    close = reverse("petition-close", args=[organisation.pk, petition.pk])
    refused = officer.post(close, {"confirm": "close"}, follow=True).content.decode()
    assert "until its closing date" in refused
    Petition.objects.filter(pk=petition.pk).update(
        closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert "type" in officer.post(close, {"confirm": ""}, follow=True).content.decode()
    assert officer.post(close, {"confirm": "close"}).status_code == 302
    download = Client().get(reverse("petition-download", args=[petition.pk]))
    assert download.status_code == 200
    zipfile.ZipFile(io.BytesIO(download.content)).extractall(tmp_path)
    checks = verify_petition(tmp_path / f"petition-{petition.pk}-count")
    assert all(c.ok for c in checks), [c.line() for c in checks if not c.ok]
    assert (
        "Download the signed count"
        in Client().get(reverse("petition", args=[petition.pk])).content.decode()
    )


def test_a_petition_taken_down_shows_the_reason_in_its_place():
    organisation = make_organisation_with_units(rulebook="labour/2018", units=UNITS)
    petition, officer = started(organisation)
    moderate = reverse("petition-moderate", args=[organisation.pk, petition.pk])
    assert officer.post(moderate, {"reason": ""}).status_code == 302
    assert Petition.objects.get().state == PetitionState.OPEN  # no reason: nothing done
    reason = "Rule 2: it names a member and accuses them"
    assert officer.post(moderate, {"reason": reason}).status_code == 302
    page = Client().get(reverse("petition", args=[petition.pk])).content.decode()
    assert reason in page
    assert "We ask for trains" not in page


def test_no_petition_page_shows_an_internal_code():
    from .test_plain_language import _codes

    organisation = make_organisation_with_units(rulebook="labour/2018", units=UNITS)
    petition, officer = started(organisation)
    member = make_member(organisation, units=["CLP1"])
    client = member_client(member)
    client.post(reverse("petition-sign", args=[petition.pk]))
    Client().post(reverse("petition-sign-email", args=[petition.pk]), {"email": "x@yopmail.com"})
    token = re.search(r"/petitions/confirm/(\S+)/", mail.outbox[0].body)
    assert token is not None
    Client().post(reverse("petition-confirm", args=[token.group(1)]))
    found = _codes(client, reverse("petition", args=[petition.pk]))
    found += _codes(client, reverse("petitions"))
    found += _codes(client, reverse("petition-start"))
    found += _codes(Client(), reverse("petition", args=[petition.pk]))
    found += _codes(Client(), reverse("petition-confirm", args=[token.group(1)]))
    found += _codes(officer, reverse("petitions-officer", args=[organisation.pk]))
    found += _codes(officer, reverse("petition-officer", args=[organisation.pk, petition.pk]))
    assert (
        "held: the email is at a domain"
        in officer.get(
            reverse("petition-officer", args=[organisation.pk, petition.pk])
        ).content.decode()
    )
    assert found == [], "\n".join(found)
