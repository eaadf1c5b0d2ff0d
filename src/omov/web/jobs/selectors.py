"""What the officer sees of mailings: counts, and whose voting code could not be sent.
Reminders show counts only: whom a reminder went to is who had not voted."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum

from omov.web.contests.models import Contest
from omov.web.jobs.models import (
    Letter,
    LetterState,
    LetterTally,
    Mailing,
    MailingKind,
    MailingState,
)

SHOWN = 5
FAILURES_SHOWN = 200


@dataclass(frozen=True)
class Progress:
    mailing: Mailing
    counts: Counter[str]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def under_way(self) -> bool:
        return self.mailing.state != MailingState.DONE

    @property
    def waiting(self) -> int:
        pending = (LetterState.PLANNED, LetterState.READY, LetterState.DEFERRED)
        return sum(self.counts[state] for state in pending)

    def __getitem__(self, state: str) -> int:
        """``row.sent`` in a template; other names fall through to the attributes."""
        if state not in LetterState.values:
            raise KeyError(state)
        return self.counts[state]


def mailing_progress(*, contest: Contest) -> list[Progress]:
    """The contest's latest mailings, newest first, with their letters counted by state:
    from the tally the database keeps as letters change (``LetterTally``), a few rows a
    mailing however many letters it has (counting the letters grew with the mailing)."""
    mailings = list(contest.mailings.order_by("-pk")[:SHOWN])
    rows = (
        LetterTally.objects.filter(mailing_id__in=[m.pk for m in mailings])
        .values_list("mailing_id", "state")
        .annotate(total=Sum("n"))
        .order_by()
    )
    counts: dict[int, Counter[str]] = {m.pk: Counter() for m in mailings}
    for mailing_id, state, n in rows:
        if n:
            counts[mailing_id][state] = n
    for mailing in mailings:
        if mailing.totals:  # done: its totals are kept (a reminder's letters are gone)
            counts[mailing.pk] = Counter(mailing.totals)
    return [Progress(m, counts[m.pk]) for m in mailings]


def letter_counts_recounted(mailing: Mailing) -> Counter[str]:
    """A mailing's letters by state from the letters themselves, one grouped query over
    them: what ``mailing_progress``'s tally is checked against."""
    rows = mailing.letters.values_list("state").annotate(n=Count("pk")).order_by()
    return Counter(dict(rows))


def codes_undelivered(*, contest: Contest) -> QuerySet[Letter]:
    """Electors whose voting code bounced or could not be sent: each may be sent a postal
    ballot (or a new code at another address)."""
    return (
        Letter.objects.filter(
            mailing__contest=contest,
            mailing__kind=MailingKind.CODES,
            state__in=(LetterState.BOUNCED, LetterState.FAILED),
        )
        .select_related("elector")
        .order_by("elector__reference")
    )
