"""What a letter says and how it goes out: through Django's email backend (any SMTP relay
or provider), with a Message-ID fixed by the letter, so a letter sent twice (a worker
killed between the relay's "250 OK" and the commit of its sent mark) is the same message
to every mail system that deduplicates by Message-ID, and carries the same code. What a
letter says is ``balloting.emails``'s (plain text and HTML).

A batch's code letters differ only in the code, its link and the addressee: a ``Press``
renders each section's letter once (``CodeLetterPress``) and, for Django's SMTP backend,
builds its MIME message once, then fills in each letter's code, token, address and
Message-ID. Rendering the templates and building the MIME message per letter cost more
than a millisecond of a worker's CPU a code, over half of it."""

from __future__ import annotations

import re
import smtplib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.utils.crypto import get_random_string

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


def message_id(letter: Letter) -> str:
    return f"<letter-{letter.mailing_id}-{letter.pk}@{settings.OMOV_MAIL_DOMAIN}>"


@dataclass(frozen=True)
class Outcome:
    state: LetterState
    reason: str = ""


@dataclass(frozen=True)
class _Wire:
    """One section's code letter as the bytes Django's SMTP backend would send, with
    stand-ins for the address and the Message-ID (the code's are the press's)."""

    press: CodeLetterPress
    data: bytes
    to_mark: bytes
    id_mark: bytes

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
        return cls(press, data, to_mark.encode(), id_mark.encode())

    def stamp(self, address: str, message_id: str, code: str) -> bytes:
        data = self.data.replace(self.to_mark, address.encode())
        data = data.replace(self.id_mark, message_id.encode())
        return self.press.fill(data.decode(), code).encode()


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
    letter: Letter, contest: Contest, connection: BaseEmailBackend, press: Press | None = None
) -> Outcome:
    """Hand one letter to the relay; what became of it. Reasons name the relay's reply
    code, never the address."""
    address = letter.elector.email
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


def _hand_over(letter: Letter, press: Press, connection: BaseEmailBackend) -> None:
    """Send the letter: its prepared bytes straight to an SMTP relay where they apply,
    else the message Django builds, through whatever backend is configured."""
    address, section = letter.elector.email, letter.elector.section
    if letter.mailing.kind != MailingKind.CODES:
        text = reminder_letter(press.contest, section)
    else:
        code = unseal(letter.sealed_code)
        wire = _wire_for(connection, press, section, address, message_id(letter))
        if wire is not None:
            smtp = connection.connection  # type: ignore[attr-defined]
            smtp.sendmail(_FROM, [address], wire.stamp(address, message_id(letter), code))
            return
        text = press.press(section).letter(code)
    _message(text, address, letter, connection).send()


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
    text: Text, address: str, letter: Letter, connection: BaseEmailBackend
) -> EmailMultiAlternatives:
    return text.message(address, connection=connection, headers={"Message-ID": message_id(letter)})


_FROM = sanitize_address(SENDER, "utf-8")


def _refused(code: int, connection: BaseEmailBackend) -> Outcome:
    if code >= 500:
        return Outcome(LetterState.BOUNCED, f"refused by the mail server ({code})")
    if code == 421:  # the server is closing the connection
        connection.close()
    return Outcome(LetterState.DEFERRED, f"refused for now by the mail server ({code})")
