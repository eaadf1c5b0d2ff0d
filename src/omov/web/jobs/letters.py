"""What a letter says and how it goes out: through Django's email backend (any SMTP relay
or provider), with a Message-ID fixed by the letter, so a letter sent twice (a worker
killed between the relay's "250 OK" and the commit of its sent mark) is the same message
to every mail system that deduplicates by Message-ID, and carries the same code. What a
letter says is ``balloting.emails``'s (plain text and HTML)."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

from omov.web.balloting.emails import code_letter, reminder_letter
from omov.web.contests.models import Contest
from omov.web.jobs.models import Letter, LetterState, MailingKind
from omov.web.jobs.sealing import unseal


def message_id(letter: Letter) -> str:
    return f"<letter-{letter.mailing_id}-{letter.pk}@{settings.OMOV_MAIL_DOMAIN}>"


@dataclass(frozen=True)
class Outcome:
    state: LetterState
    reason: str = ""


def deliver(letter: Letter, contest: Contest, connection: BaseEmailBackend) -> Outcome:
    """Hand one letter to the relay; what became of it. Reasons name the relay's reply
    code, never the address."""
    if not letter.elector.email:
        return Outcome(LetterState.FAILED, "no email address on the roll")
    section = letter.elector.section
    if letter.mailing.kind == MailingKind.CODES:
        text = code_letter(contest, section, unseal(letter.sealed_code))
    else:
        text = reminder_letter(contest, section)
    message = text.message(
        letter.elector.email, connection=connection, headers={"Message-ID": message_id(letter)}
    )
    try:
        # Opened here, the connection stays open across letters (send() would otherwise
        # open and close one per message); it is reopened after a failure closed it.
        connection.open()
        message.send()
    except smtplib.SMTPRecipientsRefused as refused:
        code = next(iter(refused.recipients.values()))[0]
        return _refused(code, connection)
    except smtplib.SMTPResponseException as error:
        return _refused(error.smtp_code, connection)
    except (smtplib.SMTPException, OSError):
        connection.close()  # reopened for the next letter
        return Outcome(LetterState.DEFERRED, "the mail server could not be reached")
    return Outcome(LetterState.SENT)


def _refused(code: int, connection: BaseEmailBackend) -> Outcome:
    if code >= 500:
        return Outcome(LetterState.BOUNCED, f"refused by the mail server ({code})")
    if code == 421:  # the server is closing the connection
        connection.close()
    return Outcome(LetterState.DEFERRED, f"refused for now by the mail server ({code})")
