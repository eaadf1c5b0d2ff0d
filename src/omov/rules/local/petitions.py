"""Members' petitions under the rulebook: who may sign, what is held for review, and the
thresholds a count crosses.

One person signs once: members by the roll's identity key, non-members by their email
normalised (``normalise_email``), counted apart. Screening never refuses a signature: it
names the reasons a signature waits for an officer's review.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from datetime import datetime

from omov.rules.decisions import Decision, DecisionKind
from omov.rules.errors import EventsError
from omov.rules.local.meetings import local_rules
from omov.rules.local.schema import Petitions
from omov.rules.schema import Rulebook

K = DecisionKind

DISPOSABLE = "disposable-email"
BUSY_RANGE = "busy-address-range"
FLAGS = {
    DISPOSABLE: "the email is at a domain of throwaway inboxes",
    BUSY_RANGE: "more signatures than usual came from the same address range this hour",
}


def petition_rules(book: Rulebook) -> Petitions:
    rules = local_rules(book).petitions
    if rules is None:
        raise EventsError(f"{book.id} has no members' petitions")
    return rules


def signing_refusal(book: Rulebook, *, standing: str) -> Decision | None:
    """Why a member of ``standing`` (active, lapsed, suspended, expelled) may not sign, or
    None if they may."""
    rules = petition_rules(book)
    if standing in rules.may_sign:
        return None
    allowed = ", ".join(rules.may_sign)
    return Decision(
        K.REFUSED,
        f"A member whose membership is {standing} cannot sign",
        f"Petitions are signed by members whose membership is {allowed}.",
        rules.standing_citation,
    )


def non_member_refusal(book: Rulebook) -> Decision | None:
    rules = petition_rules(book)
    if rules.non_members:
        return None
    return Decision(
        K.REFUSED,
        "Only members may sign",
        "The rules do not let non-members sign this organisation's petitions.",
        rules.citation,
    )


def normalise_email(text: str) -> str:
    """The email as it is compared: Unicode-normalised (NFKC), with no white space
    anywhere (none belongs in an address), in lower case."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(folded.split()).lower()


def email_problem(normalised: str) -> str | None:
    """Why this is not an email address one could confirm, or None."""
    local, at, domain = normalised.rpartition("@")
    if not at or not local or "." not in domain or domain.startswith(".") or len(normalised) > 254:
        return "that is not an email address"
    return None


def address_range(address: str, rules: Petitions) -> str:
    """The range an address is screened in (a /24 of IPv4, a /48 of IPv6 by default)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    prefix = rules.ipv4_prefix if ip.version == 4 else rules.ipv6_prefix
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def screening_flags(
    book: Rulebook, *, email: str | None, from_range_this_hour: int
) -> tuple[str, ...]:
    """The reasons a signature waits for review (empty: it counts at once).
    ``from_range_this_hour`` counts this signature too."""
    rules = petition_rules(book)
    flags = []
    if email is not None:
        domain = email.rpartition("@")[2]
        if any(domain == d or domain.endswith(f".{d}") for d in rules.disposable_domains):
            flags.append(DISPOSABLE)
    if from_range_this_hour > rules.per_range_per_hour:
        flags.append(BUSY_RANGE)
    return tuple(flags)


def thresholds_crossed(
    book: Rulebook, *, before: int, after: int, at: datetime | None = None
) -> list[Decision]:
    """The thresholds a count passed on its way from ``before`` to ``after``."""
    rules = petition_rules(book)
    return [
        Decision(
            K.THRESHOLD_REACHED,
            f"{t.signatures:,} signatures: {t.consequence}",
            f"The petition reached {after:,} signatures.",
            t.citation,
            f"{after:,} ≥ {t.signatures:,}",
            at=at,
        )
        for t in rules.thresholds
        if before < t.signatures <= after
    ]


def counted_unit_kinds(book: Rulebook) -> tuple[str, ...]:
    """The kinds of unit a petition's signatures are counted by, as Parliament's site counts
    by constituency: the rulebook's units that sit within no other and are the members' own
    (a CLP, not a branch within it, nor an affiliated branch); every kind if none is."""
    units = local_rules(book).units
    top = tuple(k for k, u in units.items() if u.within is None and not u.affiliated)
    return top or tuple(units)


def thresholds_reached(book: Rulebook, count: int) -> list[int]:
    return [t.signatures for t in petition_rules(book).thresholds if count >= t.signatures]
