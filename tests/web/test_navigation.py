"""The home page lists open ballots and published results only, with the board and the log;
officers archive a contest (confirmed, logged); a favicon; officer links only for officers
and never on a voter's pages."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from omov.web.access.models import Role
from omov.web.audit.models import AuditEvent
from omov.web.contests.models import Contest, ContestState

from .conftest import OpenBallot, officer_of, open_contest
from .members_helpers import make_organisation_with_units

pytestmark = pytest.mark.django_db


def test_home_lists_open_ballots_with_board_and_log_not_contests_being_set_up(
    open_ballot: OpenBallot,
) -> None:
    shown = open_ballot.contest
    Contest.objects.create(  # as contest_open leaves one: nominations open
        organisation=shown.organisation,
        rulebook=shown.rulebook,
        title="A test contest nobody should see",
        method=shown.method,
        nominating_body_size=10,
        freeze_date=shown.freeze_date,
        ballot_opens_at=shown.ballot_opens_at,
        ballot_closes_at=shown.ballot_closes_at,
    )
    html = Client().get(reverse("home")).content.decode()
    pk = open_ballot.contest.pk
    assert open_ballot.contest.title in html
    assert "A test contest nobody should see" not in html
    assert reverse("ballot-board", args=[pk]) in html
    assert reverse("ledger-heads", args=[pk]) in html
    assert reverse("vote-start", args=[pk]) in html
    assert "(GMT)" in html or "(BST)" in html  # when it closes, the zone named


def test_archiving_needs_its_confirmation_is_logged_and_leaves_the_pages(db: None) -> None:
    contest = open_contest(title="Old contest")
    Contest.objects.filter(pk=contest.pk).update(state=ContestState.PUBLISHED)
    officer = officer_of(contest.organisation, Role.RETURNING_OFFICER)
    url = reverse("contest-archive", args=[contest.pk])
    assert "Old contest" in Client().get(reverse("home")).content.decode()
    dashboard = officer.get(reverse("contest-dashboard", args=[contest.pk])).content.decode()
    assert "Archive this contest?" in dashboard

    refused = officer.post(url, {}, follow=True).content.decode()
    assert "Nothing was done" in refused
    contest.refresh_from_db()
    assert not contest.archived

    done = officer.post(url, {"confirm": "yes"}, follow=True).content.decode()
    assert "Archived" in done
    contest.refresh_from_db()
    assert contest.archived
    event = AuditEvent.objects.get(kind="contest.archived")
    assert event.stream == f"organisation:{contest.organisation_id}"
    assert json.loads(event.payload) == {"by": "ro", "contest": contest.pk, "state": "published"}
    assert "Old contest" not in Client().get(reverse("home")).content.decode()
    again = officer.post(url, {"confirm": "yes"}, follow=True).content.decode()
    assert "already archived" in again
    assert "(archived)" in officer.get(reverse("officer-home")).content.decode()


def test_an_open_ballot_is_not_archived(open_ballot: OpenBallot) -> None:
    contest = open_ballot.contest
    officer = officer_of(contest.organisation, Role.RETURNING_OFFICER)
    html = officer.post(
        reverse("contest-archive", args=[contest.pk]), {"confirm": "yes"}, follow=True
    ).content.decode()
    assert "close it before archiving" in html
    contest.refresh_from_db()
    assert not contest.archived


def test_the_favicon_is_linked_and_favicon_ico_finds_it(db: None) -> None:
    html = Client().get(reverse("home")).content.decode()
    assert 'rel="icon"' in html
    assert "omov/favicon.svg" in html
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("omov/favicon.svg")


def test_officer_links_only_for_officers_and_never_on_voter_pages(
    open_ballot: OpenBallot,
) -> None:
    pk = open_ballot.contest.pk
    anonymous = Client()
    assert "Officer sign in" in anonymous.get(reverse("home")).content.decode()
    for page in (reverse("vote-start", args=[pk]), reverse("statements", args=[pk])):
        html = anonymous.get(page).content.decode()
        assert "Officer sign in" not in html
        assert "Sign out" not in html
    officer = officer_of(open_ballot.contest.organisation, Role.RETURNING_OFFICER)
    assert "Sign out" in officer.get(reverse("home")).content.decode()
    assert "Officer sign in" not in officer.get(reverse("home")).content.decode()
    voting = officer.get(reverse("vote-start", args=[pk])).content.decode()
    assert reverse("officer-home") not in voting


def test_the_officer_home_links_each_organisations_pages_for_the_roles_held(db: None) -> None:
    party = make_organisation_with_units()  # with a rulebook for local units loaded
    pages = {
        name: reverse(name, args=[party.pk])
        for name in ("members-officer", "petitions-officer", "moderation-queue")
    }
    pages["moderation-appeals"] = reverse("moderation-appeals", args=[party.pk])
    held = {
        "ro": ({Role.RETURNING_OFFICER}, {"members-officer", "petitions-officer"}),
        "mod": ({Role.MODERATOR}, {"members-officer", "moderation-queue"}),
        "panel": ({Role.APPEALS_PANEL}, {"members-officer", "moderation-appeals"}),
        "scrutineer": ({Role.SCRUTINEER}, {"members-officer"}),
    }
    for username, (roles, linked) in held.items():
        client = officer_of(party, *roles, username=username)
        page = client.get(reverse("officer-home")).content.decode()
        assert {name for name, url in pages.items() if f'href="{url}"' in page} == linked
        assert f'href="{reverse("local-home")}"' in page
        for name in linked:  # and each link opens for them
            assert client.get(pages[name]).status_code == 200, (username, name)
