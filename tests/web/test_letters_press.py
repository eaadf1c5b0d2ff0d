"""A batch's code letters are rendered once per section and, for an SMTP relay, built into
a MIME message once, then filled in per letter (``jobs.letters.Press``): each letter must
be the one rendered and built for it alone, and an address Django would rewrite goes the
long way."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

from omov.web.balloting.codes import code_digest, new_code
from omov.web.balloting.emails import code_letter, section_names
from omov.web.jobs.letters import _PLAIN_ADDRESS, Press
from omov.web.jobs.models import LetterState, Mailing, MailingKind
from omov.web.jobs.services import batch_claim, batch_prepare, batch_send, mailing_plan

from .jobs_helpers import frozen_contest, live_digests
from .smtp_sink import Sink, smtp_sink

pytestmark = pytest.mark.django_db
# What differs between two builds of one message: the date and the random MIME boundary.
_VARYING = re.compile(rb"^Date: .*$|=+\d+==", re.MULTILINE)


def _contest() -> Any:
    contest = frozen_contest(3)
    contest.title = "Leader & deputy <2016> — Cymru"  # escaped in HTML, 8-bit in the body
    contest.save(update_fields=["title"])
    return contest


def test_a_pressed_letter_is_the_letter_rendered_for_its_code() -> None:
    contest = _contest()
    press = Press(contest)
    sections = [*section_names(contest.rulebook_id), "no such section"]
    for section in sections:
        for code in (new_code(), new_code()):
            assert press.press(section).letter(code) == code_letter(contest, section, code)


def test_the_prepared_message_is_the_one_django_builds() -> None:
    contest = _contest()
    wire = Press(contest).wire("members")
    assert wire is not None
    code, address, message_id = new_code(), "m1@example.org", "<letter-1-2@omov.invalid>"
    built = code_letter(contest, "members", code).message(
        address, headers={"Message-ID": message_id}
    )
    expected = built.message().as_bytes(linesep="\r\n")
    stamped = wire.stamp(address, message_id, code)
    assert _VARYING.sub(b"", stamped) == _VARYING.sub(b"", expected)
    assert code.encode() in stamped


@pytest.mark.parametrize(
    ("address", "plain"),
    [
        ("m1@example.org", True),
        ("first.last+tag@mail.example.co.uk", True),
        ("élise@example.org", False),
        ("m1@exämple.org", False),
        ('"a b"@example.org', False),
        ("a.@example.org", False),
        ("Name <m1@example.org>", False),
    ],
)
def test_only_an_address_django_sends_unchanged_is_prepared(address: str, plain: bool) -> None:
    assert (_PLAIN_ADDRESS.fullmatch(address) is not None) is plain


def test_letters_to_an_smtp_relay_carry_each_electors_live_code(settings: Any) -> None:
    """One letter goes the long way (an internationalised domain): every elector gets
    the code of their one live credential either way."""
    contest = _contest()
    contest.electors.filter(email="m3@example.org").update(email="m3@exämple.org")
    sink = Sink()
    with smtp_sink(sink) as port:
        mail = SMTPBackend(host="127.0.0.1", port=port)
        mailing = mailing_plan(mailing_id=_codes_mailing(contest))
        batch = batch_claim(mailing=mailing, worker="w")
        assert batch is not None
        batch_prepare(batch=batch)
        assert batch_send(batch=batch, mail=mail)
    assert list(batch.letters.values_list("state", flat=True)) == [LetterState.SENT] * 3
    digests = live_digests(contest)
    received = {r.to: r.code for r in sink.received}
    assert set(received) == {"m1@example.org", "m2@example.org", "m3@xn--exmple-cua.org"}
    by_address = {e.email: e.pk for e in contest.electors.all()}
    by_address["m3@xn--exmple-cua.org"] = by_address.pop("m3@exämple.org")
    assert {to: digests[code_digest(code)] for to, code in received.items()} == by_address


def _codes_mailing(contest: Any) -> int:
    return Mailing.objects.create(contest=contest, kind=MailingKind.CODES).pk
