"""The member's own status page: with their voting code an elector reads their status (the
reason in plain words; an exclusion's ground as the rulebook states it, and the appeal
deadline) and appeals online to the appeals panel, under the sign-in's throttle, seeing
nobody else's data."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import importlib
import re
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse

from omov.web.audit.models import AuditEvent
from omov.web.balloting import throttle
from omov.web.balloting.codes import link_token
from omov.web.balloting.services import credential_reissue, credentials_issue
from omov.web.balloting.views import SESSION_KEY
from omov.web.contests.models import Contest
from omov.web.contests.services import candidate_add, organisation_create
from omov.web.electorate.models import Appeal, AppealState, RollUpload
from omov.web.electorate.services import (
    appeal_decide,
    elector_exclude,
    electorate_freeze,
    roll_import,
)
from omov.web.electorate.vetting import exclusion_confirm, exclusion_propose
from omov.web.members.identity import identity_digest, identity_key

from .conftest import OpenBallot, member_roll, nominated_contest, open_contest, supporter_roll
from .members_helpers import make_member, sign_in_member

pytestmark = pytest.mark.django_db

STATEMENT = "You are a member of another political party."  # labour/2016's ground
NOTE = "Membership card of the Green Party, seen 3 July"


def _user(name: str) -> User:
    return get_user_model().objects.create_user(name, password="pw")


def _person_on_two_rolls_with_codes() -> tuple[Contest, dict[str, str]]:
    """Member M0001 is also supporter S0001 (same email and date of birth); codes issued
    (by reference)."""
    contest = nominated_contest()
    roll_import(contest=contest, section="members", data=member_roll(3, late=1))
    supporter = (
        b"application_id,email,date_of_birth,applied_at,payment_status,on_register\n"
        b"S0001,M1@Example.org,1970-01-01,2016-07-19T12:00:00,paid,true\n"
    )
    roll_import(contest=contest, section="registered-supporters", data=supporter)
    electorate_freeze(contest=contest)
    codes = credentials_issue(contest=contest, send=False)
    by_reference = {e.reference: codes[e.pk] for e in contest.electors.filter(pk__in=codes)}
    return contest, by_reference


def _exclude_member(contest: Contest) -> None:
    member = contest.electors.get(reference="M0001")
    proposed = exclusion_propose(
        elector=member, ground="member-of-another-party", note=NOTE, actor=_user("first")
    )
    exclusion_confirm(exclusion=proposed, actor=_user("second"))


def _status(client: Client, contest: Contest, **post: str) -> tuple[int, str]:
    url = reverse("elector-status", args=[contest.pk])
    response = client.post(url, post, follow=True) if post else client.get(url)
    return response.status_code, response.content.decode()


def test_excluded_reads_the_ground_and_appeals_online() -> None:
    contest, codes = _person_on_two_rolls_with_codes()
    assert "S0001" not in codes  # a duplicate of M0001: one person, one code
    _exclude_member(contest)
    assert contest.electors.get(reference="S0001").eligibility == "excluded"
    member = Client()
    # The code was revoked by the exclusion; it still shows the person their status.
    status, page = _status(member, contest, code=codes["M0001"])
    assert status == 200
    assert "You have been excluded from this ballot after vetting." in page
    assert STATEMENT in page
    assert "the NEC appeals panel" in page
    assert "until" in page
    # Nobody else's data, and not the officers' evidence.
    for private in ("m1@example.org", "M1@Example.org", NOTE, "M0002", "m2@example.org"):
        assert private not in page
    refused, page = _status(member, contest, grounds="   ")
    assert refused == 400
    assert "An appeal needs its grounds." in page
    assert not Appeal.objects.exists()
    lodged, page = _status(member, contest, grounds="I left the Green Party in 2014.")
    assert lodged == 200
    assert "Your appeal has been lodged" in page
    appeal = Appeal.objects.get()
    assert appeal.elector.reference == "M0001"
    assert appeal.state == AppealState.LODGED
    assert appeal.grounds == "I left the Green Party in 2014."
    assert "Your appeal is with the panel" in page
    assert "Lodge my appeal" not in page
    assert AuditEvent.objects.filter(stream=contest.stream, kind="appeal.lodged").count() == 1


def test_eligible_and_not_eligible_in_plain_words() -> None:
    contest, codes = _person_on_two_rolls_with_codes()
    status, page = _status(Client(), contest, code=codes["M0002"])
    assert status == 200
    assert "You are eligible to vote in this ballot." in page
    assert "Lodge my appeal" not in page
    late = contest.electors.get(reference="M0004")  # joined after the freeze: no code
    assert late.reason == "joined_after_freeze"
    assert not late.credentials.exists()


def test_status_does_not_sign_in_to_vote(open_ballot: OpenBallot) -> None:
    contest = open_ballot.contest
    client = Client()
    _, page = _status(client, contest, code=next(iter(open_ballot.codes.values())))
    assert "You are eligible to vote in this ballot." in page
    assert SESSION_KEY not in client.session
    ballot = client.get(reverse("vote-ballot", args=[contest.pk]))
    assert ballot.status_code == 302
    _left, page = _status(client, contest, leave="1")
    assert "See my status" in page


def test_a_replaced_code_shows_nothing(open_ballot: OpenBallot) -> None:
    contest = open_ballot.contest
    elector_pk, old = next(iter(open_ballot.codes.items()))
    new = credential_reissue(elector=contest.electors.get(pk=elector_pk), send=False).code
    refused, page = _status(Client(), contest, code=old)
    assert refused == 400
    assert "replaced by a newer one" in page
    assert "You are eligible" not in page
    assert _status(Client(), contest, code=new)[0] == 200


def test_a_wrong_code_is_refused_in_the_readers_language(open_ballot: OpenBallot) -> None:
    """The refusal is the voting pages' own sentence, in Welsh to a browser that asks."""
    welsh = Client(headers={"accept-language": "cy"})
    refused, page = _status(welsh, open_ballot.contest, code="AAAA-AAAA-AAAA")
    assert refused == 400
    assert "gwiriwch ef a rhowch gynnig arall arni" in page
    assert "check it and try again" not in page
    _, english = _status(Client(), open_ballot.contest, code="AAAA-AAAA-AAAA")
    assert "This code is not valid for this ballot: check it and try again." in english


def test_wrong_codes_are_throttled_with_the_sign_in(
    open_ballot: OpenBallot, monkeypatch: pytest.MonkeyPatch
) -> None:
    contest = open_ballot.contest
    monkeypatch.setattr(throttle, "clock", lambda: 1_000_000.0)
    client = Client()
    for _ in range(throttle.limits().free + 1):
        assert _status(client, contest, code="AAAA-BBBB-CCCC")[0] == 400
    url = reverse("elector-status", args=[contest.pk])
    held = client.post(url, {"code": next(iter(open_ballot.codes.values()))})
    assert held.status_code == 429
    assert int(held["Retry-After"]) >= 1
    # The same counts hold back the voting page's sign-in too.
    vote = client.post(reverse("vote-start", args=[contest.pk]), {"code": "AAAA-BBBB-CCCC"})
    assert vote.status_code == 429


def test_a_member_signed_in_by_emailed_link_needs_no_code() -> None:
    """Signed in with the members' one-time link, a member reads their status by their
    membership number and email on the roll: even one never sent a code (not eligible)."""
    contest, _ = _person_on_two_rolls_with_codes()
    _exclude_member(contest)
    late = make_member(contest.organisation, number="M0004", email="m4@example.org")
    client = Client()
    sign_in_member(client, late)
    _, page = _status(client, contest)
    assert "You are not eligible to vote in this ballot." in page
    assert "You joined after the date the rules set for this ballot." in page
    home = client.get(reverse("member-home")).content.decode()
    assert "Your status in Leadership election" in home
    assert reverse("elector-status", args=[contest.pk]) in home

    excluded = make_member(contest.organisation, number="M0001", email="M1@example.org")
    client = Client()
    sign_in_member(client, excluded)
    _, page = _status(client, contest)
    assert STATEMENT in page
    lodged, page = _status(client, contest, grounds="I left that party in 2014.")
    assert lodged == 200
    assert Appeal.objects.get().elector.reference == "M0001"

    elsewhere = make_member(
        organisation_create(name="Another Party"), number="M0002", email="m2@example.org"
    )
    client = Client()
    sign_in_member(client, elsewhere)
    _, page = _status(client, contest)
    assert "not on this ballot" in page
    assert "You are eligible" not in page


def test_a_voter_signed_in_by_the_emailed_link_sees_their_status(open_ballot: OpenBallot) -> None:
    """The one-time link in the code's email signs the voter in on the voting pages; the
    status page then needs no code either."""
    contest = open_ballot.contest
    client = Client()
    url = reverse("elector-status", args=[contest.pk])
    assert "See my status" in client.get(url).content.decode()
    code = next(iter(open_ballot.codes.values()))
    link = reverse("vote-link", args=[contest.pk, link_token(code)])
    assert client.post(link).status_code == 302  # signed in to vote, as the email's link does
    page = client.get(url).content.decode()
    assert "You are eligible to vote in this ballot." in page
    assert "Done: forget my code" not in page


def _electorate_open() -> Contest:
    """Members M0001-3 and registered supporters S0001-2 (s1@, s2@), the electorate still
    open (no codes yet)."""
    contest = nominated_contest()
    roll_import(contest=contest, section="members", data=member_roll(3, late=0))
    roll_import(contest=contest, section="registered-supporters", data=supporter_roll(2))
    return contest


def test_a_registered_supporter_with_no_number_nor_code_signs_in_by_email() -> None:
    """A supporter has no membership number: signed in with the members' one-time link, they
    are found by their section and the email on the roll (the link proved it is theirs)."""
    contest = _electorate_open()
    supporter = make_member(
        contest.organisation, number="", section="registered-supporters", email="S2@example.org"
    )
    client = Client()
    sign_in_member(client, supporter)
    _, page = _status(client, contest)
    assert "You are eligible to vote in this ballot." in page
    home = client.get(reverse("member-home")).content.decode()
    assert reverse("elector-status", args=[contest.pk]) in home

    elsewhere = make_member(
        contest.organisation, number="", section="registered-supporters", email="s9@example.org"
    )
    client = Client()
    sign_in_member(client, elsewhere)
    _, page = _status(client, contest)
    assert "your email is not on this ballot's roll" in page
    assert "You are eligible" not in page


COUPLE = (
    b"application_id,email,date_of_birth,applied_at,payment_status,on_register\n"
    b"S0001, home@example.org ,1970-01-01,2016-07-19T12:00:00,paid,true\n"
    b"S0002,Home@Example.org,1985-05-05,2016-07-19T12:00:00,failed,true\n"
)


def _signed_in_supporter(contest: Contest, born: dt.date) -> Client:
    member = make_member(
        contest.organisation,
        number="",
        section="registered-supporters",
        email="home@example.org",
        date_of_birth=born,
    )
    client = Client()
    sign_in_member(client, member)
    return client


def test_supporters_sharing_an_email_see_only_their_own_record() -> None:
    """Two registered supporters who share one email (a couple), told apart by their dates
    of birth as the roll links a person's records: signed in by the members' link, each
    reads their own record only, never the other's status, reason or exclusion; a third
    person at that email who is on no roll reads nothing."""
    contest = nominated_contest()
    roll_import(contest=contest, section="members", data=member_roll(2, late=0))
    roll_import(contest=contest, section="registered-supporters", data=COUPLE)
    first = contest.electors.get(reference="S0001")
    proposed = exclusion_propose(
        elector=first, ground="member-of-another-party", note=NOTE, actor=_user("first")
    )
    exclusion_confirm(exclusion=proposed, actor=_user("second"))
    second = contest.electors.get(reference="S0002")
    assert (second.eligibility, second.reason) == ("ineligible", "payment_failed")

    client = _signed_in_supporter(contest, dt.date(1985, 5, 5))
    _, page = _status(client, contest)
    assert "You are not eligible to vote in this ballot." in page
    assert "Your payment was not received." in page
    for theirs in ("excluded", STATEMENT, "Lodge my appeal", "You are eligible"):
        assert theirs not in page
    refused, _ = _status(client, contest, grounds="That exclusion is not mine to appeal.")
    assert refused == 400
    assert not Appeal.objects.exists()
    home = client.get(reverse("member-home")).content.decode()
    assert reverse("elector-status", args=[contest.pk]) in home

    _, page = _status(_signed_in_supporter(contest, dt.date(1970, 1, 1)), contest)
    assert "You have been excluded from this ballot after vetting." in page
    assert STATEMENT in page

    client = _signed_in_supporter(contest, dt.date(1990, 9, 9))
    _, page = _status(client, contest)
    assert "your email is not on this ballot's roll" in page
    for theirs in ("You are eligible", "You are not eligible", "excluded", STATEMENT):
        assert theirs not in page
    home = client.get(reverse("member-home")).content.decode()
    assert reverse("elector-status", args=[contest.pk]) not in home


def _couple_on_the_roll() -> Contest:
    contest = open_contest()
    candidate_add(contest=contest, name="A", incumbent=True)
    roll_import(contest=contest, section="members", data=member_roll(2, late=0))
    roll_import(contest=contest, section="registered-supporters", data=COUPLE)
    return contest


def test_the_import_stores_each_records_identity_digest_not_its_birth_date() -> None:
    """Each elector keeps the keyed digest of its roll's identity key (the email trimmed and
    in lower case, the date of birth), the one a member with that email and date of birth
    has; not the date of birth, nor anything it can be read from without the server's key.
    A re-import that changes a date of birth changes the digest."""
    contest = _couple_on_the_roll()
    first, second = (contest.electors.get(reference=r) for r in ("S0001", "S0002"))
    born = dt.date(1970, 1, 1)
    assert first.identity_digest == identity_digest(identity_key("home@example.org", born))
    assert second.identity_digest == identity_digest(
        identity_key("home@example.org", dt.date(1985, 5, 5))
    )
    assert first.identity_digest != second.identity_digest
    assert re.fullmatch("[0-9a-f]{32}", first.identity_digest)
    keyed = hmac.new(settings.OMOV_CREDENTIAL_KEY.encode(), digestmod="sha256")
    keyed.update(b"identity:" + identity_key("home@example.org", born).encode())
    assert first.identity_digest == keyed.hexdigest()[:32]
    unkeyed = hashlib.sha256(identity_key("home@example.org", born).encode()).hexdigest()
    assert first.identity_digest != unkeyed[:32]
    members = contest.electors.filter(section="members")
    assert members.count() == 2
    assert all(len(m.identity_digest) == 32 for m in members)

    moved = COUPLE.replace(b"1985-05-05", b"1986-06-06")
    roll_import(contest=contest, section="registered-supporters", data=moved)
    second.refresh_from_db()
    assert second.identity_digest == identity_digest(
        identity_key("home@example.org", dt.date(1986, 6, 6))
    )


def test_a_record_with_no_email_has_no_digest_and_matches_no_supporter() -> None:
    """No email on the roll, no identity key: the record keeps no digest, and no member's
    digest is the empty one."""
    contest = _couple_on_the_roll()
    nobody = COUPLE.replace(b"S0002,Home@Example.org", b"S0002,")
    roll_import(contest=contest, section="registered-supporters", data=nobody)
    assert contest.electors.get(reference="S0002").identity_digest == ""
    assert identity_digest(identity_key("", dt.date(1985, 5, 5))) != ""


def test_electors_imported_before_digests_are_given_theirs_from_the_stored_roll() -> None:
    """Migration 0008's backfill: electors stored without a digest get theirs from their
    section's stored roll, and a supporter then reads their own record, not the other's at
    their email; an elector whose section has no stored roll keeps none, and matches no
    supporter."""
    contest = _couple_on_the_roll()
    kept = dict(contest.electors.values_list("reference", "identity_digest"))
    contest.electors.update(identity_digest="")
    client = _signed_in_supporter(contest, dt.date(1985, 5, 5))
    _, page = _status(client, contest)
    assert "your email is not on this ballot's roll" in page

    migration = importlib.import_module(
        "omov.web.electorate.migrations.0008_elector_identity_digest"
    )
    migration._backfill(django_apps, SimpleNamespace(connection=connection))
    assert dict(contest.electors.values_list("reference", "identity_digest")) == kept
    _, page = _status(client, contest)
    assert "You are not eligible to vote in this ballot." in page
    assert "Your payment was not received." in page
    assert "You are eligible" not in page

    contest.electors.update(identity_digest="")
    RollUpload.objects.filter(contest=contest, section="registered-supporters").delete()
    migration._backfill(django_apps, SimpleNamespace(connection=connection))
    supporters = contest.electors.filter(section="registered-supporters")
    assert set(supporters.values_list("identity_digest", flat=True)) == {""}
    assert all(m.identity_digest for m in contest.electors.filter(section="members"))
    _, page = _status(client, contest)
    assert "your email is not on this ballot's roll" in page


def test_excluded_by_one_officer_appeals_online_until_the_freeze() -> None:
    """The older one-officer exclusion (no rulebook ground, no deadline) can be appealed from
    the status page until the electorate is frozen; the officer's evidence is not shown."""
    contest = _electorate_open()
    elector_exclude(elector=contest.electors.get(reference="M0002"), grounds="Seen at a rally")
    elector_exclude(elector=contest.electors.get(reference="M0003"), grounds="Seen at a rally")
    client = Client()
    member = make_member(contest.organisation, number="M0002", email="m2@example.org")
    sign_in_member(client, member)
    _, page = _status(client, contest)
    assert "You have been excluded from this ballot after vetting." in page
    assert "Appeals go to the NEC appeals panel, until the electorate is frozen." in page
    assert "Lodge my appeal" in page
    assert "Seen at a rally" not in page
    refused, page = _status(client, contest, grounds="  ")
    assert refused == 400
    assert "An appeal needs its grounds." in page
    _, page = _status(client, contest, grounds="I was at that rally to protest against it.")
    appeal = Appeal.objects.get()
    assert (appeal.elector.reference, appeal.state) == ("M0002", AppealState.LODGED)
    assert "Your appeal is with the panel" in page
    assert "Lodge my appeal" not in page
    appeal_decide(appeal=appeal, uphold=False, reason="Photographs show otherwise.")
    electorate_freeze(contest=contest)
    _, page = _status(client, contest)
    assert "Photographs show otherwise." in page
    assert "The panel has decided your appeal." in page

    client = Client()
    member = make_member(contest.organisation, number="M0003", email="m3@example.org")
    sign_in_member(client, member)
    _, page = _status(client, contest)
    assert "Appeals can no longer be lodged: the electorate has been frozen." in page
    assert "Lodge my appeal" not in page
