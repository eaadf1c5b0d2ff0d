"""Replaying events written inline as YAML, and picking decisions out of the answer."""

from __future__ import annotations

from textwrap import dedent

import yaml

from omov.rules import Decision, DecisionKind, Rulebook, explain, load_rulebook, parse_events
from omov.rules.contest import Contest
from omov.rules.engine import run


def replay(rulebook: str | Rulebook, events_yaml: str) -> list[Decision]:
    book = load_rulebook(rulebook) if isinstance(rulebook, str) else rulebook
    events = parse_events(yaml.safe_load(dedent(events_yaml)), timezone=book.timezone)
    return explain(book, events)


def replay_contest(rulebook: str | Rulebook, events_yaml: str) -> Contest:
    """The engine's state after the events: decisions, ballot, dates set."""
    book = load_rulebook(rulebook) if isinstance(rulebook, str) else rulebook
    return run(book, parse_events(yaml.safe_load(dedent(events_yaml)), timezone=book.timezone))


def about(decisions: list[Decision], subject: str) -> list[DecisionKind]:
    return [d.kind for d in decisions if d.subject == subject]


def only(decisions: list[Decision], kind: DecisionKind) -> Decision:
    found = [d for d in decisions if d.kind is kind]
    assert len(found) == 1, f"expected one {kind}, got {[d.summary for d in found]}"
    return found[0]


def of_kind(decisions: list[Decision], kind: DecisionKind) -> list[Decision]:
    return [d for d in decisions if d.kind is kind]
