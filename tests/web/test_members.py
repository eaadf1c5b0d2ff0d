"""The members foundation: units and roll imports (whole file checked first, faults by row
and column, never a value), sign-in by one-time emailed link, the member's session, the
officer's members page confined to the organisation's officers, the rulebook in force."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from omov.electorate.dedup import EMAIL_AND_BIRTH
from omov.rules.local.schema import Standing as RulesStanding
from omov.web.access.models import Role
from omov.web.audit.models import AuditEvent
from omov.web.contests.models import Organisation
from omov.web.contests.services import organisation_create, rulebook_load
from omov.web.errors import ContestError
from omov.web.members import signin
from omov.web.members.auth import current_member
from omov.web.members.identity import identity_key
from omov.web.members.local import STANDINGS
from omov.web.members.models import Member, SignInLink, Standing, Unit
from omov.web.members.rolls import FileRefusedError
from omov.web.members.selectors import NoLocalRulesError, rulebook_in_force, rulebook_row_in_force
from omov.web.members.services import import_roll, import_units, rulebook_choose

from .conftest import officer_of
from .members_helpers import make_member, make_organisation_with_units, sign_in_member, unit

pytestmark = pytest.mark.django_db

HEADER = "number,name,email,date_of_birth,joined,standing,section,units"
ROLL = (
    HEADER + "\n"
    "M1,Ada Lovelace,Ada@Example.org ,1815-12-10,2015-01-01,active,members,B1\n"
    "M2,Charles Babbage,charles@example.org,1791-12-26,2016-02-01,lapsed,members,B1;B2\n"
    ",Mary Somerville,mary@example.org,1780-12-26,2016-03-01,active,registered-supporters,\n"
)


@pytest.fixture
def officer() -> User:
    return get_user_model().objects.create_user("ro", password="pw")


@pytest.fixture
def party() -> Organisation:
    return make_organisation_with_units()


def roll(*rows: str) -> bytes:
    return (HEADER + "\n" + "\n".join(rows) + "\n").encode()


def events(organisation: Organisation, kind: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(stream=f"organisation:{organisation.pk}", kind=kind))


# Imports ----------------------------------------------------------------------------------


def test_a_good_roll_is_imported_with_units_and_an_entry_naming_the_officer(
    party: Organisation, officer: User
) -> None:
    report = import_roll(party, ROLL.encode(), officer=officer)
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    ada = Member.objects.get(organisation=party, number="M1")
    assert ada.full_name == "Ada Lovelace"
    assert ada.display_name == "Ada L."
    assert ada.email_normalised == "ada@example.org"
    assert ada.identity_key == identity_key("ada@example.org", dt.date(1815, 12, 10))
    assert [u.code for u in ada.units.all()] == ["B1"]
    charles = Member.objects.get(organisation=party, number="M2")
    assert charles.standing == Standing.LAPSED
    assert sorted(u.code for u in charles.units.all()) == ["B1", "B2"]
    mary = Member.objects.get(organisation=party, email_normalised="mary@example.org")
    assert (mary.number, mary.section) == ("", "registered-supporters")
    [entry] = events(party, "members.imported")
    assert '"officer":"ro"' in entry.payload
    assert '"created":3' in entry.payload


def test_importing_again_changes_only_what_changed(party: Organisation, officer: User) -> None:
    import_roll(party, ROLL.encode(), officer=officer)
    Member.objects.filter(number="M1").update(display_name="Ada")  # the member's own choice
    again = ROLL.replace("2016-02-01,lapsed", "2016-02-01,active").replace("B1;B2", "B2")
    report = import_roll(party, again.encode(), officer=officer)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    charles = Member.objects.get(number="M2")
    assert charles.standing == Standing.ACTIVE
    assert [u.code for u in charles.units.all()] == ["B2"]
    assert Member.objects.get(number="M1").display_name == "Ada"
    fewer = import_roll(party, roll(ROLL.splitlines()[1]), officer=officer)
    assert (fewer.unchanged, fewer.not_in_file) == (1, 2)
    assert Member.objects.filter(organisation=party).count() == 3


PERSONAL = ("Lovelace", "ada@", "1815", "Babbage", "charles@", "1791")


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            (
                "M1,Ada Lovelace,ada@example.org,1815-12-10,2015-01-01,active,members,B1",
                "M2,Charles Babbage,charles,1791-12-26,2016-02-01,lapsed,members,B1",
            ),
            "row 3, email: it is not an email address",
        ),
        (
            ("M1,Ada Lovelace,ada@example.org,10/12/1815,2015-01-01,active,members,B1",),
            "row 2, date of birth: it is not a date written as YYYY-MM-DD",
        ),
        (
            ("M1,Ada Lovelace,ada@example.org,1815-12-10,2015-01-01,retired,members,B1",),
            "row 2, standing: it must be one of active, lapsed, suspended, expelled",
        ),
        (
            ("M1,Ada Lovelace,ada@example.org,1815-12-10,2015-01-01,active,members,B1;Z9",),
            "row 2, units: its 2nd code is not one of the organisation's units",
        ),
        (
            ("M1,Ada Lovelace,ada@example.org,1815-12-10,2015-01-01,active,members",),
            "row 2: it has 7 cells where the header has 8",
        ),
        (
            ("M1,Ada Lovelace,ada@example.org,1815-12-10,2015-01-01,active,friends,B1",),
            "row 2, section: it must be one of members",
        ),
        (
            ("M1,,ada@example.org,1815-12-10,1814-01-01,active,members,B1",),
            "row 2, name: it is empty",
        ),
        (
            ("M1,Ada Lovelace,ada@example.org,1815-12-10,1814-01-01,active,members,B1",),
            "row 2, joined: it is before the date of birth",
        ),
        (
            (
                "M1,Ada Lovelace,ada@example.org,1815-12-10,2015-01-01,active,members,B1",
                "M1,Charles Babbage,charles@example.org,1791-12-26,2016-02-01,lapsed,members,B1",
            ),
            "row 3, number: the same number as row 2",
        ),
        (
            (
                "M1,Ada Lovelace,ada@example.org,1815-12-10,2015-01-01,active,members,B1",
                "M2,Ada L,ADA@example.org,1815-12-10,2016-02-01,lapsed,members,B1",
            ),
            "row 3, email: the same email and date of birth as row 2",
        ),
    ],
)
def test_a_faulty_roll_is_refused_whole_by_row_and_column_without_its_values(
    party: Organisation, officer: User, rows: tuple[str, ...], expected: str
) -> None:
    good = "M9,Grace Hopper,grace@example.org,1906-12-09,2015-01-01,active,members,B2"
    with pytest.raises(FileRefusedError) as refused:
        import_roll(party, roll(good, *rows), officer=officer)
    message = str(refused.value)
    # A good row comes first: each fault's row is one further down than in ``rows``.
    shifted = re.sub(r"row (\d+)", lambda m: f"row {int(m.group(1)) - 1}", message)
    assert shifted.startswith("nothing was imported: ")
    assert expected in shifted
    assert not any(value in message for value in (*PERSONAL, "Grace", "grace@", "1906"))
    assert not Member.objects.filter(organisation=party).exists()  # not even the good row
    assert not events(party, "members.imported")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xff\xfenumber", "the roll file is not UTF-8 text"),
        (b"", "the roll file is empty"),
        (b"number,name,email\nM1,A,a@example.org\n", "missing date of birth, joined"),
        (HEADER.replace("units", "unit").encode() + b"\n", "not expected: unit"),
        (b'number,name,email,date_of_birth,joined,standing,section,units\n"M1,A\x00\n', "row 2"),
    ],
)
def test_a_malformed_file_imports_nothing(
    party: Organisation, officer: User, data: bytes, expected: str
) -> None:
    with pytest.raises(ContestError, match=expected):
        import_roll(party, data, officer=officer)
    assert not Member.objects.exists()


def test_a_second_member_with_an_identity_on_the_roll_is_refused_with_its_row(
    party: Organisation, officer: User
) -> None:
    make_member(party, number="M1", email="ada@example.org", date_of_birth=dt.date(1815, 12, 10))
    row = "M7,Ada Again,ADA@example.org,1815-12-10,2015-01-01,active,members,"
    with pytest.raises(FileRefusedError) as refused:
        import_roll(party, roll(row), officer=officer)
    assert str(refused.value) == (
        "nothing was imported: row 2, email: another member on the roll has this email "
        "and date of birth"
    )
    assert Member.objects.filter(organisation=party).count() == 1


def test_the_same_person_in_another_organisation_is_another_member(officer: User) -> None:
    first = make_organisation_with_units("First Party")
    second = make_organisation_with_units("Second Party")
    import_roll(first, ROLL.encode(), officer=officer)
    assert import_roll(second, ROLL.encode(), officer=officer).created == 3


def test_the_identity_key_is_the_electorate_packages(party: Organisation) -> None:
    emails = [" Ada@Example.ORG ", "b.c@example.org", "ÉLODIE@exemple.fr"]
    born = [dt.date(1815, 12, 10), dt.date(2000, 2, 29), dt.date(1970, 1, 1)]
    frame = pl.DataFrame({"email": emails, "date_of_birth": born})
    theirs = frame.select(EMAIL_AND_BIRTH.expr()).to_series().to_list()
    assert theirs == [identity_key(e, d) for e, d in zip(emails, born, strict=True)]


def test_standings_are_the_rules_own() -> None:
    from typing import get_args

    assert STANDINGS == get_args(RulesStanding) == tuple(Standing.values)


def test_units_are_imported_as_the_rulebook_nests_them(officer: User) -> None:
    party = organisation_create(name="Unit Party")
    rulebook_load(organisation=party, key="labour/2016")
    data = (
        b"kind,code,name,parent\n"
        b"branch,B1,Highbury West,CLP1\n"
        b"clp,CLP1,Islington North,\n"
        b"affiliated-branch,A1,Unison Islington,CLP1\n"
    )
    report = import_units(party, data, officer=officer)
    assert report.created == 3
    assert unit(party, "B1").parent == unit(party, "CLP1")
    assert events(party, "units.imported")
    bad = b"kind,code,name,parent\nbranch,B9,Nowhere,\nbranch,B8,Under a branch,B1\nward,W1,W,\n"
    with pytest.raises(FileRefusedError) as refused:
        import_units(party, bad, officer=officer)
    assert str(refused.value) == (
        "nothing was imported: "
        "row 2, parent: a Branch Labour Party sits within a Constituency Labour Party; "
        "row 3, parent: a Branch Labour Party sits within a Constituency Labour Party; "
        "row 4, kind: it must be one of clp, branch, affiliated-branch"
    )
    assert Unit.objects.filter(organisation=party).count() == 3


def test_units_need_a_rulebook_with_local_rules(officer: User) -> None:
    party = organisation_create(name="No Rules Party")
    with pytest.raises(NoLocalRulesError):
        import_units(party, b"kind,code,name,parent\n", officer=officer)


# The rulebook in force --------------------------------------------------------------------


def test_the_newest_local_rulebook_is_in_force_until_an_officer_chooses(
    party: Organisation, officer: User
) -> None:
    assert rulebook_in_force(party).id == "labour/2016"
    newer = rulebook_load(organisation=party, key="labour/2018")
    assert rulebook_in_force(party).id == "labour/2018"
    older = rulebook_choose(party, "labour/2016", officer=officer)
    assert rulebook_in_force(party).id == "labour/2016"
    assert rulebook_row_in_force(party) == older != newer
    assert events(party, "members.rulebook-chosen")
    with pytest.raises(ContestError, match="no rules for local units"):
        rulebook_choose(party, "green/2021", officer=officer)


def test_the_officer_puts_a_shipped_edition_in_force_from_the_page() -> None:
    party = organisation_create(name="New Party")
    client = officer_of(party, Role.RETURNING_OFFICER)
    page = client.get(reverse("members-officer", args=[party.pk])).content.decode()
    assert "No rulebook with rules for local units is in force yet" in page
    assert 'value="conservative/2019"' in page
    chosen = client.post(reverse("members-rulebook", args=[party.pk]), {"rulebook": "labour/2018"})
    assert chosen.status_code == 302
    assert rulebook_in_force(party).id == "labour/2018"


# Sign-in ----------------------------------------------------------------------------------


def ask(client: Client, email: str, **extra: str) -> str:
    response = client.post(reverse("member-sign-in"), {"email": email}, **extra)
    assert response.status_code == 200
    return response.content.decode()


def link_in(message: mail.EmailMessage) -> str:
    found = re.search(r"http://testserver(/members/sign-in/[^/\s]+/)", str(message.body))
    assert found is not None
    return found.group(1)


def test_a_member_signs_in_with_the_emailed_link_once(party: Organisation) -> None:
    member = make_member(party, email="ada@example.org", units=["B1"])
    client = Client()
    ask(client, " ADA@example.org")
    [message] = mail.outbox
    assert message.to == ["ada@example.org"]
    assert "Test Party" in message.subject
    assert "Test Party" in str(message.body)
    link = link_in(message)
    assert not SignInLink.objects.filter(digest=link.split("/")[-2]).exists()  # a hash only
    confirm = client.get(link)
    assert confirm.status_code == 200
    assert "Sign in to Test Party" in confirm.content.decode()
    assert client.get(reverse("member-home")).status_code == 302  # opening it is not enough
    signed_in = client.post(link)
    assert signed_in.status_code == 302
    assert signed_in["Location"] == reverse("member-home")
    home = client.get(reverse("member-home"))
    assert home.status_code == 200
    assert "Highbury West branch" in home.content.decode()
    assert member.display_name in home.content.decode()
    other = Client()
    assert other.post(link).status_code == 400  # used
    assert other.get(link).status_code == 400
    assert other.get(reverse("member-home")).status_code == 302


def test_a_link_expires_after_fifteen_minutes(party: Organisation) -> None:
    make_member(party, email="ada@example.org")
    client = Client()
    ask(client, "ada@example.org")
    link = link_in(mail.outbox[0])
    SignInLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.post(link).status_code == 400
    assert client.get(reverse("member-home")).status_code == 302
    made = SignInLink.objects.get()
    assert made.expires_at - made.created_at != dt.timedelta(minutes=15)  # moved by the test
    fresh = Client()
    ask(fresh, "ada@example.org")
    newest = SignInLink.objects.order_by("-pk").first()
    assert newest is not None
    assert newest.expires_at - newest.created_at == dt.timedelta(minutes=15)


def test_the_answer_is_the_same_on_the_roll_or_not(party: Organisation) -> None:
    make_member(party, email="ada@example.org")
    on_roll = ask(Client(), "ada@example.org")
    off_roll = ask(Client(), "nobody@example.org")
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub("", on_roll) == strip.sub("", off_roll)
    assert len(mail.outbox) == 1


def test_an_expelled_member_cannot_sign_in(party: Organisation) -> None:
    member = make_member(party, email="ada@example.org")
    client = Client()
    ask(client, "ada@example.org")
    link = link_in(mail.outbox[0])
    Member.objects.filter(pk=member.pk).update(standing=Standing.EXPELLED)
    assert client.post(link).status_code == 400  # a link sent before the expulsion
    ask(client, "ada@example.org")
    assert len(mail.outbox) == 1  # no new link
    signed_in = Client()
    sign_in_member(signed_in, member)
    assert signed_in.get(reverse("member-home")).status_code == 302  # the session is dropped


def test_a_suspended_member_still_signs_in(party: Organisation) -> None:
    make_member(party, email="ada@example.org", standing="suspended")
    ask(Client(), "ada@example.org")
    assert len(mail.outbox) == 1


def test_a_member_of_two_organisations_gets_a_link_from_each(party: Organisation) -> None:
    other = make_organisation_with_units("Other Party")
    make_member(party, email="ada@example.org")
    make_member(other, email="ada@example.org")
    ask(Client(), "ada@example.org")
    assert sorted(m.subject for m in mail.outbox) == [
        "Sign in to Other Party",
        "Sign in to Test Party",
    ]


def test_asking_too_often_is_held_back(party: Organisation) -> None:
    make_member(party, email="ada@example.org")
    client = Client()
    for _ in range(signin.PER_CLIENT):
        ask(client, "ada@example.org")
    assert len(mail.outbox) == signin.PER_MEMBER  # the member's inbox is spared
    held = client.post(reverse("member-sign-in"), {"email": "nobody@example.org"})
    assert held.status_code == 429
    elsewhere = Client(REMOTE_ADDR="192.0.2.7")
    assert elsewhere.post(reverse("member-sign-in"), {"email": "a@example.org"}).status_code == 200


def test_member_required_brings_the_member_back(party: Organisation) -> None:
    member = make_member(party, email="ada@example.org")
    client = Client()
    away = client.get(reverse("member-home") + "?tab=1")
    assert away.status_code == 302
    assert away["Location"].startswith(reverse("member-sign-in") + "?next=")
    client.get(away["Location"])
    ask(client, "ada@example.org")
    assert client.post(link_in(mail.outbox[0]))["Location"] == reverse("member-home") + "?tab=1"
    request = client.get(reverse("member-home")).wsgi_request
    assert current_member(request) == member


def test_signing_out_ends_the_members_session(party: Organisation) -> None:
    member = make_member(party)
    client = Client()
    sign_in_member(client, member)
    assert client.get(reverse("member-home")).status_code == 200
    assert client.post(reverse("member-sign-out")).status_code == 302
    assert client.get(reverse("member-home")).status_code == 302


# The officer's members page ---------------------------------------------------------------


def test_the_returning_officer_imports_through_the_page(party: Organisation) -> None:
    client = officer_of(party, Role.RETURNING_OFFICER)
    page = reverse("members-officer", kwargs={"organisation": party.pk})
    assert client.get(page).status_code == 200
    upload = SimpleUploadedFile("roll.csv", ROLL.encode(), content_type="text/csv")
    done = client.post(reverse("members-roll-import", args=[party.pk]), {"file": upload})
    assert done.status_code == 302
    assert Member.objects.filter(organisation=party).count() == 3
    shown = client.get(page).content.decode()
    assert "Members imported: 3 added" in shown
    assert "3 members on the roll" in shown
    bad = SimpleUploadedFile("roll.csv", roll("M5,X Y,x@example.org,1,2015-01-01,active,members,"))
    client.post(reverse("members-roll-import", args=[party.pk]), {"file": bad})
    shown = client.get(page).content.decode()
    assert "row 2, date of birth: it is not a date" in shown
    assert "x@example.org" not in shown


def test_an_officer_of_another_organisation_is_refused(party: Organisation) -> None:
    elsewhere = officer_of(organisation_create(name="Another Party"), *Role, username="other")
    upload = SimpleUploadedFile("roll.csv", ROLL.encode(), content_type="text/csv")
    page = reverse("members-officer", kwargs={"organisation": party.pk})
    assert elsewhere.get(page).status_code == 403
    refused = elsewhere.post(reverse("members-roll-import", args=[party.pk]), {"file": upload})
    assert refused.status_code == 403
    assert not Member.objects.exists()
    scrutineer = officer_of(party, Role.SCRUTINEER, username="scrutineer")
    assert scrutineer.get(page).status_code == 200
    upload.seek(0)
    assert (
        scrutineer.post(
            reverse("members-roll-import", args=[party.pk]), {"file": upload}
        ).status_code
        == 403
    )
    assert not Member.objects.exists()


def test_no_members_page_shows_an_internal_code(party: Organisation) -> None:
    from .test_plain_language import SNAKE, _read

    member = make_member(party, email="ada@example.org", units=["B1"])
    pages = [Client().get(reverse("member-sign-in")), ask_page(Client(), "ada@example.org")]
    ask_page(Client(), "ada@example.org")
    pages.append(Client().get(link_in(mail.outbox[0])))
    pages.append(Client().get("/members/sign-in/not-a-link/"))
    signed_in = Client()
    sign_in_member(signed_in, member)
    pages.append(signed_in.get(reverse("member-home")))
    officer = officer_of(party, Role.RETURNING_OFFICER)
    bad = SimpleUploadedFile("roll.csv", roll("M5,X Y,x@example.org,1,2015-01-01,x,members,"))
    officer.post(reverse("members-roll-import", args=[party.pk]), {"file": bad})
    header = SimpleUploadedFile("roll.csv", b"number,name,email\n")
    officer.post(reverse("members-roll-import", args=[party.pk]), {"file": header})
    pages.append(officer.get(reverse("members-officer", args=[party.pk])))
    assert "date of birth" in pages[-1].content.decode()
    found = [SNAKE.findall(_read(page.content.decode())) for page in pages]
    assert found == [[]] * len(pages)


def ask_page(client: Client, email: str) -> HttpResponse:
    return client.post(reverse("member-sign-in"), {"email": email})


def test_the_files_to_fill_in_import_as_they_are(party: Organisation) -> None:
    client = officer_of(party, Role.SCRUTINEER, username="scrutineer")
    units = client.get(reverse("members-units-template", args=[party.pk]))
    assert units["Content-Type"] == "text/csv; charset=utf-8"
    the_roll = client.get(reverse("members-roll-template", args=[party.pk]))
    officer = get_user_model().objects.create_user("ro", password="pw")
    assert import_units(party, units.content, officer=officer).unchanged == 1
    assert import_roll(party, the_roll.content, officer=officer).created == 1
