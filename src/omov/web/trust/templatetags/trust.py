"""``{% trust_panel contest %}``: the key fingerprint, signed heads and bundle download,
for the results page."""

from __future__ import annotations

from typing import Any

from django import template

from omov.web.contests.models import Contest, ContestState
from omov.web.trust import selectors

register = template.Library()


@register.inclusion_tag("trust/panel.html")
def trust_panel(contest: Contest) -> dict[str, Any]:
    return {
        "contest": contest,
        "key": selectors.key_shown(contest=contest),
        "published": contest.state == ContestState.PUBLISHED,
    }
