"""Casting takes only ciphertexts with a proof that holds for this contest; trustees'
messages are checked as the officer uploads them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from omov.secrecy.ballot import EncryptedBallot, encrypt_ballot, tracker
from omov.secrecy.keyfile import TrusteeKey
from omov.secrecy.messages import Roster
from omov.secrecy.trustee import confirm, deal, introduce
from omov.web.access.models import Role
from omov.web.balloting.models import Ballot, Credential, CredentialState
from omov.web.balloting.services import ballot_cast
from omov.web.errors import ContestError
from omov.web.trustees.models import ElectionKey, TrusteeMessage
from omov.web.trustees.selectors import contest_binding, election_key

from .conftest import OpenBallot, officer_of, open_contest

pytestmark = pytest.mark.django_db


def _sealed(
    ready: OpenBallot, ranking: tuple[int, ...], binding: str | None = None
) -> EncryptedBallot:
    key = election_key(ready.contest)
    assert key is not None
    return encrypt_ballot(binding or contest_binding(ready.contest), key, ranking, 3)


def test_a_browser_ciphertext_is_stored_as_it_came(open_ballot: OpenBallot) -> None:
    sealed = _sealed(open_ballot, (1, 0))
    code = next(iter(open_ballot.codes.values()))
    receipt = ballot_cast(contest=open_ballot.contest, code=code, ciphertext=sealed.as_bytes())
    stored = Ballot.objects.get()
    assert bytes(stored.ciphertext) == sealed.as_bytes()
    assert stored.receipt == receipt == tracker(sealed)


def test_a_ranking_without_javascript_is_encrypted_at_receipt(open_ballot: OpenBallot) -> None:
    code = next(iter(open_ballot.codes.values()))
    receipt = ballot_cast(contest=open_ballot.contest, code=code, ranking=[2, 1])
    stored = EncryptedBallot.from_bytes(bytes(Ballot.objects.get().ciphertext))
    assert tracker(stored) == receipt
    assert b"[2, 1]" not in bytes(Ballot.objects.get().ciphertext)


def _refused(ready: OpenBallot, ciphertext: bytes, message: str, code_index: int = 0) -> None:
    code = list(ready.codes.values())[code_index]
    before = Ballot.objects.count()
    with pytest.raises(ContestError, match=message):
        ballot_cast(contest=ready.contest, code=code, ciphertext=ciphertext)
    assert Ballot.objects.count() == before
    digest_state = Credential.objects.filter(state=CredentialState.USED).count()
    assert digest_state == before  # the refused voter's code is not spent


def test_a_ballot_without_its_proof_is_refused(open_ballot: OpenBallot) -> None:
    sealed = _sealed(open_ballot, (0,))
    _refused(open_ballot, sealed.ciphertext.as_bytes(), "malformed")


def test_a_proof_copied_from_another_ballot_is_refused(open_ballot: OpenBallot) -> None:
    mine, theirs = _sealed(open_ballot, (0,)), _sealed(open_ballot, (1,))
    copied = EncryptedBallot(mine.ciphertext, theirs.challenge, theirs.response)
    _refused(open_ballot, copied.as_bytes(), "not made for this ballot")


def test_a_ballot_bound_to_another_contest_is_refused(open_ballot: OpenBallot) -> None:
    other = _sealed(open_ballot, (0,), binding="contest:99999")
    _refused(open_ballot, other.as_bytes(), "not made for this ballot")


def test_a_ballot_copied_whole_from_the_box_is_refused(open_ballot: OpenBallot) -> None:
    sealed = _sealed(open_ballot, (2,))
    first = next(iter(open_ballot.codes.values()))
    ballot_cast(contest=open_ballot.contest, code=first, ciphertext=sealed.as_bytes())
    _refused(open_ballot, sealed.as_bytes(), "cannot be copied", code_index=1)


def test_the_cast_view_takes_the_hex_ciphertext(open_ballot: OpenBallot) -> None:
    client = Client()
    code = next(iter(open_ballot.codes.values()))
    pk = open_ballot.contest.pk
    client.post(reverse("vote-start", args=[pk]), {"code": code})
    page = client.get(reverse("vote-ballot", args=[pk])).content.decode()
    key = election_key(open_ballot.contest)
    assert key is not None
    assert f'data-key="{key.hex()}"' in page
    assert 'src="/static/omov/encrypt.js"' in page or "omov/encrypt" in page
    bad = client.post(reverse("vote-cast", args=[pk]), {"ciphertext": "zz"})
    assert bad.status_code == 400
    sealed = _sealed(open_ballot, (0, 2))
    done = client.post(reverse("vote-cast", args=[pk]), {"ciphertext": sealed.as_bytes().hex()})
    assert done.status_code == 302
    assert Ballot.objects.get().receipt == tracker(sealed)


def test_the_officer_uploads_each_trustees_messages_and_the_key_is_made(db: None) -> None:
    contest = open_contest()
    officer = officer_of(contest.organisation, Role.RETURNING_OFFICER)
    contest.state = "frozen"
    contest.ballot_opens_at = timezone.now() - dt.timedelta(hours=1)
    contest.save()
    binding = contest_binding(contest)
    keys = [TrusteeKey.new(binding, i, 3, 2) for i in (1, 2, 3)]
    url = reverse("trustee-message", args=[contest.pk])

    def upload(text: str) -> str:
        file = SimpleUploadedFile("m.json", text.encode(), content_type="application/json")
        response = officer.post(url, {"message": file}, follow=True)
        return response.content.decode()

    intros = [introduce(k) for k in keys]
    for m in intros:
        assert "checked and recorded" in upload(m.to_json())
    assert "already" in upload(intros[0].to_json())
    roster = Roster.from_introductions(intros)
    dealt = [deal(k, roster) for k in keys]
    for m in dealt:
        upload(m.to_json())
    published = intros + dealt
    for k in keys:
        _, message = confirm(k, roster, published)
        upload(message.to_json())
    assert TrusteeMessage.objects.filter(contest=contest).count() == 9
    assert ElectionKey.objects.filter(contest=contest).exists()
    assert "not a trustee message" in upload("{}")
