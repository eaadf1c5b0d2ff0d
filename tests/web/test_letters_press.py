"""A batch's code letters are rendered once per section and, for an SMTP relay, built into
a MIME message once, then filled in per letter (``jobs.letters.Press``): each letter must
be the one rendered and built for it alone, and an address Django would rewrite goes the
long way."""

from __future__ import annotations

import re
import smtplib
from typing import Any

import pytest
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

from omov.web.balloting.codes import code_digest, link_token, new_code
from omov.web.balloting.emails import CodeLetterPress, code_letter, section_names
from omov.web.balloting.emails import Letter as Text
from omov.web.jobs.letters import _PLAIN_ADDRESS, Press, _Wire
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
    expected = _as_smtplib_sends(built.message().as_bytes(linesep="\r\n"))
    stamped = wire.stamp(address, message_id, code)
    assert _VARYING.sub(b"", stamped) == _VARYING.sub(b"", expected)
    assert code.encode() in stamped


def _as_smtplib_sends(message: bytes) -> bytes:
    """The bytes smtplib's data() sends after DATA: lines starting with a dot doubled,
    then the end of data."""
    quoted = re.sub(rb"(?m)^\.", b"..", message)
    return quoted + (b"" if quoted.endswith(b"\r\n") else b"\r\n") + b".\r\n"


def test_a_line_starting_with_a_dot_is_doubled_on_the_wire() -> None:
    """The prepared message is dot-stuffed once, as smtplib would each message."""
    code_mark, token_mark = "codemarkcodemarkcodemark", "tokenmarktokenmarktokenmark"
    text = f"Hello\n.{code_mark}\n..{token_mark}\n"
    blank = Text("Your code", text, f"<p>{code_mark} {token_mark}</p>")
    wire = _Wire.build(CodeLetterPress(blank, code_mark, token_mark))
    assert wire is not None
    code = new_code()
    stamped = wire.stamp("m1@example.org", "<letter-1-2@omov.invalid>", code)
    assert f"\r\n..{code}\r\n...{link_token(code)}\r\n".encode() in stamped
    assert stamped.endswith(b"\r\n.\r\n")


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


@pytest.mark.parametrize("pipelining", [False, True], ids=["one-by-one", "pipelined"])
def test_a_refusal_for_now_leaves_the_relays_connection_ready_for_the_next_letter(
    pipelining: bool, monkeypatch: Any
) -> None:
    """m1 is refused for now (451 to RCPT): its letter waits for a retry, and the letters
    after it go through on the same connection, MAIL, RCPT and DATA in one write where the
    relay advertises PIPELINING."""
    writes: list[bytes] = []
    send = smtplib.SMTP.send

    def recorded(self: smtplib.SMTP, data: bytes | str) -> None:
        writes.append(data if isinstance(data, bytes) else data.encode())
        send(self, data)

    monkeypatch.setattr(smtplib.SMTP, "send", recorded)
    contest = _contest()
    sink = Sink(refuse_first_try=lambda address: address == "m1@example.org", pipelining=pipelining)
    with smtp_sink(sink) as port:
        mail = SMTPBackend(host="127.0.0.1", port=port)
        mailing = mailing_plan(mailing_id=_codes_mailing(contest))
        batch = batch_claim(mailing=mailing, worker="w")
        assert batch is not None
        batch_prepare(batch=batch)
        assert batch_send(batch=batch, mail=mail)
    states = dict(batch.letters.values_list("elector__email", "state"))
    assert states == {
        "m1@example.org": LetterState.DEFERRED,
        "m2@example.org": LetterState.SENT,
        "m3@example.org": LetterState.SENT,
    }
    assert sink.refused == ["m1@example.org"]
    digests = live_digests(contest)
    by_address = {e.email: e.pk for e in contest.electors.all()}
    assert {r.to: digests[code_digest(r.code)] for r in sink.received} == {
        to: by_address[to] for to in ("m2@example.org", "m3@example.org")
    }
    together = [w for w in writes if w.startswith(b"MAIL FROM:") and w.endswith(b"DATA\r\n")]
    assert len(together) == (3 if pipelining else 0)
