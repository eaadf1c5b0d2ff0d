"""What the web app takes from a shipped rulebook for publication and postal returns."""

from __future__ import annotations

import pytest

from omov.web.contests.facts import RulebookFacts
from omov.web.contests.rulebooks import rulebook_facts
from omov.web.errors import ContestError


def test_publication_settings_come_from_the_rulebook() -> None:
    facts = rulebook_facts("labour/2016")
    assert facts.trackers == "inclusion"
    assert facts.min_section == 10
    assert facts.postal_precedence == "first-received"
    assert facts.version == 1


def test_the_facts_round_trip_and_a_foreign_key_is_refused() -> None:
    facts = rulebook_facts("union/general-secretary-1992")
    assert RulebookFacts.read(facts.as_record()) == facts
    assert facts.channels == ["postal"]
    with pytest.raises(ContestError, match="cannot be read"):
        RulebookFacts.read({**facts.as_record(), "threshold_override": 3})
    with pytest.raises(ContestError, match="cannot be read"):
        RulebookFacts.read({**facts.as_record(), "version": 2})
