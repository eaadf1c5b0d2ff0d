"""The web side's view of a shipped rulebook: the few facts the web flow needs, with citations.

The rulebook engine (``omov.rules``) owns rule logic. Until it ships the Labour editions, the
web app reads a small built-in record of the 2016 rules, every fact cited, so the officer flow
can run end to end; ``rulebook_facts`` prefers the engine whenever it knows the key.
"""

from __future__ import annotations

from fractions import Fraction
from math import ceil
from typing import Any

Facts = dict[str, Any]

LABOUR_2016: Facts = {
    "key": "labour/2016",
    "organisation": "The Labour Party",
    "title": "Labour Party Rule Book 2016, Chapter 4 Clause II (leadership elections)",
    "method": "irv",
    "sections": ["members", "registered supporters", "affiliated supporters"],
    "nominating_body": "PLP and EPLP (Commons MPs and MEPs)",
    "challenge_fraction": "1/5",
    "vacancy_fraction": "3/20",
    "incumbent_automatic": True,
    "postal_precedence": "first-received",
    "decisions": [
        {
            "decision": "A challenger needs nominations from 20% of the PLP and EPLP combined.",
            "citation": "Rule Book 2016, Ch 4 Cl II 2.B.ii; Foster v McNicol [2016] EWHC 1966 (QB)",
        },
        {
            "decision": "The incumbent is on the ballot without nominations.",
            "citation": "NEC ruling, 12 July 2016; Foster v McNicol [2016] EWHC 1966 (QB)",
        },
        {
            "decision": "Members vote if they joined on or before 12 January 2016 (six months).",
            "citation": "NEC procedural guidelines 12 July 2016; Evangelou [2016] EWCA Civ 817",
        },
        {
            "decision": "Preferential ballot, one member one vote, counted by instant runoff.",
            "citation": "Rule Book 2016, Ch 4 Cl II 2.C",
        },
        {
            "decision": "Each voter's first ballot received counts; later returns are refused.",
            "citation": "NEC procedural guidelines 2016 (one ballot per eligible voter)",
        },
    ],
}

BUILT_IN: dict[str, Facts] = {LABOUR_2016["key"]: LABOUR_2016}


def shipped_keys() -> list[str]:
    return sorted(BUILT_IN)


def rulebook_facts(key: str) -> Facts:
    """The facts of the shipped rulebook ``key``; a ``KeyError`` names the known ones."""
    if key not in BUILT_IN:
        raise KeyError(f"no shipped rulebook {key!r}; known: {', '.join(shipped_keys())}")
    return dict(BUILT_IN[key])


def nomination_threshold(facts: Facts, *, body_size: int, challenge: bool = True) -> int:
    """Nominations a candidate needs: the rule's fraction of the body, rounded up."""
    fraction = Fraction(facts["challenge_fraction" if challenge else "vacancy_fraction"])
    return ceil(fraction * body_size)
