"""What a letter says and how it goes out: through Django's email backend (any SMTP relay
or provider), with a Message-ID fixed by the letter, so a letter sent twice (a worker
killed between the relay's "250 OK" and the commit of its sent mark) is the same message
to every mail system that deduplicates by Message-ID, and carries the same code. What a
letter says is ``balloting.emails``'s (plain text and HTML).

A batch's code letters differ only in the code, its link and the addressee: a ``Press``
renders each section's letter once (``CodeLetterPress``) and, for Django's SMTP backend,
builds its MIME message once, then fills in each letter's code, token, address and
Message-ID. Rendering the templates and building the MIME message per letter cost more
than a millisecond of a worker's CPU a code, over half of it.

A letter is sent from a ``Post``, its row's columns as read (no model instances). A
prepared message goes to the relay in one SMTP transaction of our own (``_transact``),
without smtplib's parsing of both addresses and its scan of the message for lines to
dot-stuff (done once on the prepared message); where the relay advertises PIPELINING (RFC
2920: Postfix, and most relays) MAIL, RCPT and DATA go in one write, so a letter is two
round trips to the relay instead of four."""

from __future__ import annotations

import contextlib
import re
import smtplib
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.utils.crypto import get_random_string

from omov.web.balloting.codes import link_token
from omov.web.balloting.emails import SENDER, CodeLetterPress, reminder_letter
from omov.web.balloting.emails import Letter as Text
from omov.web.contests.models import Contest
from omov.web.jobs.models import Letter, LetterState, MailingKind
from omov.web.jobs.sealing import unseal

# An address the prepared message can take as it is: ASCII with no quoting, encoding or
# folding to do (Django's own build would leave it unchanged); any other goes the long way.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9-]{1,63}"
_PLAIN_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+")
# A header line the prepared message keeps unfolded (the generator folds longer ones).
_UNFOLDED = 78
_MARK_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
_DOT_AT_LINE_START = re.compile(rb"(?m)^\.")


class _Lettered(Protocol):
    @property
    def mailing_id(self) -> int: ...
    @property
    def pk(self) -> int: ...


def message_id(letter: _Lettered) -> str:
    return f"<letter-{letter.mailing_id}-{letter.pk}@{settings.OMOV_MAIL_DOMAIN}>"


@dataclass(frozen=True, slots=True)
class Post:
    """A letter as its row says, with its elector's address and section and its code
    unsealed (``""`` if it has none): what sending it and marking it need."""

    pk: int
    mailing_id: int
    codes: bool
    elector_id: int
    email: str
    section: str
    sealed_code: bytes
    attempts: int
    code: str

    @classmethod
    def of(cls, letter: Letter) -> Post:
        sealed = bytes(letter.sealed_code)
        return cls(
            pk=letter.pk,
            mailing_id=letter.mailing_id,
            codes=letter.mailing.kind == MailingKind.CODES,
            elector_id=letter.elector_id,
            email=letter.elector.email,
            section=letter.elector.section,
            sealed_code=sealed,
            attempts=letter.attempts,
            code=unseal(sealed) if sealed else "",
        )


@dataclass(frozen=True)
class Outcome:
    state: LetterState
    reason: str = ""


@dataclass(frozen=True)
class _Wire:
    """One section's code letter as the bytes Django's SMTP backend would send, with
    stand-ins for the address and the Message-ID (the code's are the press's)."""

    press: CodeLetterPress
    data: bytes  # dot-stuffed, ended with the end of data (<CRLF>.<CRLF>)
    to_mark: bytes
    id_mark: bytes
    code_mark: bytes
    token_mark: bytes

    @classmethod
    def build(cls, press: CodeLetterPress) -> _Wire | None:
        to_mark = get_random_string(24, _MARK_ALPHABET) + "@omov.invalid"
        id_mark = f"<{get_random_string(24, _MARK_ALPHABET)}@omov.invalid>"
        message = press.blank.message(to_mark, headers={"Message-ID": id_mark})
        data = message.message().as_bytes(linesep="\r\n")
        blank = press.blank.text + press.blank.html
        marks = {to_mark: 1, id_mark: 1}
        marks |= {mark: blank.count(mark) for mark in (press.code_mark, press.token_mark)}
        if any(data.count(mark.encode()) != n for mark, n in marks.items()):
            return None  # encoded (quoted-printable, base64): build each letter instead
        # As smtplib's data() would: what is filled in (a plain address, a Message-ID, a
        # code, a hex token) never starts a line nor holds a line break.
        data = _DOT_AT_LINE_START.sub(b"..", data)
        data += (b"" if data.endswith(b"\r\n") else b"\r\n") + b".\r\n"
        marks_bytes = (to_mark, id_mark, press.code_mark, press.token_mark)
        return cls(press, data, *(mark.encode() for mark in marks_bytes))

    def stamp(self, address: str, message_id: str, code: str) -> bytes:
        """The letter's data as the relay takes it after DATA, end of data included."""
        data = self.data.replace(self.to_mark, address.encode())
        data = data.replace(self.id_mark, message_id.encode())
        data = data.replace(self.code_mark, code.encode())
        return data.replace(self.token_mark, link_token(code).encode())


@dataclass
class Press:
    """A batch's letters, each section's rendered once (see the module's docstring)."""

    contest: Contest
    presses: dict[str, CodeLetterPress] = field(default_factory=dict)
    wires: dict[str, _Wire | None] = field(default_factory=dict)

    def press(self, section: str) -> CodeLetterPress:
        if section not in self.presses:
            self.presses[section] = CodeLetterPress.for_section(self.contest, section)
        return self.presses[section]

    def wire(self, section: str) -> _Wire | None:
        if section not in self.wires:
            self.wires[section] = _Wire.build(self.press(section))
        return self.wires[section]


def deliver(
    letter: Letter | Post,
    contest: Contest,
    connection: BaseEmailBackend,
    press: Press | None = None,
) -> Outcome:
    """Hand one letter to the relay; what became of it. Reasons name the relay's reply
    code, never the address."""
    if isinstance(letter, Letter):
        letter = Post.of(letter)
    address = letter.email
    if not address:
        return Outcome(LetterState.FAILED, "no email address on the roll")
    press = press or Press(contest)
    try:
        # Opened here, the connection stays open across letters (send() would otherwise
        # open and close one per message); it is reopened after a failure closed it.
        connection.open()
        _hand_over(letter, press, connection)
    except smtplib.SMTPRecipientsRefused as refused:
        code = next(iter(refused.recipients.values()))[0]
        return _refused(code, connection)
    except smtplib.SMTPResponseException as error:
        return _refused(error.smtp_code, connection)
    except (smtplib.SMTPException, OSError):
        connection.close()  # reopened for the next letter
        return Outcome(LetterState.DEFERRED, "the mail server could not be reached")
    return Outcome(LetterState.SENT)


def _hand_over(letter: Post, press: Press, connection: BaseEmailBackend) -> None:
    """Send the letter: its prepared bytes straight to an SMTP relay where they apply,
    else the message Django builds, through whatever backend is configured."""
    address, section = letter.email, letter.section
    if not letter.codes:
        text = reminder_letter(press.contest, section)
    else:
        mid = message_id(letter)
        wire = _wire_for(connection, press, section, address, mid)
        if wire is not None:
            smtp = connection.connection  # type: ignore[attr-defined]
            _transact(smtp, address, wire.stamp(address, mid, letter.code))
            return
        text = press.press(section).letter(letter.code)
    _message(text, address, letter, connection).send()


def _transact(smtp: smtplib.SMTP, address: str, data: bytes) -> None:
    """smtplib's ``sendmail`` for one plain address (``<address>`` as it is) and data
    ready to send, raising as it does; MAIL, RCPT and DATA pipelined where the relay
    advertises it. Every reply is read before the outcome is known, so the connection is
    left at a transaction's start whatever happens (reset after a refusal, as smtplib
    does; closed after a 421)."""
    smtp.ehlo_or_helo_if_needed()
    mail, rcpt = b"MAIL FROM:" + _FROM_PATH + b"\r\n", b"RCPT TO:<" + address.encode() + b">\r\n"
    if smtp.does_esmtp and smtp.has_extn("pipelining"):
        smtp.send(mail + rcpt + b"DATA\r\n")
        replies = [smtp.getreply(), smtp.getreply(), smtp.getreply()]
    else:
        smtp.send(mail)
        replies = [smtp.getreply()]
        if replies[0][0] == 250:
            smtp.send(rcpt)
            replies.append(smtp.getreply())
            if replies[1][0] in (250, 251):
                smtp.send(b"DATA\r\n")
                replies.append(smtp.getreply())
    if [code for code, _ in replies] not in ([250, 250, 354], [250, 251, 354]):
        if len(replies) == 3 and replies[2][0] == 354:
            smtp.send(b".\r\n")  # a relay that took DATA with no recipient: end it empty
            smtp.getreply()
        _refused_transaction(smtp, address, replies)
    smtp.send(data)
    code, reply = smtp.getreply()
    if code != 250:
        _reset_or_close(smtp, code)
        raise smtplib.SMTPDataError(code, reply)


def _refused_transaction(
    smtp: smtplib.SMTP, address: str, replies: list[tuple[int, bytes]]
) -> None:
    """Raise what smtplib's ``sendmail`` raises for the first refusal among the replies
    to MAIL, RCPT and DATA (in that order), after resetting the transaction."""
    (code, reply), *rest = replies
    if code != 250:
        _reset_or_close(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, _FROM)
    code, reply = rest[0]
    if code not in (250, 251):
        _reset_or_close(smtp, code)
        raise smtplib.SMTPRecipientsRefused({address: (code, reply)})
    code, reply = rest[1]
    _reset_or_close(smtp, code)
    raise smtplib.SMTPDataError(code, reply)


def _reset_or_close(smtp: smtplib.SMTP, code: int) -> None:
    if code == 421:
        smtp.close()
        return
    with contextlib.suppress(smtplib.SMTPServerDisconnected):
        smtp.rset()


def _wire_for(
    connection: BaseEmailBackend, press: Press, section: str, address: str, mid: str
) -> _Wire | None:
    plain = (
        isinstance(connection, SMTPBackend)
        and not connection.fail_silently
        and connection.connection is not None
        and _PLAIN_ADDRESS.fullmatch(address) is not None
        and len(f"To: {address}") <= _UNFOLDED
        and len(f"Message-ID: {mid}") <= _UNFOLDED
    )
    return press.wire(section) if plain else None


def _message(
    text: Text, address: str, letter: Post, connection: BaseEmailBackend
) -> EmailMultiAlternatives:
    return text.message(address, connection=connection, headers={"Message-ID": message_id(letter)})


_FROM = sanitize_address(SENDER, "utf-8")
_FROM_PATH = smtplib.quoteaddr(_FROM).encode()


def _refused(code: int, connection: BaseEmailBackend) -> Outcome:
    if code >= 500:
        return Outcome(LetterState.BOUNCED, f"refused by the mail server ({code})")
    if code == 421:  # the server is closing the connection
        connection.close()
    return Outcome(LetterState.DEFERRED, f"refused for now by the mail server ({code})")
