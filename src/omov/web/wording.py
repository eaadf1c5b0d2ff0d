"""Sentences people read, kept in one place: times in the site's zone with the zone named,
and what a voter is told when the ballot is not open."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from omov.count.catalogue import CATALOGUE
from omov.web.contests.models import Contest, ContestState, known_zones

NOT_YET = (ContestState.NOMINATIONS, ContestState.ELECTORATE, ContestState.FROZEN)


def when(moment: dt.datetime, zone: str | dt.tzinfo | None = None) -> str:
    """A moment in ``zone`` (the organisation's, given by name), else the zone of the
    request (``omov.web.zones``), the zone named: "12:00 on 21 September 2026 (BST)";
    the month in the page's language."""
    if isinstance(zone, str):
        zone = ZoneInfo(zone) if zone in known_zones() else None
    local = timezone.localtime(moment, zone)
    return _("%(time)s on %(date)s (%(zone)s)") % {
        "time": dateformat.format(local, "H:i"),
        "date": dateformat.format(local, "j F Y"),
        "zone": local.tzname(),
    }


def ballot_not_open(contest: Contest, now: dt.datetime | None = None) -> str | None:
    """Why a voter cannot vote online now (``None`` while the ballot is open): when it
    opens, or that it has closed."""
    now = timezone.now() if now is None else now
    if contest.state in NOT_YET:
        if now < contest.ballot_opens_at:
            return f"Voting has not started: the ballot opens at {when(contest.ballot_opens_at)}."
        return "Voting has not started: the returning officer has not opened the ballot yet."
    if contest.state != ContestState.BALLOT_OPEN or now >= contest.ballot_closes_at:
        return (
            f"The ballot closed at {when(contest.ballot_closes_at)}; "
            "no more votes can be cast online."
        )
    return None


REASONS: dict[str, tuple[str, str]] = {
    # code: (what the officer reads, what the member reads)
    "eligible": ("Passed every check.", "You may vote."),
    "appeal-upheld": ("Eligible after an upheld appeal.", "Your appeal was upheld: you may vote."),
    "vetted": (
        "Excluded by an officer after vetting.",
        "You were excluded after vetting; you may appeal.",
    ),
    "joined_after_freeze": (
        "Joined after the freeze date.",
        "You joined after the date the rules set for this ballot.",
    ),
    "lapsed": ("Membership lapsed.", "Your membership had lapsed by the date the rules set."),
    "applied_outside_window": (
        "Applied outside the registration window.",
        "You applied outside the window the rules set for registered supporters.",
    ),
    "signed_up_after_deadline": (
        "Signed up after the deadline.",
        "You signed up after the deadline the rules set.",
    ),
    "joined_affiliate_after_freeze": (
        "Joined the affiliated organisation after the freeze date.",
        "You joined your affiliated organisation after the date the rules set.",
    ),
    "payment_failed": ("Payment not received.", "Your payment was not received."),
    "under_age": ("Under the minimum age.", "You are under the minimum age the rules set."),
    "not_on_register": (
        "Not on the affiliate's register.",
        "You are not on your affiliated organisation's register.",
    ),
    "expelled": ("Expelled.", "You have been expelled."),
    "suspended": ("Suspended.", "Your membership is suspended."),
    "in_arrears": ("In arrears.", "Your membership payments are in arrears."),
    "excluded_by_vetting": (
        "Excluded after vetting.",
        "You were excluded after vetting; you may appeal.",
    ),
    "duplicate": (
        "A second record of someone who votes on another.",
        "You vote with another of your records.",
    ),
}
"""Every eligibility reason code, as each reader is told it."""

METHODS = {key: info.plain for key, info in CATALOGUE.items()}
"""Each counting method's name for people (kept with the method, in ``omov.count.catalogue``)."""


def _unknown(code: str) -> str:
    """A code with no sentence yet, made readable rather than shown bare."""
    return re.sub(r"[_-]+", " ", code).strip().capitalize() + "."


def officer_reason(code: str) -> str:
    return REASONS[code][0] if code in REASONS else _unknown(code)


def member_reason(code: str) -> str:
    return REASONS[code][1] if code in REASONS else _unknown(code)


def method_name(key: str) -> str:
    return METHODS.get(key, re.sub(r"[_-]+", " ", key))


DATE_KINDS = {
    "freeze-date": "The freeze date (members must have joined by it)",
    "eligibility-date": "The eligibility date (one must be a member then)",
    "supporter-window-opens": "The registered supporters' window opens",
    "supporter-window-closes": "The registered supporters' window closes",
    "affiliated-supporter-deadline": "The affiliated supporters' deadline",
    "affiliate-member-by": "Affiliates' members must have joined by",
    "age-date": "The day on which age is judged",
}
"""Each date a committee may set for a contest, as the officer reads it."""


def date_kind_name(code: str) -> str:
    return DATE_KINDS.get(code, _unknown(code))


def _explanations() -> dict[str, str]:
    transferable = _(
        "Voters numbered the candidates in order of preference. A candidate reaching the "
        "quota was elected and their surplus passed on; otherwise the candidate with the "
        "fewest votes was excluded and their papers passed to each voter's next preference, "
        "until every seat was filled."
    )
    return {
        "irv": _(
            "Voters numbered the candidates in order of preference. If nobody had more than "
            "half of the votes, the candidate with the fewest was excluded and their papers "
            "passed to each voter's next preference still standing, round by round, until "
            "one candidate had more than half of the votes still in the count."
        ),
        "fptp": _("Each voter marked their choice; the candidate with the most votes won."),
        "exhaustive": _(
            "In each round the candidate with the fewest votes was excluded and each of "
            "their voters' papers went to the voter's next choice, until one candidate had "
            "more than half."
        ),
        "college": _(
            "Each section's votes were weighted to its share of the electoral college; the "
            "candidate with the fewest weighted votes was excluded round by round until one "
            "had more than half."
        ),
        **dict.fromkeys(
            ("scottish-stv", "ers97", "meek", "wigm", "wigm-one-per-round"), transferable
        ),
    }


def method_explained(key: str) -> str:
    """How the count worked, in plain words, for the declaration."""
    found = _explanations().get(key)
    return found or _("Counted by %(method)s.") % {"method": method_name(key)}
