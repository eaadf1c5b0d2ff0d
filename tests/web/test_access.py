"""Every officer URL, enumerated from the URL conf, against every kind of visitor: the right
status, and nothing changed in the database by anyone the page refuses.

A URL added under ``officer/`` is in this test without being named here, and fails it unless
its view passes the one check (``omov.web.access.checks``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from omov.web.access.checks import MARK, UNIT_MARK
from omov.web.access.models import UNIT_ROLES, Role
from omov.web.access.services import unit_post_grant
from omov.web.balloting.views import SESSION_KEY
from omov.web.contests.models import Contest, Organisation
from omov.web.contests.services import organisation_create
from omov.web.electorate.models import Appeal, Exclusion
from omov.web.local.services import meeting_call, motion_table
from omov.web.local.triggers import trigger_ballot_open
from omov.web.members.models import Member, Unit
from omov.web.petitions.services import petition_start

from .conftest import OpenBallot, officer_of
from .members_helpers import make_member

pytestmark = pytest.mark.django_db

OFFICER_PREFIX = "officer/"
IGNORED_TABLES = {"django_session", "auth_user"}  # signing in writes these (last_login)


def officer_urls() -> Iterator[tuple[str, URLPattern, list[str]]]:
    """(route, pattern, its arguments' names) for every URL under ``officer/``, read from
    the URL conf."""

    def walk(
        patterns: list[Any], prefix: str, names: list[str]
    ) -> Iterator[tuple[str, URLPattern, list[str]]]:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            here = [*names, *getattr(entry.pattern, "converters", {})]
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, route, here)
            elif route.startswith(OFFICER_PREFIX):
                yield route, entry, here

    yield from walk(get_resolver().url_patterns, "", [])


def database_state() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table the app keeps (sessions and users aside)."""
    state = {}
    for model in apps.get_models():
        if model._meta.db_table not in IGNORED_TABLES:
            state[model._meta.label] = list(model.objects.order_by("pk").values())
    return state


@dataclass(frozen=True)
class Visitor:
    name: str
    client: Client
    roles: frozenset[Role]
    """roles in the contest's organisation"""
    officer_elsewhere: bool = False
    posted: bool = False
    """a unit role held for the unit the pages are about (not another unit)"""


def _visitors(contest: Contest, code: str) -> list[Visitor]:
    voter = Client()
    assert voter.post(reverse("vote-start", args=[contest.pk]), {"code": code}).status_code == 302
    assert SESSION_KEY in voter.session
    elsewhere = organisation_create(name="Another Party")
    ours = contest.organisation
    acting = [
        (r, officer_of(ours, r, username=r.value))
        for r in Role
        if r != Role.SCRUTINEER and r not in UNIT_ROLES
    ]
    return [
        Visitor("anonymous", Client(), frozenset()),
        Visitor("voter", voter, frozenset()),
        Visitor(
            "officer of another organisation",
            officer_of(elsewhere, *Role, username="elsewhere"),
            frozenset(),
            officer_elsewhere=True,
        ),
        Visitor(
            "scrutineer",
            officer_of(ours, Role.SCRUTINEER, username="scrutineer"),
            frozenset({Role.SCRUTINEER}),
        ),
        *(Visitor(role.label.lower(), client, frozenset({role})) for role, client in acting),
        *_secretaries(ours),
    ]


def _secretaries(ours: Organisation) -> list[Visitor]:
    """The secretary of the unit the pages are about, and of another unit of ours."""
    visitors = []
    for name, code in (("secretary of the unit", "CLP1"), ("secretary of another unit", "B1")):
        client = officer_of(ours, username=code)
        user = get_user_model().objects.get(username=code)
        unit_post_grant(user=user, unit=Unit.objects.get(organisation=ours, code=code))
        posted = code == "CLP1"
        visitors.append(Visitor(name, client, frozenset({Role.SECRETARY}), posted=posted))
    return visitors


def _expected_unit(visitor: Visitor, method: str, role: Role | None, unit_page: bool) -> int:
    """The status for a unit's page (``unit_view``) or a unit officer's area (the list of
    their units' meetings), where an organisation-wide role sees and only the unit's own
    secretary acts."""
    if visitor.name in ("anonymous", "voter"):
        return 302
    if unit_page:
        if visitor.officer_elsewhere or not (visitor.posted or visitor.roles - UNIT_ROLES):
            return 403
        if method == "GET":
            return 200
        return 302 if role is not None and visitor.posted else 403
    if method == "GET":
        return 200
    if role in visitor.roles:
        return 302 if visitor.posted else 200  # a unit it does not hold is not on the form
    return 200 if visitor.officer_elsewhere else 403


def _expected(visitor: Visitor, method: str, role: Role | None, contest_page: bool) -> int:
    """The status ``visitor`` should get from a view needing ``role`` for a POST."""
    if visitor.name in ("anonymous", "voter"):
        return 302  # to the sign-in page
    if contest_page and not visitor.roles - UNIT_ROLES:
        return 403  # a unit's secretary sees no contest
    if not visitor.officer_elsewhere and not visitor.roles - UNIT_ROLES:
        return 403  # nor the list of contests
    if method == "GET":
        return 200
    if role is None:
        return 403  # a read-only page takes no POST
    if contest_page:
        return 302 if role in visitor.roles else 403  # acted (or refused with a message)
    # the list of contests: a POST needs the role in some organisation, and opens a contest
    # only in one where it is held (the form offers only those)
    if role in visitor.roles:
        return 302
    return 200 if visitor.officer_elsewhere else 403


def _form(ballot: OpenBallot, appeal: Appeal) -> dict[str, object]:
    """A plausible form for any officer action (the action may still refuse it)."""
    return {
        "candidate": ballot.candidates[1].pk,
        "nominator": "MP 9",
        "grounds": "Evidence on file",
        "decision": "uphold",
        "reason": "Evidence was about someone else",
        "section": "members",
        "name": "Dora Newcomer",
        "organisation": ballot.contest.organisation_id,
        "rulebook": "labour/2016",
        "title": "A contest in another's name",
        "ballot_opens_at": "2016-08-22 09:00",
        "ballot_closes_at": "2016-09-21 12:00",
        "motion-body": "plp",
        "motion-motion": "no-confidence",
        "motion-votes_for": "172",
        "motion-votes_against": "40",
        "resignation-holder": "Heidi Alexander",
        "resignation-office": "leader",
        "date-what": "freeze-date",
        "date-value": "2016-01-12 00:00",
        "unit": Unit.objects.filter(code="CLP1").values_list("pk", flat=True).first() or 0,
        "held_on": "2026-03-10",
        "notice_on": "2026-03-01",
        "kind": "ordinary",
        "text": "A motion",
        "mover": "N0",
        "seconder": "N1",
        "votes_for": 1,
        "votes_against": 0,
        "abstentions": 0,
        "representative": "Sitting MP",
    }


def _discussion(contest: Contest, proposer: Any) -> dict[str, int]:
    """A post, a proposed suspension, a registration to review and an appeal in the
    contest's organisation, for the moderators' and the appeals panel's pages."""
    from omov.web.discussion.models import Appeal as ModerationAppeal
    from omov.web.discussion.models import Moderation, Review
    from omov.web.discussion.services import thread_start

    from .members_helpers import make_member

    author = make_member(contest.organisation)
    thread = thread_start(
        member=author, kind="contest", target_id=contest.pk, title="On the ballot", text="Hello"
    )
    suspension = Moderation.objects.create(
        organisation=contest.organisation,
        kind="suspend",
        state="proposed",
        rule=3,
        ground="abuse",
        label="rule 3, personal abuse",
        citation="Ch2 Cl I.8",
        member=author,
        identity_key=author.identity_key,
        days=7,
        proposed_by=proposer,
    )
    review = Review.objects.create(
        organisation=contest.organisation,
        member=make_member(contest.organisation),
        suspension=suspension,
        matched_on="the same name and date of birth",
        state="open",
    )
    heard = ModerationAppeal.objects.create(
        moderation=suspension, member=author, grounds="Not me", state="lodged"
    )
    return {
        "post": thread.posts.get().pk,
        "moderation": suspension.pk,
        "review": review.pk,
        "moderation_appeal": heard.pk,
    }


def test_every_officer_url_passes_the_one_check() -> None:
    routes = list(officer_urls())
    assert len(routes) >= 19  # as many as there were when this test was written
    unchecked = [route for route, pattern, _ in routes if not hasattr(pattern.callback, MARK)]
    assert unchecked == []
    names = {pattern.name for _, pattern, _ in routes}
    hustings = {"hustings-officer", "hustings-open", "hustings-choose", "hustings-candidate"}
    hustings.add("hustings-hide")
    assert hustings <= names  # in the matrix below, for every visitor


def _local(organisation: Organisation) -> dict[str, int]:
    """A CLP with a branch, a meeting of the CLP with a motion on its agenda, and a
    trigger ballot: what the unit's pages are about."""
    clp = Unit.objects.create(organisation=organisation, kind="clp", code="CLP1", name="CLP")
    Unit.objects.create(organisation=organisation, kind="branch", code="B1", name="B", parent=clp)
    members = []
    for n in range(2):
        members.append(
            Member.objects.create(
                organisation=organisation,
                identity_key=f"k{n}",
                number=f"N{n}",
                full_name=f"Member {n}",
                display_name=f"Member {n}",
                email=f"n{n}@example.org",
                email_normalised=f"n{n}@example.org",
                date_of_birth=dt.date(1980, 1, 1),
                joined=dt.date(2015, 1, 1),
            )
        )
        members[-1].units.set([clp])
    meeting = meeting_call(
        unit=clp, title="", held_on=dt.date(2026, 3, 10), notice_on=dt.date(2026, 3, 1)
    )
    motion = motion_table(
        meeting=meeting, kind="ordinary", text="A motion", mover=members[0], seconder=members[1]
    )
    ballot = trigger_ballot_open(unit=clp, representative="Sitting MP")
    return {"unit": clp.pk, "meeting": meeting.pk, "motion": motion.pk, "ballot": ballot.pk}


def test_every_officer_url_for_every_visitor(open_ballot: OpenBallot) -> None:
    contest = open_ballot.contest
    local = _local(contest.organisation)
    elector = contest.electors.filter(eligibility="eligible").order_by("pk").first()
    assert elector is not None
    appeal = Appeal.objects.create(elector=elector, grounds="I was wrongly excluded")
    proposer = get_user_model().objects.create_user("proposer", password="pw")
    exclusion = Exclusion.objects.create(
        elector=elector, ground="aims-and-values", note="On file", proposed_by=proposer
    )
    discussion = _discussion(contest, proposer)
    petition = petition_start(
        sponsor=make_member(contest.organisation),
        title="A petition",
        text="We ask for something.",
        closes_at=timezone.now() + dt.timedelta(days=5),
    )
    visitors = _visitors(contest, next(iter(open_ballot.codes.values())))
    form = _form(open_ballot, appeal) | {"ground": "abuse", "days": "7", "reasons": "On file"}
    wrong = []
    for route, pattern, names in officer_urls():
        kwargs = {
            "pk": contest.pk,
            "elector": elector.pk,
            "appeal": appeal.pk,
            "section": "members",
            "exclusion": exclusion.pk,
            "number": 1,
            "organisation": contest.organisation_id,
            **discussion,
            **local,
            "petition": petition.pk,
        }
        url = reverse(pattern.name, kwargs={name: kwargs[name] for name in names})
        role = getattr(pattern.callback, MARK)
        # a contest's page, or its organisation's (members and units): the same rules
        contest_page = "pk" in names or "organisation" in names
        unit_page = getattr(pattern.callback, UNIT_MARK, False)
        methods = ("GET", "POST") if role is None or not contest_page else ("POST", "GET")
        for visitor in visitors:
            for method in methods:
                before = database_state()
                if method == "GET":
                    response = visitor.client.get(url)
                else:
                    response = visitor.client.post(url, form)
                if unit_page or role in UNIT_ROLES:
                    expected = _expected_unit(visitor, method, role, unit_page)
                else:
                    expected = _expected(visitor, method, role, contest_page)
                action = role is not None and (contest_page or unit_page)
                if expected == 200 and method == "GET" and action:
                    expected = 405  # an action's URL takes only POST
                if response.status_code != expected:
                    wrong.append(f"{method} {route} as {visitor.name}: {response.status_code}")
                if expected == 302 and visitor.name in ("anonymous", "voter"):
                    assert response["Location"].startswith(reverse("login")), route
                acted = expected == 302 or (expected == 200 and method == "POST")
                if not acted and database_state() != before:
                    wrong.append(f"{method} {route} as {visitor.name}: changed the database")
    assert wrong == []


def test_an_officer_of_another_organisation_sees_none_of_its_contests(
    open_ballot: OpenBallot,
) -> None:
    contest = open_ballot.contest
    elsewhere = officer_of(organisation_create(name="Another Party"), Role.RETURNING_OFFICER)
    link = reverse("contest-dashboard", args=[contest.pk])
    assert link not in elsewhere.get(reverse("officer-home")).content.decode()
    ours = officer_of(contest.organisation, Role.SCRUTINEER, username="scrutineer")
    assert link in ours.get(reverse("officer-home")).content.decode()


def test_a_returning_officer_opens_contests_only_in_their_organisation(
    open_ballot: OpenBallot,
) -> None:
    theirs = open_ballot.contest.organisation
    other = organisation_create(name="Another Party")
    officer = officer_of(other, Role.RETURNING_OFFICER)
    form = _form(open_ballot, Appeal())
    refused = officer.post(reverse("officer-home"), form)
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
    assert not Contest.objects.filter(organisation=theirs).exclude(pk=open_ballot.contest.pk)
    opened = officer.post(reverse("officer-home"), form | {"organisation": other.pk})
    assert opened.status_code == 302
    assert Contest.objects.get(organisation=other).title == form["title"]


def test_a_superuser_acts_for_no_organisation_without_a_role(open_ballot: OpenBallot) -> None:
    """The site's administrator is not an officer of every organisation."""
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("admin", "admin@example.org", "pw")
    admin = Client()
    signed_in = admin.post(reverse("login"), {"username": "admin", "password": "pw"})
    assert signed_in.status_code == 302
    dashboard = reverse("contest-dashboard", args=[open_ballot.contest.pk])
    assert admin.get(dashboard).status_code == 403
    assert admin.post(reverse("ballot-close", args=[open_ballot.contest.pk])).status_code == 403
