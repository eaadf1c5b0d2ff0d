"""Written hustings as rulebook data (``[hustings]``): the schedule, the word limits, who
may take part, and how the questions put to the candidates are chosen."""

from __future__ import annotations

from enum import StrEnum
from fractions import Fraction

from pydantic import Field, model_validator

from omov.rules.local.schema import Standing
from omov.rules.values import Citation, Model, Percent

Slug = str


class GroupedBy(StrEnum):
    """What a question's minimum share is counted in: the asker's section of the electorate
    (members, registered supporters...) or their unit of one kind (a region)."""

    SECTION = "section"
    UNIT = "unit"


class QuestionChoice(Model):
    """How the questions put to the candidates are chosen: the most supported, after each
    group (section or region) has its minimum share of them."""

    questions: int = Field(ge=1)
    """How many questions every candidate answers."""
    minimum_share: Percent = Fraction(0)
    """Each group that asked anything has at least this share of the chosen questions
    (rounded down), its most supported first, if it asked that many."""
    grouped_by: GroupedBy = GroupedBy.SECTION
    unit_kind: Slug | None = None
    """For ``grouped_by = "unit"``: the kind of unit (a key of ``[local.units]``) whose
    units are the groups."""
    citation: Citation

    @model_validator(mode="after")
    def _unit_kind_for_units(self) -> QuestionChoice:
        if (self.grouped_by is GroupedBy.UNIT) != (self.unit_kind is not None):
            raise ValueError('give unit_kind when, and only when, grouped_by = "unit"')
        return self

    def reserved(self) -> int:
        """The chosen questions each group is owed at least."""
        return int(self.minimum_share * self.questions)


class Hustings(Model):
    """Written hustings in the campaign period: the same questions to every candidate,
    answered under the same word limit by the same deadline."""

    question_days: int = Field(ge=1)
    """Days members have to ask and support questions, from the hustings' opening."""
    answer_days: int = Field(ge=1)
    """Days every candidate has to answer, from the close of questions."""
    schedule_citation: Citation
    question_words: int = Field(ge=1)
    answer_words: int = Field(ge=1)
    words_citation: Citation
    may_take_part: list[Standing] = Field(default_factory=lambda: list[Standing](["active"]))
    """Membership standings whose holders may ask and support questions (in a section that
    votes in the contest)."""
    standing_citation: Citation
    choice: QuestionChoice
    citation: Citation
