"""Errors of the rules package, each a single line an officer can act on."""

from __future__ import annotations


class RulesError(Exception):
    """Base class: the CLI prints these as one line."""


class RulebookError(RulesError):
    """A rulebook that cannot be used: not found, not TOML, or not valid against the schema."""


class EventsError(RulesError):
    """An events file that cannot be read or does not fit the rulebook."""
