"""What signing and the officer's steps refuse, as messages a person can act on."""

from __future__ import annotations

from omov.rules.decisions import Decision
from omov.web.errors import ContestError


class PetitionError(ContestError):
    """A request the petition's rules or state do not allow."""


class AlreadySignedError(PetitionError):
    """This person has signed this petition already (found by the unique index)."""

    def __init__(self) -> None:
        super().__init__("You have already signed this petition. Each person signs once.")


class SigningRefusedError(PetitionError):
    """The rules do not let this person sign: the engine's decision, with its clause."""

    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        super().__init__(f"{decision.summary}. {decision.explanation} ({decision.citation})")
