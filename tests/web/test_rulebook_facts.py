"""What the web app takes from a shipped rulebook for publication and postal returns."""

from __future__ import annotations

from omov.web.contests.rulebooks import rulebook_facts


def test_publication_settings_come_from_the_rulebook() -> None:
    facts = rulebook_facts("labour/2016")
    assert facts["trackers"] == "inclusion"
    assert facts["min_section"] == 10
    assert facts["postal_precedence"] == "first-received"
