"""Reading petitions: the rules they run under, the live count and the table by unit (both
from the tallies, never by counting signatures), and what waits for review."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum

from omov.rules import Rulebook as Book
from omov.web.contests.models import Organisation, Rulebook
from omov.web.contests.rulebooks import stored_book
from omov.web.members.models import Unit
from omov.web.petitions import engine
from omov.web.petitions.models import (
    Petition,
    PetitionState,
    Signature,
    SignatureStatus,
    SignerClass,
    Tally,
)
from omov.web.petitions.signers import signer_of

OTHER_UNITS = "Other units"


def petition_book(petition: Petition) -> Book:
    """The rules the petition runs under: the edition in force when it was started. A
    stored edition never changes, so each process reads it once (signing reads it for
    every signature)."""
    key = getattr(petition, "rulebook_key", None)  # signing reads it with the petition
    if key is None:
        key = Rulebook.objects.values_list("key", flat=True).get(pk=petition.rulebook_id)
    return _book(petition.rulebook_id, key)


@lru_cache(maxsize=64)
def _book(rulebook_id: int, key: str) -> Book:
    """Keyed by the edition's name too: a test database may give a row's id to another
    edition after a rollback."""
    return stored_book(Rulebook.objects.get(pk=rulebook_id, key=key).typed)


@dataclass(frozen=True)
class LiveCount:
    members: int
    non_members: int

    @property
    def total(self) -> int:
        return self.members + self.non_members


def live_count(petition_id: int) -> LiveCount:
    """Signatures counted so far: one indexed sum over the petition's tally rows."""
    rows = (
        Tally.objects.filter(petition_id=petition_id, status=SignatureStatus.COUNTED)
        .values("klass")
        .annotate(n=Sum("signatures"))
    )
    by_class = {row["klass"]: int(row["n"] or 0) for row in rows}
    return LiveCount(by_class.get(SignerClass.MEMBER, 0), by_class.get(SignerClass.NON_MEMBER, 0))


SHOWN_FOR = 1.0
"""Seconds a page's count may be old: within them, readers share one sum per process."""


def live_count_shown(petition_id: int) -> LiveCount:
    """The count as pages and the JSON feed show it: the sum of the tallies, kept a second
    in the process's cache, so that a crowd reading a popular petition costs the database
    one small sum a second rather than one a reader."""
    name = f"omov-petition-count-{petition_id}"  # as live_count_forget names it
    found = cache.get(name)
    if isinstance(found, LiveCount):
        return found
    count = live_count(petition_id)
    cache.set(name, count, timeout=SHOWN_FOR)
    return count


def live_count_forget(petition_id: int) -> None:
    """After someone signs: the page they come back to counts them."""
    cache.delete(f"omov-petition-count-{petition_id}")


def status_counts(petition_id: int) -> dict[str, int]:
    """Signatures by status (counted, unconfirmed, awaiting_review, rejected)."""
    rows = (
        Tally.objects.filter(petition_id=petition_id).values("status").annotate(n=Sum("signatures"))
    )
    found = {row["status"]: int(row["n"] or 0) for row in rows}
    return {s.value.replace("-", "_"): found.get(s.value, 0) for s in SignatureStatus}


@dataclass(frozen=True)
class UnitRow:
    name: str
    signatures: int


def count_by_unit(petition: Petition, book: Book) -> list[UnitRow]:
    """Members' counted signatures by unit, most first; units with fewer than the rules
    publish are counted together, so that nobody in a small unit is picked out."""
    least = engine.petition_rules(book).min_published
    rows = (
        Tally.objects.filter(
            petition=petition, status=SignatureStatus.COUNTED, klass=SignerClass.MEMBER
        )
        .values("unit_key")
        .annotate(n=Sum("signatures"))
    )
    counts = {row["unit_key"]: int(row["n"] or 0) for row in rows if row["n"]}
    names = dict(Unit.objects.filter(pk__in=counts).values_list("pk", "name"))
    table: Counter[str] = Counter()
    for key, n in counts.items():
        table[names[key] if key in names and n >= least else OTHER_UNITS] += n
    return [UnitRow(name, n) for name, n in sorted(table.items(), key=lambda kv: (-kv[1], kv[0]))]


@dataclass(frozen=True)
class Held:
    """Signatures waiting for review for one reason (``flag``), and from the busiest
    address ranges."""

    flag: str
    explanation: str
    signatures: int
    ranges: list[tuple[str, int]]


def held_for_review(petition: Petition) -> list[Held]:
    """What waits for the officer, as counts by reason (a signature held for two reasons
    is in both)."""
    waiting = Signature.objects.filter(petition=petition, status=SignatureStatus.AWAITING)
    held = []
    for flag, explanation in engine.FLAGS.items():
        these = waiting.filter(flags__contains=flag)
        ranges = (
            these.values("address_range").annotate(n=Count("pk")).order_by("-n", "address_range")
        )
        top = [(row["address_range"], row["n"]) for row in ranges[:5]]
        n = these.count()
        if n:
            held.append(Held(flag, explanation, n, top))
    return held


def awaiting(petition: Petition, flag: str, address_range: str = "") -> QuerySet[Signature]:
    chosen = Q(petition=petition, status=SignatureStatus.AWAITING, flags__contains=flag)
    if address_range:
        chosen &= Q(address_range=address_range)
    return Signature.objects.filter(chosen)


def petitions_public(organisation: Organisation | None = None) -> QuerySet[Petition]:
    """Petitions anyone may read: open and closed ones (not those waiting for a check)."""
    shown = Petition.objects.filter(state__in=(PetitionState.OPEN, PetitionState.CLOSED))
    if organisation is not None:
        shown = shown.filter(organisation=organisation)
    return shown.select_related("organisation")


def has_signed(petition: Petition, identity: str) -> bool:
    signer = signer_of(petition, SignerClass.MEMBER, identity)
    return Signature.objects.filter(petition=petition, signer=signer).exists()
