"""The one place this app reads ``omov.rules.local`` (pyproject's import contract lets it):
how an email is compared, and the standings the rules know. Nothing here decides a rule."""

from __future__ import annotations

from typing import get_args

from omov.rules.local.petitions import email_problem, normalise_email
from omov.rules.local.schema import Standing, UnitKind

STANDINGS: tuple[str, ...] = get_args(Standing)

__all__ = ["STANDINGS", "UnitKind", "email_problem", "normalise_email"]
