"""The officer's irreversible steps: what each will do, with the figures, and the
confirmation it needs.

Every step's form carries a ``confirm`` field: a ticked box (``yes``) for most, the typed
word for the final ones (closing the ballot, publishing the results), which cannot be
undone by anyone. A post without it is refused before the service runs, so nothing
changes. Turnout appears as a count only: nothing here says who has voted."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from omov.web.balloting.models import Credential, CredentialState
from omov.web.balloting.selectors import ballots_cast
from omov.web.contests.models import Contest, ContestState
from omov.web.electorate.models import Eligibility
from omov.web.nominations.selectors import nomination_standing
from omov.web.wording import when


class Step(StrEnum):
    NOMINATIONS_CLOSE = "nominations-close"
    ELECTORATE_FREEZE = "electorate-freeze"
    BALLOT_OPEN = "ballot-open"
    BALLOT_CLOSE = "ballot-close"
    RESULT_COUNT = "result-count"
    RESULT_PUBLISH = "result-publish"
    CREDENTIAL_REISSUE = "credential-reissue"
    MOTION_RECORD = "motion-record"
    RESIGNATION_RECORD = "resignation-record"
    DATE_SET = "date-set"
    CONTEST_ARCHIVE = "contest-archive"
    REMINDER_SEND = "reminder-send"


TYPED = {Step.BALLOT_CLOSE: "close", Step.RESULT_PUBLISH: "publish"}
"""The word the officer types to take a final step; the other steps take a ticked box."""

TICKED = "yes"


def confirmed(request: HttpRequest, step: Step) -> bool:
    given = request.POST.get("confirm", "").strip().casefold()
    return given == TYPED.get(step, TICKED)


def refusal(step: Step) -> str:
    """The message for a post without its confirmation (nothing was done)."""
    if step in TYPED:
        return f"Nothing was done: type “{TYPED[step]}” in the box to confirm this step."
    return "Nothing was done: tick the box to confirm this step."


@dataclass(frozen=True)
class Roll:
    """The electorate's figures the questions give: counts only, never who has voted."""

    on_roll: int
    eligible: int
    voted: int

    @classmethod
    def of(cls, counts: list[dict[str, Any]]) -> Roll:
        """From ``electorate.selectors.elector_counts``, which the dashboard reads anyway:
        no question counts the electors again (each count read every row)."""
        eligible = [r for r in counts if r["eligibility"] == Eligibility.ELIGIBLE]
        return cls(
            on_roll=sum(r["n"] for r in counts),
            eligible=sum(r["n"] for r in eligible),
            voted=sum(r["n"] for r in eligible if r["has_voted"]),
        )


def questions(contest: Contest, counts: list[dict[str, Any]]) -> dict[str, str]:
    """Each step of ``contest``'s current state, as the question its form asks, with the
    electorate's figures from ``counts`` (``elector_counts``)."""
    roll = Roll.of(counts)
    asks = {
        Step.NOMINATIONS_CLOSE: lambda: _nominations(contest),
        Step.ELECTORATE_FREEZE: lambda: _freeze(roll),
        Step.BALLOT_OPEN: lambda: _open(contest, roll.eligible),
        Step.BALLOT_CLOSE: lambda: _close(contest, roll),
        Step.RESULT_COUNT: lambda: _count(contest),
        Step.RESULT_PUBLISH: lambda: PUBLISH,
        Step.CREDENTIAL_REISSUE: lambda: REISSUE,
        Step.MOTION_RECORD: lambda: MOTION,
        Step.RESIGNATION_RECORD: lambda: RESIGNATION,
        Step.DATE_SET: lambda: DATE,
        Step.CONTEST_ARCHIVE: lambda: ARCHIVE,
        Step.REMINDER_SEND: lambda: _remind(roll),
    }
    wanted = STEPS_BY_STATE.get(contest.state, ())
    if not contest.archived and contest.state != ContestState.BALLOT_OPEN:
        wanted = (*wanted, Step.CONTEST_ARCHIVE)
    return {step.value.replace("-", "_"): asks[step]() for step in wanted}


PUBLISH = (
    "Publish the results now? Anyone can then read them and download the signed bundle; "
    "publishing cannot be undone."
)
REISSUE = "Yes: the code this elector holds stops working and a new one is sent"
ON_THE_RECORD = (
    "the rules engine decides what it does, citing the clause, and it stays on the contest's "
    "record: nothing can take it off."
)
MOTION = "Record this motion as voted? " + ON_THE_RECORD
RESIGNATION = "Record this resignation? " + ON_THE_RECORD
DATE = (
    "Set this date for the contest? The next roll import decides eligibility by it; "
    + ON_THE_RECORD
)
ARCHIVE = (
    "Archive this contest? It leaves the home page; its results, bundle and log stay at "
    "their addresses for anyone who has them. Archiving is logged and is not undone here."
)

STEPS_BY_STATE = {
    "nominations": (
        Step.NOMINATIONS_CLOSE,
        Step.MOTION_RECORD,
        Step.RESIGNATION_RECORD,
        Step.DATE_SET,
    ),
    "electorate": (Step.ELECTORATE_FREEZE, Step.DATE_SET),
    "frozen": (Step.BALLOT_OPEN, Step.CREDENTIAL_REISSUE),
    "ballot_open": (Step.BALLOT_CLOSE, Step.CREDENTIAL_REISSUE, Step.REMINDER_SEND),
    "ballot_closed": (Step.RESULT_COUNT,),
    "counted": (Step.RESULT_PUBLISH,),
}


def _nominations(contest: Contest) -> str:
    standing = [s for s in nomination_standing(contest=contest) if not s.withdrawn]
    placed = sum(s.qualifies for s in standing)
    return (
        f"Close nominations now? {placed:,} of {len(standing):,} candidates go on the ballot; "
        "no nomination can be recorded after this."
    )


def _freeze(roll: Roll) -> str:
    return (
        f"Freeze the electorate now? {roll.eligible:,} of {roll.on_roll:,} electors "
        "are eligible; no roll can be imported after this."
    )


def _open(contest: Contest, eligible: int) -> str:
    issued = Credential.objects.filter(
        elector__contest=contest, state=CredentialState.ISSUED
    ).count()
    return (
        f"Open the ballot now? {issued:,} voting codes are out to {eligible:,} eligible "
        f"electors; the timetable opens it at {when(contest.ballot_opens_at)}."
    )


def _close(contest: Contest, roll: Roll) -> str:
    early = timezone.now() < contest.ballot_closes_at
    return (
        f"Close the ballot now? {roll.voted:,} of {roll.eligible:,} have voted; the timetable "
        f"closes it at {when(contest.ballot_closes_at)}."
        + (" Closing early needs a reason, which is logged." if early else "")
    )


def _remind(roll: Roll) -> str:
    return (
        f"Email a reminder now to the {roll.eligible - roll.voted:,} of {roll.eligible:,} "
        "eligible electors who have not voted? They are chosen by the mailing itself: "
        "nobody is shown who they are."
    )


def _count(contest: Contest) -> str:
    return (
        f"Count now? {ballots_cast(contest=contest):,} ballots are counted under the rulebook's "
        "method; the count is recorded and cannot be redone."
    )
