"""The web side's view of a shipped rulebook, read through the rules engine (``omov.rules``).

The engine owns the rules; this module only flattens what the web flow needs (method,
sections, nomination threshold, incumbent reading, decisions with citations, the count
setup and the rulebook's own text) into plain JSON facts stored with the contest, so a
contest keeps the rules it was opened under: the count and the published bundle read the
stored facts, never the shipped file again, and a later release of omov that changes the
shipped edition changes no contest already loaded.
"""

from __future__ import annotations

from fractions import Fraction
from functools import cache, lru_cache
from typing import Any

from django.utils.translation import gettext

from omov.count import CountOptions
from omov.rules import RulesError, count_setup, load_rulebook, shipped_rulebooks
from omov.rules.loading import read_rulebook, rulebook_from_text
from omov.rules.schema import Channel, NominationRule, Rulebook
from omov.web.contests.facts import RulebookFacts
from omov.web.errors import ContestError
from omov.web.wording import method_name


@cache
def shipped_keys() -> list[str]:
    """Shipped editions the web app can run: an electorate ballot and nomination rules."""
    return [key for key in shipped_rulebooks() if _runnable(load_rulebook(key))]


def _runnable(book: Rulebook) -> bool:
    return book.voting is not None and bool(book.nominations) and bool(book.sections)


def _nomination_rule(book: Rulebook) -> tuple[str, NominationRule]:
    key = "challenge" if "challenge" in book.nominations else next(iter(book.nominations))
    return key, book.nominations[key]


def shipped_text(key: str) -> str:
    """The TOML of the shipped edition ``key`` (``labour/2016``), as the package holds it now."""
    return shipped_book(key)[0]


def shipped_book(key: str) -> tuple[str, Rulebook]:
    """The shipped edition's text and the rulebook parsed from that same text."""
    try:
        return read_rulebook(key)
    except RulesError as error:
        raise KeyError(str(error)) from None


def count_facts_of(book: Rulebook) -> dict[str, Any]:
    """The count setup as plain JSON: what ``count_rules`` reads back at count time."""
    method, seats, options = count_setup(book)
    return {"method": method, "seats": seats, "options": options.as_record()}


def rulebook_facts(key: str) -> RulebookFacts:
    """The facts of the shipped rulebook ``key``; a ``KeyError`` names the known ones."""
    text, book = shipped_book(key)
    if not _runnable(book) or book.voting is None:
        raise KeyError(f"{key} has no electorate ballot with nominations for the web app to run")
    count = count_facts_of(book)
    rule_key, rule = _nomination_rule(book)
    requirement = rule.requirements[0]
    sections = [slug for slug in book.voting.voters if slug in book.sections]
    reading = book.incumbent.readings[book.incumbent.default_reading] if book.incumbent else None
    members = book.sections.get("members")
    freeze = members.eligibility.joined_on_or_before if members else None
    return RulebookFacts.read(
        {
            "key": book.id,
            "organisation": book.organisation_name,
            "title": book.title,
            "method": count["method"],
            "seats": count["seats"],
            "count": count,
            "text": text,
            "sections": sections,
            "section_names": {slug: book.sections[slug].name for slug in sections},
            "nomination_rule": rule_key,
            "nominating_body": " and ".join(book.bodies[b].name for b in requirement.bodies),
            "body_size": sum(book.bodies[b].size or 0 for b in requirement.bodies),
            "nomination_fraction": str(requirement.fraction or Fraction(0)),
            "nomination_count": requirement.count or 0,
            "rounding": requirement.rounding.value,
            "incumbent_automatic": bool(reading and reading.on_ballot == "automatic"),
            "freeze_date": freeze.isoformat() if freeze else None,
            "postal_precedence": book.voting.postal_precedence.value,
            "channels": [channel.value for channel in book.voting.channels],
            "channels_citation": book.voting.citation,
            "trackers": book.voting.trackers.value,
            "min_section": book.voting.min_section_ballots,
            "checkpoint_min_ballots": book.voting.checkpoint_min_ballots,
            "decisions": _decisions(book, rule),
        }
    )


def _decisions(book: Rulebook, rule: NominationRule) -> list[dict[str, str]]:
    """What the rulebook decides for a contest, each with the clause it comes from."""
    decisions = [
        {"decision": t.explanation, "citation": t.citation} for t in book.triggers if t.explanation
    ]
    decisions.append(
        {
            "decision": rule.explanation or "Nominations as the rules require.",
            "citation": rule.citation,
        }
    )
    if book.incumbent is not None:
        reading = book.incumbent.readings[book.incumbent.default_reading]
        decisions.append({"decision": reading.explanation, "citation": reading.citation})
    for section in book.sections.values():
        decisions.append(
            {
                "decision": f"{section.name} may vote as the rules define.",
                "citation": section.eligibility.citation,
            }
        )
    if book.voting is not None:
        decisions.append(
            {
                "decision": f"Counted by {method_name(book.voting.method)}.",
                "citation": book.voting.citation,
            }
        )
    return decisions


def count_rules(facts: RulebookFacts) -> tuple[str, int, CountOptions]:
    """Method, seats and count options for ``omov.count.count``, from the stored facts.

    A ``ContestError`` where the facts hold no count setup (a rulebook loaded before omov stored
    it, whose edition was no longer shipped when the migration filled the others in): such
    a contest is refused rather than counted under whatever the shipped file says today."""
    count = facts.count
    if count is None:
        raise ContestError(
            gettext(
                "the rulebook %(key)s was stored without its count setup; it cannot be counted "
                "under the rules it was opened under"
            )
            % {"key": facts.key}
        )
    return count.method, count.seats, CountOptions.from_record(count.options)


def online_lawful(facts: RulebookFacts) -> bool:
    """The rulebook lets electors vote online (not so a statutory union ballot: TULRCA s.51
    makes it postal). Facts stored before channels were kept: the schema's default, both."""
    return Channel.ONLINE.value in facts.channels


def stored_book(facts: RulebookFacts) -> Rulebook:
    """The rulebook parsed from the stored text: what was loaded, not what is shipped now."""
    return _parsed(stored_text(facts), facts.key)


@lru_cache(maxsize=32)
def _parsed(text: str, label: str) -> Rulebook:
    """Parsed once per text: the engine replays a contest's events at every step, and a
    rulebook is never changed once parsed (the engine copies it to change a body's size)."""
    try:
        return rulebook_from_text(text, label=label)
    except RulesError as error:
        raise ContestError(
            gettext("the stored rulebook cannot be read: %(error)s") % {"error": error}
        ) from None


def stored_text(facts: RulebookFacts) -> str:
    """The rulebook's TOML as it was when loaded (its SHA-256 goes into the log)."""
    if facts.text is None:
        raise ContestError(
            gettext("the rulebook %(key)s was stored without its text") % {"key": facts.key}
        )
    return facts.text
