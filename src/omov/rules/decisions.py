"""What the engine answers: decisions, each with its clause and a plain explanation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class DecisionKind(StrEnum):
    CONTEST_TRIGGERED = "contest-triggered"
    NOT_TRIGGERED = "not-triggered"
    NO_STANDING = "no-standing"
    THRESHOLD = "threshold"
    QUALIFIED = "qualified"
    NOT_QUALIFIED = "not-qualified"
    NOMINATION_VOID = "nomination-void"
    LATE = "late"
    INVALID_CANDIDACY = "invalid-candidacy"
    WITHDRAWN = "withdrawn"
    ON_BALLOT = "on-ballot"
    NOT_ON_BALLOT = "not-on-ballot"
    BALLOT = "ballot"
    ELIMINATED = "eliminated"
    FINALISTS = "finalists"
    ELECTED = "elected"
    NOMINATIONS_REOPEN = "nominations-reopen"
    MILESTONE = "milestone"
    DATE_SET = "date-set"
    BODY_SIZE = "body-size"
    BALLOT_VALID = "ballot-valid"
    BALLOT_FAILS = "ballot-fails"
    # Local party democracy (omov.rules.local)
    NOTICE = "notice"
    QUORUM = "quorum"
    MOTION_FALLS = "motion-falls"
    MOTION_CARRIED = "motion-carried"
    MOTION_LOST = "motion-lost"
    COUNTS_TOWARD = "counts-toward"
    THRESHOLD_REACHED = "threshold-reached"
    OPEN_SELECTION = "open-selection"
    RESELECTED = "reselected"
    REFUSED = "refused"
    # Discussion and its house rules (omov.rules.house_rules)
    HIDDEN = "hidden"
    HELD = "held"
    SUSPENDED = "suspended"
    REVIEW = "review"
    # Written hustings (omov.rules.hustings)
    HUSTINGS_SCHEDULED = "hustings-scheduled"
    QUESTION_CHOSEN = "question-chosen"
    EQUAL_TIME = "equal-time"


@dataclass(frozen=True)
class Decision:
    kind: DecisionKind
    summary: str
    """One line: what was decided."""
    explanation: str
    """Why, in plain language."""
    citation: str
    arithmetic: str = ""
    """The sums behind a number, e.g. '20% of 251 = 50.2, rounded up to 51'."""
    subject: str = ""
    """The candidate, body or milestone it is about."""
    at: datetime | None = None

    def as_record(self) -> dict[str, Any]:
        """Plain JSON-ready values, for the ledger and the CLI's JSON output."""
        return {
            "kind": self.kind.value,
            "summary": self.summary,
            "explanation": self.explanation,
            "citation": self.citation,
            "arithmetic": self.arithmetic,
            "subject": self.subject,
            "at": self.at.isoformat() if self.at else None,
        }
