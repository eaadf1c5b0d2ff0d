"""Written hustings under the Labour rulebooks: the schedule, who may take part, the word
limits, which questions are chosen (the most supported, each section owed its share), and
equal time for the answers. Bad ``[hustings]`` tables are refused with their key."""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from omov.rules import DecisionKind as K
from omov.rules import load_rulebook, parse_rulebook
from omov.rules.errors import EventsError, RulebookError
from omov.rules.hustings.choosing import QuestionFacts, choose_questions
from omov.rules.hustings.equal_time import AnswerFacts, equal_time
from omov.rules.hustings.timing import (
    Schedule,
    answer_refusal,
    hustings_schedule,
    question_refusal,
    taking_part_refusal,
)
from omov.rules.loading import _read

LABOUR_2016 = load_rulebook("labour/2016")
LONDON = ZoneInfo("Europe/London")
NOON = datetime(2016, 7, 21, 12, tzinfo=LONDON)
CLOSE = datetime(2016, 9, 21, 12, tzinfo=LONDON)
DAY = timedelta(days=1)


def schedule() -> Schedule:
    found = hustings_schedule(LABOUR_2016, at=NOON, campaign_opens=NOON - DAY, ballot_closes=CLOSE)
    assert found.schedule is not None
    return found.schedule


@pytest.mark.parametrize("edition", ["2010", "2015", "2016", "2018"])
def test_every_labour_edition_has_hustings_with_citations(edition: str) -> None:
    rules = load_rulebook(f"labour/{edition}").hustings
    assert rules is not None
    assert (rules.question_words, rules.answer_words) == (75, 250)
    assert (rules.choice.questions, rules.choice.reserved()) == (6, 1)
    assert "NEC procedural guidelines" in rules.citation


def test_hustings_opened_in_the_campaign_give_a_week_to_ask_and_a_week_to_answer() -> None:
    found = hustings_schedule(LABOUR_2016, at=NOON, campaign_opens=NOON - DAY, ballot_closes=CLOSE)
    assert found.schedule == Schedule(NOON, NOON + 7 * DAY, NOON + 14 * DAY)
    assert found.decision.kind is K.HUSTINGS_SCHEDULED
    assert found.decision.arithmetic == (
        "opened 12:00 on 21 July 2016 (BST); questions close 7 days after opening, at 12:00 on "
        "28 July 2016 (BST); answers due 7 days after that, at 12:00 on 4 August 2016 (BST)"
    )
    assert found.decision.citation.startswith("NEC procedural guidelines 2016")


def test_late_hustings_shorten_the_time_to_ask_never_the_time_to_answer() -> None:
    at = CLOSE - 10 * DAY
    found = hustings_schedule(LABOUR_2016, at=at, campaign_opens=NOON, ballot_closes=CLOSE)
    assert found.schedule == Schedule(at, CLOSE - 7 * DAY, CLOSE)
    assert "7 days before the ballot closes" in found.decision.arithmetic


@pytest.mark.parametrize(
    ("opens", "at", "why"),
    [
        (None, NOON, "Nominations are still open"),
        (NOON + DAY, NOON, "Nominations are still open"),
        (NOON, CLOSE, "The ballot has closed"),
        (NOON, CLOSE - 7 * DAY, "too little of the campaign is left"),
    ],
)
def test_hustings_cannot_open_outside_the_campaign(
    opens: datetime | None, at: datetime, why: str
) -> None:
    found = hustings_schedule(LABOUR_2016, at=at, campaign_opens=opens, ballot_closes=CLOSE)
    assert found.schedule is None
    assert found.decision.kind is K.REFUSED
    assert why in found.decision.explanation


def test_only_active_members_of_the_voting_sections_take_part() -> None:
    assert taking_part_refusal(LABOUR_2016, standing="active", section="members") is None
    lapsed = taking_part_refusal(LABOUR_2016, standing="lapsed", section="members")
    assert lapsed is not None
    assert lapsed.summary == ("A member whose membership is lapsed cannot take part")
    outsider = taking_part_refusal(LABOUR_2016, standing="active", section="mps-meps")
    assert outsider is not None
    assert "Registered supporters" in outsider.explanation


def test_a_question_over_75_words_or_after_the_close_is_refused() -> None:
    plan = schedule()
    assert question_refusal(LABOUR_2016, text="word " * 75, at=NOON, schedule=plan) is None
    long = question_refusal(LABOUR_2016, text="word " * 76, at=NOON, schedule=plan)
    assert long is not None
    assert long.summary == "The question has 76 words; at most 75"
    late = question_refusal(LABOUR_2016, text="Why?", at=plan.questions_close, schedule=plan)
    assert late is not None
    assert late.summary == "Questions are closed"
    empty = question_refusal(LABOUR_2016, text="  ", at=NOON, schedule=plan)
    assert empty is not None
    assert empty.summary == "The question is empty"


def test_an_answer_over_the_limit_late_or_early_is_refused() -> None:
    plan = schedule()
    at = plan.questions_close + DAY
    assert answer_refusal(LABOUR_2016, text="word " * 250, at=at, schedule=plan) is None
    long = answer_refusal(LABOUR_2016, text="word " * 251, at=at, schedule=plan)
    assert long is not None
    assert long.summary == "The answer has 251 words; at most 250"
    assert long.arithmetic == "251 > 250"
    late = answer_refusal(LABOUR_2016, text="Yes.", at=plan.answers_due + DAY, schedule=plan)
    assert late is not None
    assert late.summary == "The deadline for answers has passed"
    early = answer_refusal(LABOUR_2016, text="Yes.", at=NOON, schedule=plan)
    assert early is not None
    assert early.summary == "The questions are not chosen yet"


def asked(number: int, group: str, support: int, minutes: int = 0) -> QuestionFacts:
    return QuestionFacts(number, group, support, NOON + timedelta(minutes=minutes or number))


def test_the_six_most_supported_are_chosen_when_every_section_is_among_them() -> None:
    questions = [
        asked(n, ("members", "registered-supporters", "affiliated-supporters")[n % 3], 50 - n)
        for n in range(1, 10)
    ]
    choice = choose_questions(LABOUR_2016, questions)
    assert choice.chosen == (1, 2, 3, 4, 5, 6)
    first = choice.decisions[0]
    assert first.kind is K.QUESTION_CHOSEN
    assert first.arithmetic == "49 members support it: the most supported of 9"
    assert first.explanation == "Among the 6 most supported questions."


def test_a_section_outvoted_still_has_its_best_question_put() -> None:
    """Members' questions are the most supported; the affiliated supporters' best, far
    behind, is still put, in place of the sixth members' question."""
    members = [asked(n, "members", 100 - n) for n in range(1, 8)]
    affiliates = [asked(20, "affiliated-supporters", 3), asked(21, "affiliated-supporters", 2)]
    choice = choose_questions(LABOUR_2016, [*affiliates, *members])
    assert choice.chosen == (1, 2, 3, 4, 5, 20)
    owed = choice.decisions[-1]
    assert owed.subject == "20"
    assert owed.arithmetic == "3 members support it: the 8th most supported of 9"
    assert owed.explanation == (
        "Among the most supported questions from Affiliated supporters: each section is owed "
        "at least 16.6667% of the 6 questions (1)."
    )


def test_ties_go_to_the_question_asked_first_and_fewer_questions_are_all_put() -> None:
    questions = [asked(7, "members", 2, minutes=30), asked(3, "members", 2, minutes=40)]
    assert choose_questions(LABOUR_2016, questions).chosen == (7, 3)
    assert choose_questions(LABOUR_2016, []).chosen == ()


def test_equal_time_holds_for_the_same_limit_and_deadline_and_fails_otherwise() -> None:
    plan = schedule()
    at = plan.questions_close + DAY

    def answer(name: str, words: int = 100, *, limit: int = 250, due: datetime | None = None):
        return AnswerFacts(name, words, limit, due or plan.answers_due, at)

    names = ["Jeremy Corbyn", "Owen Smith"]
    both = equal_time(
        LABOUR_2016, schedule=plan, candidates=names, answers=[answer(n) for n in names], at=at
    )
    assert both.ok
    assert both.message == (
        "Equal time: every candidate answered within the same limit "
        "(250 words, by 12:00 on 4 August 2016 (BST))."
    )
    one = [answer("Owen Smith")]
    after = equal_time(
        LABOUR_2016, schedule=plan, candidates=names, answers=one, at=plan.answers_due + DAY
    )
    assert after.ok
    assert after.message.endswith("Jeremy Corbyn did not answer.")
    longer = [answer("Owen Smith", 300, limit=300)]
    unequal = equal_time(LABOUR_2016, schedule=plan, candidates=names, answers=longer, at=at)
    assert not unequal.ok
    assert "Owen Smith was given a different word limit or deadline" in unequal.message
    over = equal_time(
        LABOUR_2016, schedule=plan, candidates=names, answers=[answer("Owen Smith", 251)], at=at
    )
    assert not over.ok
    assert "over the limit (251 words)" in over.message


def _with(**changes: object) -> dict[str, object]:
    data = tomllib.loads(_read("labour/2016")[1])
    data["hustings"] = {**data["hustings"], **changes}
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"choice": {"questions": 6, "minimum_share": "40%", "citation": "x"}},
            "3 sections at 40% each",
        ),
        ({"choice": {"questions": 6, "grouped_by": "unit", "citation": "x"}}, "give unit_kind"),
        (
            {
                "choice": {
                    "questions": 6,
                    "grouped_by": "unit",
                    "unit_kind": "region",
                    "citation": "x",
                }
            },
            "hustings.choice.unit_kind: 'region' is not defined",
        ),
        ({"answer_words": 0}, "hustings.answer_words"),
        ({"surprise": 1}, "hustings.surprise: unknown key"),
    ],
)
def test_bad_hustings_tables_are_refused_with_their_key(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(RulebookError, match=message):
        parse_rulebook(_with(**changes))


def test_regions_are_units_of_a_kind_the_rulebook_names() -> None:
    choice = {
        "questions": 4,
        "minimum_share": "25%",
        "grouped_by": "unit",
        "unit_kind": "clp",
        "citation": "x",
    }
    book = parse_rulebook(_with(choice=choice))
    questions = [
        asked(1, "N1", 9),
        asked(2, "N1", 8),
        asked(3, "N1", 7),
        asked(4, "N1", 6),
        asked(5, "S2", 1),
    ]
    choice_made = choose_questions(book, questions, names={"S2": "Islington South CLP"})
    assert choice_made.chosen == (1, 2, 3, 5)
    assert "from Islington South CLP: each region is owed" in choice_made.decisions[-1].explanation


def test_a_rulebook_without_hustings_says_so() -> None:
    with pytest.raises(EventsError, match="conservative/2016 has no rules for hustings"):
        question_refusal(
            load_rulebook("conservative/2016"), text="Why?", at=NOON, schedule=schedule()
        )
