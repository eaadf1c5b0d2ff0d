"""Organisations, their rulebooks, contests and candidates."""

from __future__ import annotations

import zoneinfo
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext

from omov.web.contests.facts import RulebookFacts


@cache
def known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def zone_checked(name: str) -> None:
    """An IANA zone name ("Europe/London")."""
    if name not in known_zones():
        raise ValidationError(
            gettext("%(name)s is not a time zone name such as Europe/London") % {"name": repr(name)}
        )


class Organisation(models.Model):
    name = models.CharField(max_length=200, unique=True)
    time_zone = models.CharField(
        max_length=64,
        default="Europe/London",
        help_text="An IANA zone (Europe/London): every time shown about its contests is in it.",
        validators=[zone_checked],
    )

    def __str__(self) -> str:
        return self.name


class Rulebook(models.Model):
    """An edition of an organisation's rules, as loaded; ``facts`` is what the engine read."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    key = models.CharField(max_length=100)
    title = models.CharField(max_length=200)
    facts = models.JSONField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("organisation", "key"), name="rulebook_once"),
        )

    def __str__(self) -> str:
        return self.title

    @property
    def typed(self) -> RulebookFacts:
        """``facts`` read through the typed, versioned model."""
        return RulebookFacts.read(self.facts)


class ContestState(models.TextChoices):
    NOMINATIONS = "nominations", "Nominations open"
    ELECTORATE = "electorate", "Electorate being compiled"
    FROZEN = "frozen", "Electorate frozen"
    BALLOT_OPEN = "ballot_open", "Ballot open"
    BALLOT_CLOSED = "ballot_closed", "Ballot closed"
    COUNTED = "counted", "Counted"
    PUBLISHED = "published", "Results published"
    UNOPPOSED = "unopposed", "Elected unopposed"


class Contest(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    rulebook = models.ForeignKey(Rulebook, on_delete=models.PROTECT)
    title = models.CharField(max_length=200)
    state = models.CharField(
        max_length=20, choices=ContestState.choices, default=ContestState.NOMINATIONS
    )
    method = models.CharField(max_length=40)
    nominating_body_size = models.PositiveIntegerField()
    freeze_date = models.DateField(help_text="Members who joined after this date cannot vote.")
    ballot_opens_at = models.DateTimeField()
    ballot_closes_at = models.DateTimeField()
    trigger = models.CharField(
        max_length=20, blank=True, help_text="How the contest arose (the rulebook's trigger)."
    )
    decisions = models.JSONField(default=list, help_text="The engine's decisions with citations.")
    online_voting = models.BooleanField(
        default=True,
        help_text="The rulebook allows voting online (a statutory union ballot is postal only).",
    )
    archived = models.BooleanField(
        default=False,
        help_text="Off the home page (an officer's logged step); its pages stay at their URLs.",
    )

    def __str__(self) -> str:
        return self.title

    @property
    def stream(self) -> str:
        return f"contest:{self.pk}"


class Candidate(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="candidates")
    name = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField()
    incumbent = models.BooleanField(default=False)
    on_ballot = models.BooleanField(default=False)
    statement = models.TextField(blank=True, help_text="Up to 250 words, as in the booklet.")
    photo = models.FileField(upload_to="candidates/", blank=True)

    class Meta:
        ordering = ("position",)
        constraints = (
            models.UniqueConstraint(fields=("contest", "name"), name="candidate_name_once"),
            models.UniqueConstraint(fields=("contest", "position"), name="candidate_position_once"),
        )

    def __str__(self) -> str:
        return self.name

    @property
    def initials(self) -> str:
        return "".join(part[0] for part in self.name.split()[:2]).upper()


class EventKind(models.TextChoices):
    """The rules engine's kinds of event (``omov.rules.events``) the web app records."""

    RESIGNATION = "resignation", "Resignation"
    MOTION = "motion", "Motion"
    DECLARATION = "declaration", "Declaration"
    NOMINATIONS = "nominations", "Nominations"
    SUPPORTING_NOMINATION = "supporting-nomination", "Supporting nomination"
    WITHDRAWAL = "withdrawal", "Withdrawal"
    DATE_SET = "date-set", "Date set"
    BODY_SIZE = "body-size", "Size of a body"
    ELECTION_DUE = "election-due", "Election due"
    GENERAL_ELECTION = "general-election", "General election"
    CLOSE_NOMINATIONS = "close-nominations", "Nominations closed"
    DATE = "date", "A date passes"


class ContestEvent(models.Model):
    """Something that happened in a contest, as the engine's typed event (``event``: its
    JSON, read back with ``omov.rules.events``); the engine replays them in ``sequence``."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="engine_events")
    sequence = models.PositiveIntegerField()
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    event = models.JSONField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("sequence",)
        constraints = (
            models.UniqueConstraint(fields=("contest", "sequence"), name="contest_event_once"),
        )

    def __str__(self) -> str:
        return f"{self.contest_id} #{self.sequence} {self.kind}"
