"""Written hustings of a contest: members' questions and their support, the questions the
rules put, and each candidate's answers.

The schedule and the word limits are stored as the engine decided them when the hustings
opened, so every candidate is held to the same limit and deadline whatever the rulebook
says later; each answer keeps the limit and deadline it was given, which the published
page checks (equal time)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from omov.web.contests.models import Candidate, Contest
from omov.web.members.models import Member


class Phase(models.TextChoices):
    ASKING = "asking", "Questions open"
    CHOSEN = "chosen", "Questions chosen"


class Hustings(models.Model):
    contest = models.OneToOneField(Contest, on_delete=models.CASCADE, related_name="hustings")
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.ASKING)
    opens_at = models.DateTimeField()
    questions_close_at = models.DateTimeField()
    answers_due_at = models.DateTimeField()
    question_words = models.PositiveIntegerField()
    answer_words = models.PositiveIntegerField()
    citation = models.CharField(max_length=300)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name_plural = "hustings"

    def __str__(self) -> str:
        return f"Hustings of {self.contest}"


class Question(models.Model):
    hustings = models.ForeignKey(Hustings, on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveIntegerField()
    asker = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    group = models.CharField(
        max_length=100, help_text="The asker's section, or unit of the rules' kind, when asked."
    )
    text = models.TextField()
    asked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("number",)
        constraints = (
            models.UniqueConstraint(fields=("hustings", "number"), name="question_number_once"),
        )

    def __str__(self) -> str:
        return f"Question {self.number}"


class Support(models.Model):
    """One member's support for one question: the unique constraint is what makes it one
    member, one vote, however many requests arrive at once."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="supports")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("question", "member"), name="support_once"),)

    def __str__(self) -> str:
        return f"Support for question {self.question_id}"


class Chosen(models.Model):
    """A question the rules put to every candidate, with the engine's reason."""

    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="chosen")
    position = models.PositiveSmallIntegerField()
    support = models.PositiveIntegerField(help_text="Its support when it was chosen.")
    explanation = models.TextField()
    arithmetic = models.CharField(max_length=300)
    citation = models.CharField(max_length=300)

    class Meta:
        ordering = ("position",)

    def __str__(self) -> str:
        return f"Chosen {self.position}: question {self.question_id}"


class CandidateMember(models.Model):
    """The member a candidate is: they sign in as that member to answer."""

    candidate = models.OneToOneField(
        Candidate, on_delete=models.CASCADE, related_name="hustings_member"
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.candidate} is member {self.member_id}"


class Answer(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    words = models.PositiveIntegerField()
    word_limit = models.PositiveIntegerField(help_text="The limit it was given.")
    due_at = models.DateTimeField(help_text="The deadline it was given.")
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("question", "candidate"), name="answer_once"),
        )

    def __str__(self) -> str:
        return f"{self.candidate}'s answer to question {self.question_id}"
