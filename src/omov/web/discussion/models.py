"""Threads, posts, flags and the moderation record of members' discussion.

A thread is on one target: a contest, a motion or a petition (``target_kind`` and
``target_id``; the target's own app owns the row). A post keeps its author's display name
and section as shown when it was written (``shown_as``, ``section``; the unit only where
the rulebook says), its text and the HTML rendered from it once. A moderation decision
names its moderator, its house rule and the person it is about by identity key; it keeps
the SHA-256 of the text it acted on, never the text, so a post erased at its author's
request leaves the decision and nothing of what they wrote.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from omov.web.contests.models import Candidate, Contest, Organisation
from omov.web.members.models import Member


class TargetKind(models.TextChoices):
    CONTEST = "contest", "Contest"
    MOTION = "motion", "Motion"
    PETITION = "petition", "Petition"
    QUESTION = "question", "Hustings question"


class Thread(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    target_kind = models.CharField(max_length=20, choices=TargetKind.choices)
    target_id = models.PositiveBigIntegerField()
    contest = models.ForeignKey(
        Contest, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    """The contest a thread is about, when it is (its figures are per supported candidate)."""
    title = models.CharField(max_length=200)
    started_by = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    posts_made = models.PositiveIntegerField(default=0)
    """Posts numbered so far (the next post is number ``posts_made + 1``)."""
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = (
            models.Index(fields=("organisation", "target_kind", "target_id"), name="thread_target"),
        )

    def __str__(self) -> str:
        return self.title


class PostState(models.TextChoices):
    PUBLISHED = "published", "Published"
    HELD = "held", "Held for a moderator"
    HIDDEN = "hidden", "Hidden by a moderator"
    ERASED = "erased", "Erased at its author's request"


class Post(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    """The thread's, kept on the post too: search filters a million posts by it without a
    join that would make PostgreSQL compute each post's text vector again."""
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shown_as = models.CharField(max_length=80)
    section = models.CharField(max_length=60)
    real_name = models.CharField(max_length=200, blank=True)
    unit = models.CharField(max_length=200, blank=True)
    quotes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    html = models.TextField()
    state = models.CharField(max_length=10, choices=PostState.choices)
    moderation = models.ForeignKey(
        "Moderation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    """The decision that hid it, or the one under which it is held."""
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("thread", "number")
        constraints = (
            models.UniqueConstraint(fields=("thread", "number"), name="post_number_once"),
        )
        indexes = (
            models.Index(fields=("author", "created_at"), name="post_author_recent"),
            models.Index(fields=("state", "thread"), name="post_state"),
        )
        # The full-text index (PostgreSQL, GIN over the English tsvector) is made by
        # migration 0002, which SQLite skips.

    def __str__(self) -> str:
        return f"post {self.number} of {self.thread_id}"


class Flag(models.Model):
    """A member asks a moderator to look at a post (or another app's item: a hustings
    question), citing a house rule."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    item_kind = models.CharField(max_length=20)
    item_id = models.PositiveBigIntegerField()
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    ground = models.CharField(max_length=60)
    created_at = models.DateTimeField(default=timezone.now)
    dealt_with = models.BooleanField(default=False)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("item_kind", "item_id", "member"), name="flag_once_per_member"
            ),
        )
        indexes = (
            models.Index(fields=("organisation", "dealt_with", "item_kind"), name="flag_open"),
        )


class ModerationKind(models.TextChoices):
    HIDE = "hide", "Post hidden"
    HOLD = "hold", "Posts held for pre-moderation"
    SUSPEND = "suspend", "Suspended from discussion"
    REJECT = "reject", "Held post not published"


class ModerationState(models.TextChoices):
    PROPOSED = "proposed", "Proposed, awaiting a second moderator"
    IN_FORCE = "in_force", "In force"
    NOT_CONFIRMED = "not_confirmed", "Not confirmed by the second moderator"
    LIFTED = "lifted", "Lifted by a moderator"
    REVERSED = "reversed", "Reversed on appeal"


class Moderation(models.Model):
    """One moderator's decision on a post or a person, on one house rule."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ModerationKind.choices)
    state = models.CharField(max_length=14, choices=ModerationState.choices)
    rule = models.PositiveSmallIntegerField(help_text="The house rule's number.")
    ground = models.CharField(max_length=60, help_text="The house rule's code.")
    label = models.CharField(max_length=200, help_text='"rule 3, personal abuse"')
    citation = models.CharField(max_length=300)
    reasons = models.TextField(blank=True, help_text="The moderator's note, for the panel.")
    item_kind = models.CharField(max_length=20, blank=True)
    """What was acted on: ``post`` (a discussion post), or another app's kind (a hustings
    ``question``); blank for a decision on a person (a hold, a suspension)."""
    item_id = models.PositiveBigIntegerField(null=True, blank=True)
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    """The account acted on; the decision follows the person (``identity_key``)."""
    identity_key = models.CharField(max_length=300)
    text_sha256 = models.CharField(max_length=64, blank=True)
    contest = models.ForeignKey(
        Contest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    supported = models.ForeignKey(
        Candidate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    """The candidate the person had declared they support in ``contest``, if any."""
    days = models.PositiveSmallIntegerField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(default=timezone.now)
    in_force_at = models.DateTimeField(null=True, blank=True)
    author_seen = models.BooleanField(default=False)

    class Meta:
        indexes = (
            models.Index(
                fields=("organisation", "identity_key", "state"), name="moderation_person"
            ),
            models.Index(fields=("organisation", "state", "kind"), name="moderation_state"),
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.label}"


class AppealState(models.TextChoices):
    LODGED = "lodged", "Lodged"
    UPHELD = "upheld", "Upheld: the decision is reversed"
    DISMISSED = "dismissed", "Dismissed"


class Appeal(models.Model):
    """A member's appeal against a decision on them, or against a review that found their
    registration to be a suspended person's (``review``), heard by the appeals panel."""

    moderation = models.ForeignKey(Moderation, on_delete=models.CASCADE, related_name="appeals")
    review = models.ForeignKey(
        "Review", null=True, blank=True, on_delete=models.CASCADE, related_name="appeals"
    )
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    grounds = models.TextField()
    state = models.CharField(max_length=10, choices=AppealState.choices)
    reasons = models.TextField(blank=True, help_text="The panel's written reasons.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lodged_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)


class ReviewState(models.TextChoices):
    OPEN = "open", "Waiting for a moderator"
    SAME_PERSON = "same_person", "The same person: the suspension applies"
    NOT_THE_SAME = "not_the_same", "Not the same person"


class Review(models.Model):
    """A registration that matches a person suspended from discussion, flagged for a
    moderator (never refused): until it is reviewed, the new account's posts are held."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    suspension = models.ForeignKey(Moderation, on_delete=models.CASCADE, related_name="reviews")
    matched_on = models.CharField(max_length=200)
    state = models.CharField(max_length=14, choices=ReviewState.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("member", "suspension"), name="review_once"),
        )


class Declaration(models.Model):
    """The candidate a member says they support in a contest (optional, one at a time), so
    the moderation figures can be published per candidate."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("member", "contest"), name="declaration_once"),
        )
