"""A member's identity key: the one the electorate package links a person's records by
(``omov.electorate.dedup.EMAIL_AND_BIRTH``: the email trimmed and in lower case, then the
date of birth as ``YYYY-MM-DD``, joined by the unit separator), so a member found here and
an elector on a contest's roll are the same person exactly when their keys are equal."""

from __future__ import annotations

import datetime as dt

SEPARATOR = "\x1f"


def identity_key(email: str, date_of_birth: dt.date) -> str:
    """The key of the person with this email and date of birth."""
    return f"{email.strip().lower()}{SEPARATOR}{date_of_birth.isoformat()}"
