"""omov.rules (pure): rulebooks as data, and the engine that applies them.

book = load_rulebook("labour/2016")          # or a path to a TOML file
method, seats, options = count_setup(book)   # for omov.count.count
decisions = explain(book, load_events(path, timezone=book.timezone))
"""

from omov.rules.counting import count_setup, known_methods
from omov.rules.decisions import Decision, DecisionKind
from omov.rules.eligibility import EligibilityCriteria
from omov.rules.engine import explain
from omov.rules.errors import EventsError, RulebookError, RulesError
from omov.rules.events import EventsFile, load_events, parse_events
from omov.rules.loading import load_rulebook, parse_rulebook, shipped_rulebooks
from omov.rules.schema import Rulebook, Section

__all__ = [
    "Decision",
    "DecisionKind",
    "EligibilityCriteria",
    "EventsError",
    "EventsFile",
    "Rulebook",
    "RulebookError",
    "RulesError",
    "Section",
    "count_setup",
    "explain",
    "known_methods",
    "load_events",
    "load_rulebook",
    "parse_events",
    "parse_rulebook",
    "shipped_rulebooks",
]
