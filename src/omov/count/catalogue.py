"""The counting methods by name: what each is and what it needs, with nothing imported.

This is the one list of the count core's methods. ``omov count --help``, the rulebook's
schema and ``omov rules`` read it without loading NumPy; each method module registers its
function under one of these names (``omov.count.methods.register``), and a name that is
not here cannot be registered, so the list and the registry cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EqualRankings(StrEnum):
    """What a paper that ranks candidates equal means under a method (``omov.count.equal``)."""

    SPLIT = "split"
    OVERVOTE = "overvote"
    REFUSED = "refused"


@dataclass(frozen=True)
class MethodInfo:
    """A counting method as the catalogue lists it: its name, what it does, what it takes."""

    name: str
    description: str
    multi_seat: bool
    """False: the method fills one seat only."""
    needs_sections: bool = False
    overvote_groups: bool = False
    """True: the method reads overvote groups (the exhaust-if-multiple-continuing rule)."""
    equal_rankings: EqualRankings = EqualRankings.OVERVOTE
    """What a paper that ranks candidates equal means under the method's rule."""

    @property
    def plain(self) -> str:
        """The method as a sentence names it to a member ("counted by the alternative vote")."""
        return PLAIN_NAMES[self.name]


CATALOGUE: dict[str, MethodInfo] = {
    info.name: info
    for info in (
        MethodInfo(
            "irv", "Alternative vote / instant-runoff (RCTab options)", False, overvote_groups=True
        ),
        MethodInfo("fptp", "First past the post (block vote for several seats)", True),
        MethodInfo(
            "exhaustive",
            "Exhaustive ballot (one elimination a round)",
            False,
            # A paper stands in for the voter's choice in each round; one that ranks
            # candidates equal does not say which the voter would choose while both stand.
            equal_rankings=EqualRankings.REFUSED,
        ),
        MethodInfo(
            "college",
            "Weighted electoral college (AV on section shares)",
            False,
            needs_sections=True,
        ),
        MethodInfo(
            "scottish-stv", "STV, Scottish local government rules (SSI 2007/42, rules 45-52)", True
        ),
        MethodInfo("ers97", "STV, Electoral Reform Society 1997 rules", True),
        MethodInfo(
            "meek",
            "Meek STV (Algorithm 123, fixed point 10^-9)",
            True,
            equal_rankings=EqualRankings.SPLIT,
        ),
        MethodInfo("wigm", "STV, weighted inclusive Gregory (RCTab)", True),
        MethodInfo(
            "wigm-one-per-round",
            "STV, weighted inclusive Gregory, one election per round (RCTab)",
            True,
        ),
        MethodInfo("wigm-bottoms-up", "Exclude until seats remain (RCTab)", True),
    )
}
"""Every method, in the order ``omov count --help`` lists them."""

PLAIN_NAMES = {
    "irv": "the alternative vote (instant runoff)",
    "fptp": "first past the post",
    "exhaustive": "the exhaustive ballot",
    "college": "a weighted electoral college",
    "scottish-stv": "the single transferable vote (Scottish rules)",
    "ers97": "the single transferable vote (Electoral Reform Society 1997 rules)",
    "meek": "the single transferable vote (Meek's method)",
    "wigm": "the single transferable vote (weighted inclusive Gregory method)",
    "wigm-one-per-round": "the single transferable vote (Gregory method, one elected a round)",
    "wigm-bottoms-up": "exclusion until only as many candidates as seats remain",
}
"""Each method's name for people, in one place (``MethodInfo.plain``)."""
