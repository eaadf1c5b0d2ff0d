"""PostgreSQL only: the online cast in one statement (``balloting/casting.py``) stores and
refuses exactly as the ORM path does, in one prepared statement, through the voter's pages
too. The ORM path is the one a cast takes inside a caller's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from omov.secrecy.ballot import EncryptedBallot, encrypt_ballot, tracker
from omov.secrecy.group import base_power, random_scalar
from omov.web.balloting.casting import kept_paper
from omov.web.balloting.codes import code_digest
from omov.web.balloting.models import Ballot, Credential, CredentialState
from omov.web.balloting.services import (
    ballot_cast,
    ballot_cast_signed_in,
    ballot_close,
    credential_reissue,
)
from omov.web.contests.models import Contest, Organisation
from omov.web.contests.selectors import ballot_positions
from omov.web.electorate.models import Elector
from omov.web.errors import ContestError
from omov.web.trustees.models import ElectionKey
from omov.web.trustees.selectors import contest_binding, election_key

from .conftest import OpenBallot, ballot_ready

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PATHS: dict[str, Callable[[], AbstractContextManager[object]]] = {
    "one statement": nullcontext,  # autocommit: ballot_cast sends the one statement
    "orm": transaction.atomic,  # inside a transaction: the ORM queries
}


@pytest.fixture
def ready() -> OpenBallot:
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://..."
    return ballot_ready(per_section=2)


def _nothing_changed() -> None:
    assert not Ballot.objects.exists()
    assert not Elector.objects.filter(has_voted=True).exists()
    assert not Credential.objects.filter(state=CredentialState.USED).exists()


@pytest.mark.parametrize("path", PATHS)
def test_both_paths_store_the_same_ballot(ready: OpenBallot, path: str) -> None:
    elector_id, code = next(iter(ready.codes.items()))
    with PATHS[path]():
        receipt = ballot_cast(contest=ready.contest, code=code, ranking=[3, 1])
    ballot = Ballot.objects.get()
    elector = Elector.objects.get(pk=elector_id)
    assert (ballot.receipt, ballot.section) == (receipt, elector.section)
    sealed = EncryptedBallot.from_bytes(bytes(ballot.ciphertext))  # encrypted at receipt
    assert tracker(sealed) == receipt
    assert (ballot.contest_id, ballot.channel) == (ready.contest.pk, "online")
    assert elector.has_voted
    assert elector.credentials.get().state == CredentialState.USED
    assert Elector.objects.filter(has_voted=True).count() == 1


def _close(ready: OpenBallot) -> None:
    ballot_close(contest=ready.contest, reason="the test closes it early")


def _past_closing_time(ready: OpenBallot) -> None:
    closes = ready.contest.ballot_opens_at + dt.timedelta(minutes=1)
    Contest.objects.filter(pk=ready.contest.pk).update(ballot_closes_at=closes)


def _reissue(ready: OpenBallot) -> None:
    credential_reissue(elector=Elector.objects.get(pk=next(iter(ready.codes))), send=False)


def _off_the_paper(ready: OpenBallot) -> None:
    ready.contest.candidates.filter(position=3).update(on_ballot=False)


REFUSALS: dict[str, tuple[Callable[[OpenBallot], None] | None, list[int], str]] = {
    "closed": (_close, [1], "the ballot is not open"),
    "past closing time": (_past_closing_time, [1], "the ballot closed at"),
    "revoked code": (_reissue, [1], "this code is not valid for this ballot"),
    "unknown candidate": (None, [1, 99], "not on this ballot"),
    "candidate not on the paper": (_off_the_paper, [3], "not on this ballot"),
    "named twice": (None, [2, 2], "more than once"),
    "nothing ranked": (None, [], "rank at least one candidate"),
}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("case", REFUSALS)
def test_refusals_are_the_same_and_change_nothing(ready: OpenBallot, path: str, case: str) -> None:
    before, ranking, message = REFUSALS[case]
    if before is not None:
        before(ready)
    code = next(iter(ready.codes.values()))
    with pytest.raises(ContestError, match=message), PATHS[path]():
        ballot_cast(contest=ready.contest, code=code, ranking=ranking)
    assert not Ballot.objects.exists()
    assert not Elector.objects.filter(has_voted=True).exists()


@pytest.mark.parametrize("path", PATHS)
def test_used_unknown_and_foreign_codes_are_refused(ready: OpenBallot, path: str) -> None:
    code = next(iter(ready.codes.values()))
    ballot_cast(contest=ready.contest, code=code, ranking=[1])
    Organisation.objects.update(name="First Party")  # ballot_ready names its own "Test Party"
    other = ballot_ready(per_section=1)
    attempts = {
        code: "this code has already been used",
        "AAAA-BBBB-CCCC": "this code is not valid for this ballot",
        next(iter(other.codes.values())): "this code is not valid for this ballot",
    }
    for attempt, message in attempts.items():
        with pytest.raises(ContestError, match=message), PATHS[path]():
            ballot_cast(contest=ready.contest, code=attempt, ranking=[2])
    assert Ballot.objects.count() == 1
    assert not other.contest.electors.filter(has_voted=True).exists()


@pytest.mark.parametrize("path", PATHS)
def test_a_code_reissued_after_voting_is_refused(ready: OpenBallot, path: str) -> None:
    """The officer reissues without learning whether the elector voted; the cast refuses."""
    elector_id, code = next(iter(ready.codes.items()))
    ballot_cast(contest=ready.contest, code=code, ranking=[1])
    new = credential_reissue(elector=Elector.objects.get(pk=elector_id), send=False).code
    with pytest.raises(ContestError, match="this code has already been used"), PATHS[path]():
        ballot_cast(contest=ready.contest, code=new, ranking=[2])
    assert Ballot.objects.count() == 1
    assert Credential.objects.filter(state=CredentialState.USED).count() == 1


def test_unknown_contest_is_refused(ready: OpenBallot) -> None:
    code = next(iter(ready.codes.values()))
    with pytest.raises(ContestError, match="the ballot is not open"):
        ballot_cast(contest=ready.contest.pk + 1000, code=code, ranking=[1])
    _nothing_changed()


def test_a_cast_is_one_prepared_statement_once_the_paper_is_kept(ready: OpenBallot) -> None:
    """The process's first cast in a contest reads its key and paper (to check a browser's
    proof, or encrypt a ranking sent without JavaScript) and keeps them; every cast, that
    one too, is then the one statement, which checks the kept key and paper still hold."""
    codes = iter(ready.codes.values())
    key = election_key(ready.contest)
    assert key is not None
    sealed = encrypt_ballot(contest_binding(ready.contest), key, (0,), 3)
    with CaptureQueriesContext(connection) as queries:
        ballot_cast(contest=ready.contest.pk, code=next(codes), ciphertext=sealed.as_bytes())
    assert len(queries.captured_queries) == 2
    sealed = encrypt_ballot(contest_binding(ready.contest), key, (1, 0), 3)
    with CaptureQueriesContext(connection) as queries:
        ballot_cast(contest=ready.contest.pk, code=next(codes), ciphertext=sealed.as_bytes())
    assert len(queries.captured_queries) == 1
    with CaptureQueriesContext(connection) as queries:
        ballot_cast(contest=ready.contest.pk, code=next(codes), ranking=[1])
    assert len(queries.captured_queries) == 1
    for _ in range(2):
        ballot_cast(contest=ready.contest, code=next(codes), ranking=[2, 1])
        assert ballot_positions(contest=ready.contest.pk) == {1, 2, 3}
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert any("open_contest" in statement for statement in prepared)
    assert any("on_ballot" in statement for statement in prepared)  # the paper's positions
    assert Ballot.objects.count() == 5


def _keep_the_paper(ready: OpenBallot) -> Iterator[str]:
    """The ready contest's codes, the first spent so that this process keeps the paper."""
    codes = iter(ready.codes.values())
    ballot_cast(contest=ready.contest.pk, code=next(codes), ranking=[1])
    assert kept_paper(ready.contest.pk) is not None
    return codes


def test_a_key_changed_under_the_kept_one_is_read_again(ready: OpenBallot) -> None:
    """The key never changes once made; if it did, a ballot checked against the kept one is
    not stored: the cast reads the key again and checks the ballot against it."""
    codes = _keep_the_paper(ready)
    old = election_key(ready.contest)
    assert old is not None
    new = base_power(random_scalar())
    ElectionKey.objects.filter(contest=ready.contest).update(key=new)
    binding = contest_binding(ready.contest)
    stale = encrypt_ballot(binding, old, (0,), 3)
    with pytest.raises(ContestError, match="not made for this ballot"):
        ballot_cast(contest=ready.contest.pk, code=next(codes), ciphertext=stale.as_bytes())
    assert Ballot.objects.count() == 1  # only the first
    assert Credential.objects.filter(state=CredentialState.USED).count() == 1
    fresh = encrypt_ballot(binding, new, (0,), 3)
    with CaptureQueriesContext(connection) as queries:
        receipt = ballot_cast(
            contest=ready.contest.pk, code=next(codes), ciphertext=fresh.as_bytes()
        )
    assert receipt == tracker(fresh)
    assert len(queries.captured_queries) == 1  # the key read again was kept
    assert Ballot.objects.filter(receipt=receipt).exists()


def test_a_paper_changed_under_the_kept_one_is_read_again(ready: OpenBallot) -> None:
    """Were a candidate taken off the paper while the ballot is open, a ranking encrypted
    with the kept paper's indices would count for the wrong candidate: the statement
    writes nothing, and the cast reads the paper again and encrypts the ranking anew."""
    codes = _keep_the_paper(ready)
    ready.contest.candidates.filter(position=1).update(on_ballot=False)
    with CaptureQueriesContext(connection) as queries:
        ballot_cast(contest=ready.contest.pk, code=next(codes), ranking=[3])
    assert len(queries.captured_queries) == 3  # the statement, the paper, the statement
    paper = kept_paper(ready.contest.pk)
    assert paper is not None
    assert paper.positions == (2, 3)  # [3] was encrypted as the second candidate, not third
    with pytest.raises(ContestError, match="not on this ballot"):
        ballot_cast(contest=ready.contest.pk, code=next(codes), ranking=[1])
    assert Ballot.objects.count() == 2


def _signed_in(ready: OpenBallot, which: int = 0) -> Client:
    """A browser that enforces CSRF, signed in with the first code (or another)."""
    client = Client(enforce_csrf_checks=True)
    start = reverse("vote-start", args=[ready.contest.pk])
    client.get(start)
    token = client.cookies["csrftoken"].value
    code = list(ready.codes.values())[which]
    response = client.post(start, {"code": code, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    return client


def _cast(client: Client, ready: OpenBallot, form: dict[str, str]) -> tuple[int, bytes]:
    token = client.cookies["csrftoken"].value
    url = reverse("vote-cast", args=[ready.contest.pk])
    response = client.post(url, {**form, "csrfmiddlewaretoken": token})
    return response.status_code, response.content


def _of_sessions(queries: CaptureQueriesContext) -> list[str]:
    """The first word of each query on the session table (sessions live in the database)."""
    return [q["sql"].split()[0] for q in queries.captured_queries if "django_session" in q["sql"]]


def _outside_sessions(queries: CaptureQueriesContext) -> int:
    on_sessions = [q for q in queries.captured_queries if "django_session" in q["sql"]]
    return len(queries.captured_queries) - len(on_sessions)


def _words(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"].split()[0] for q in queries.captured_queries]


def test_the_cast_page_casts_in_one_statement(ready: OpenBallot) -> None:
    client, then = _signed_in(ready), _signed_in(ready, 1)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    with CaptureQueriesContext(connection) as queries:
        status, _ = _cast(client, ready, {"rank_2": "1", "rank_1": "2", "rank_3": ""})
    assert status == 302
    # the key and the paper (to encrypt the ranking: no JavaScript here), read once a
    # process and contest; then the statement, which takes the code's digest from the
    # session's row, checks the form's positions and that the key and paper still hold,
    # and deletes the session: the session is not read before it
    assert _words(queries) == ["SELECT", "WITH"]
    assert _of_sessions(queries) == ["WITH"]
    assert not Session.objects.filter(session_key=session).exists()
    assert len(bytes(Ballot.objects.get().ciphertext)) == 128
    receipt = client.get(reverse("vote-receipt", args=[ready.contest.pk]))
    assert Ballot.objects.get().receipt.encode() in receipt.content
    # the paper kept: a cast is one round trip, the statement
    with CaptureQueriesContext(connection) as queries:
        assert _cast(then, ready, {"rank_1": "1"})[0] == 302
    assert _words(queries) == ["WITH"]
    assert Ballot.objects.count() == 2
    assert Session.objects.count() == 0


def test_the_cast_page_refuses_plainly_and_changes_nothing(ready: OpenBallot) -> None:
    client = _signed_in(ready)
    for form in ({"rank_9": "1"}, {"rank_1": "1", "rank_9": ""}):
        status, content = _cast(client, ready, form)
        assert status == 400
        assert b"not on this ballot" in content
    ballot_close(contest=ready.contest, reason="the test closes it early")
    status, content = _cast(client, ready, {"rank_1": "1"})
    assert status == 400
    assert b"the ballot is not open" in content
    _nothing_changed()


def test_the_cast_page_refuses_a_reused_code(ready: OpenBallot) -> None:
    first, second = _signed_in(ready), _signed_in(ready)
    assert _cast(first, ready, {"rank_1": "1"})[0] == 302
    status, content = _cast(second, ready, {"rank_2": "1"})
    assert status == 400
    assert b"this code has already been used" in content
    assert Ballot.objects.count() == 1


def _sealed_form(ready: OpenBallot) -> dict[str, str]:
    key = election_key(ready.contest)
    assert key is not None
    sealed = encrypt_ballot(contest_binding(ready.contest), key, (1, 0), 2)
    return {"ciphertext": sealed.as_bytes().hex()}


def _voter_columns(session: str) -> tuple[int | None, str | None]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT voter_contest_id, voter_digest FROM django_session WHERE session_key = %s",
            [session],
        )
        row = cursor.fetchone()
    assert row is not None
    return row[0], row[1]


def test_the_session_row_keeps_the_digest_it_signed_in_with(ready: OpenBallot) -> None:
    """Signing in writes the contest and the code's digest beside the session's payload; a
    second sign-in in the same session writes the second code's."""
    client = _signed_in(ready)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    first, second = list(ready.codes.values())[:2]
    assert _voter_columns(session) == (ready.contest.pk, code_digest(first))
    start = reverse("vote-start", args=[ready.contest.pk])
    token = client.cookies["csrftoken"].value
    assert client.post(start, {"code": second, "csrfmiddlewaretoken": token}).status_code == 302
    assert client.cookies[settings.SESSION_COOKIE_NAME].value == session
    assert _voter_columns(session) == (ready.contest.pk, code_digest(second))
    assert _cast(client, ready, _sealed_form(ready))[0] == 302
    spent = Credential.objects.get(state=CredentialState.USED)
    assert spent.digest == code_digest(second)


def test_a_signed_out_or_expired_session_casts_nothing(ready: OpenBallot) -> None:
    """The statement takes the digest only from a live session row: signed out (its row
    deleted) or expired, the page asks for the code again and nothing is cast."""
    client = _signed_in(ready)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=session).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    assert ballot_cast_signed_in(contest=ready.contest.pk, session=session, ranking=[1]) is None
    status, content = _cast(client, ready, _sealed_form(ready))
    assert status == 400
    assert b"enter your voting code first" in content
    other = _signed_in(ready, 1)
    Session.objects.filter(session_key=other.cookies[settings.SESSION_COOKIE_NAME].value).delete()
    status, content = _cast(other, ready, _sealed_form(ready))
    assert status == 400
    assert b"enter your voting code first" in content
    _nothing_changed()


def test_a_session_casts_only_in_its_own_contest(ready: OpenBallot) -> None:
    client = _signed_in(ready)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    for contest in (ready.contest.pk + 99, ready.contest.pk - 1):
        assert ballot_cast_signed_in(contest=contest, session=session, ranking=[1]) is None
    assert ballot_cast_signed_in(contest=ready.contest.pk, session="", ranking=[1]) is None
    assert ballot_cast_signed_in(contest=ready.contest.pk, session="x" * 32, ranking=[1]) is None
    _nothing_changed()
    assert Session.objects.filter(session_key=session).exists()
    receipt = ballot_cast_signed_in(contest=ready.contest.pk, session=session, ranking=[1])
    assert receipt == Ballot.objects.get().receipt
    assert not Session.objects.filter(session_key=session).exists()


def test_inside_a_transaction_the_session_path_casts_nothing(ready: OpenBallot) -> None:
    client = _signed_in(ready)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    with transaction.atomic():
        assert ballot_cast_signed_in(contest=ready.contest.pk, session=session, ranking=[1]) is None
    _nothing_changed()


def test_with_another_session_engine_the_page_reads_the_session_first(
    ready: OpenBallot,
) -> None:
    """Signed cookies have no row for the statement to read the digest from: the page reads
    the session and sends the statement once."""
    signed = "django.contrib.sessions.backends.signed_cookies"
    with override_settings(SESSION_ENGINE=signed):
        client = _signed_in(ready)
        with CaptureQueriesContext(connection) as queries:
            assert _cast(client, ready, _sealed_form(ready))[0] == 302
    assert [w for w in _words(queries) if w == "WITH"] == ["WITH"]
    assert Ballot.objects.count() == 1


def test_signing_in_is_one_prepared_query(ready: OpenBallot) -> None:
    client = Client(enforce_csrf_checks=True)
    start = reverse("vote-start", args=[ready.contest.pk])
    client.get(start)
    token = client.cookies["csrftoken"].value
    form = {"code": next(iter(ready.codes.values())), "csrfmiddlewaretoken": token}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(start, form)
    assert response.status_code == 302
    assert _outside_sessions(queries) == 1  # the credential's state; not the contest
    assert "INSERT" in _of_sessions(queries)  # the new session, server-side
    refused = client.post(start, {**form, "code": "NOT-A-CODE"})
    assert refused.status_code == 400
    assert b"not valid for this ballot" in refused.content
    missing = client.post(reverse("vote-start", args=[ready.contest.pk + 99]), form)
    assert missing.status_code == 404


def test_a_casts_updates_have_room_on_their_pages(ready: OpenBallot) -> None:
    """The tables a cast updates leave room on each page (migrations balloting 0008 and
    electorate 0007), so the update is written beside the row with no index entry, and the
    digests keep only their unique indexes."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)",
            [list(FILL_FACTORS)],
        )
        found = dict(cursor.fetchall())
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'balloting_credential'")
        indexes = [definition for (definition,) in cursor.fetchall()]
    assert found == {table: [f"fillfactor={fill}"] for table, fill in FILL_FACTORS.items()}
    assert not [i for i in indexes if "pattern_ops" in i]
    assert len([i for i in indexes if "UNIQUE" in i and "digest" in i]) == 2


FILL_FACTORS = {
    "balloting_credential": 80,
    "balloting_ballottally": 10,
    "electorate_elector": 80,
    "electorate_electortally": 10,
}
