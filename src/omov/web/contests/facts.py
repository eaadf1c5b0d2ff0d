"""A loaded rulebook's facts, typed and versioned: what the web flow reads of the rules it
was opened under (stored as JSON with the rulebook row, read back through this model).

Version 1 is what omov has stored since the count setup and text were kept; keys stored
later (channels) have the schema's defaults, and keys a contest's row never had (the
trustees) are ``None``, for the reader to apply its documented default."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.utils.translation import gettext
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from omov.web.errors import ContestError

VERSION: Literal[1] = 1


class CountFacts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    method: str
    seats: int = Field(ge=1)
    options: dict[str, Any]
    """``CountOptions.as_record()``; read back by ``CountOptions.from_record``."""


class RulebookDecision(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    decision: str
    citation: str


class RulebookFacts(BaseModel):
    """The facts of one loaded edition (``Rulebook.facts``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1] = VERSION
    key: str
    organisation: str
    title: str
    method: str
    seats: int = Field(ge=1)
    count: CountFacts | None = None
    """None only for a row stored before the count setup was kept (refused at count)."""
    text: str | None = None
    """The TOML as loaded; None only for such an old row."""
    sections: list[str]
    section_names: dict[str, str]
    nomination_rule: str
    nominating_body: str
    body_size: int = Field(ge=0)
    nomination_fraction: str
    nomination_count: int = Field(ge=0)
    rounding: str
    incumbent_automatic: bool
    freeze_date: dt.date | None
    postal_precedence: str
    channels: list[str] = ["online", "postal"]
    channels_citation: str = ""
    trackers: str
    min_section: int | None = None
    checkpoint_min_ballots: int | None = None
    trustees: int | None = None
    decryption_threshold: int | None = None
    decisions: list[RulebookDecision] = []

    @classmethod
    def read(cls, stored: dict[str, Any]) -> RulebookFacts:
        """The stored JSON, checked; a ``ContestError`` if it is not facts omov wrote."""
        try:
            return cls.model_validate(stored)
        except ValidationError as error:
            key = stored.get("key", "?") if isinstance(stored, dict) else "?"
            raise ContestError(
                gettext("the stored facts of rulebook %(key)s cannot be read: %(error)s")
                % {"key": key, "error": error}
            ) from None

    def as_record(self) -> dict[str, Any]:
        """JSON for the rulebook row; ``read`` is its inverse."""
        return self.model_dump(mode="json")
