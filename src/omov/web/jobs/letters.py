"""What a letter says and how it goes out: through Django's email backend (any SMTP relay
or provider), with a Message-ID fixed by the letter, so a letter sent twice (a worker
killed between the relay's "250 OK" and the commit of its sent mark) is the same message
to every mail system that deduplicates by Message-ID, and carries the same code."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from omov.web.contests.models import Contest
from omov.web.jobs.models import Letter, LetterState, MailingKind
from omov.web.jobs.sealing import unseal

SENDER = "returning.officer@omov.invalid"


def code_text(contest: Contest, code: str) -> tuple[str, str]:
    return (
        f"Your voting code: {contest.title}",
        f"Dear member,\n\nYour voting code for {contest.title} is\n\n    {code}\n\n"
        "It works once. Keep it secret; nobody from the party will ask you for it.\n",
    )


def reminder_text(contest: Contest) -> tuple[str, str]:
    closes = contest.ballot_closes_at
    return (
        f"Reminder: {contest.title}",
        f"Dear member,\n\nThe ballot for {contest.title} closes on {closes:%d %B at %H:%M}.\n"
        "If you have not voted yet, use the code we sent you; if you have lost it, ask the "
        "returning officer for a new one. If you have voted, thank you: ignore this email.\n",
    )


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
    if letter.mailing.kind == MailingKind.CODES:
        subject, body = code_text(contest, unseal(letter.sealed_code))
    else:
        subject, body = reminder_text(contest)
    message = EmailMessage(
        subject,
        body,
        SENDER,
        [letter.elector.email],
        connection=connection,
        headers={"Message-ID": message_id(letter)},
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
