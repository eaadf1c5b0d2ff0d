"""House rules of members' discussion under the shipped rulebooks: the numbered grounds, what
a moderator's step decides, the posting limits and the suppression of small figures."""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib import resources

import pytest

from omov.rules import DecisionKind as K
from omov.rules import EventsError, load_rulebook, parse_rulebook
from omov.rules.errors import RulebookError
from omov.rules.house_rules import (
    appeal_refusal,
    author_shown,
    ground_label,
    hide_decision,
    hold_decision,
    house_rule,
    posting_refusal,
    published,
    registration_review,
    suspension_decision,
)

LABOUR_2018 = load_rulebook("labour/2018")
GROUNDS = ["discrimination", "doxxing", "abuse", "spam", "campaigning"]


@pytest.mark.parametrize("edition", ["labour/2010", "labour/2015", "labour/2016", "labour/2018"])
def test_every_labour_edition_numbers_the_five_grounds_with_a_statement_and_clause(edition):
    book = load_rulebook(edition)
    assert book.house_rules is not None
    rules = book.house_rules.rules
    assert [r.code for r in rules] == GROUNDS
    assert [r.number for r in rules] == [1, 2, 3, 4, 5]
    assert all(r.statement.endswith(".") and r.citation for r in rules)


def test_a_hidden_post_names_its_rule_by_number_and_name_with_the_clause():
    decision = hide_decision(LABOUR_2018, "abuse")
    assert decision.kind is K.HIDDEN
    assert decision.summary == "Hidden by a moderator: rule 3, personal abuse"
    assert decision.citation.startswith("Ch2 Cl I.8")
    assert (
        house_rule(LABOUR_2018, 3)
        == house_rule(LABOUR_2018, "3")
        == house_rule(LABOUR_2018, "abuse")
    )
    campaigning = ground_label(house_rule(LABOUR_2018, 5))
    assert campaigning == "rule 5, campaigning outside the allowed period"
    assert hold_decision(LABOUR_2018, 4).kind is K.HELD


def test_a_ground_the_rulebook_lacks_is_refused_naming_the_known_ones():
    with pytest.raises(EventsError, match=r"'rudeness' is not a house rule .* 3 \(abuse\)"):
        hide_decision(LABOUR_2018, "rudeness")
    with pytest.raises(EventsError, match="no house rules"):
        hide_decision(load_rulebook("conservative/2019"), 3)


def test_a_suspension_is_bounded_and_needs_a_second_moderator():
    ok = suspension_decision(LABOUR_2018, "abuse", days=30)
    assert ok.kind is K.SUSPENDED
    assert ok.summary == "Suspended from discussion for 30 days: rule 3, personal abuse"
    assert "second moderator" in ok.explanation
    assert suspension_decision(LABOUR_2018, "abuse", days=366).kind is K.REFUSED
    assert suspension_decision(LABOUR_2018, "abuse", days=0).kind is K.REFUSED


def test_an_appeal_after_the_days_allowed_is_refused():
    decided = dt.datetime(2026, 8, 1, 12, tzinfo=dt.UTC)
    in_time = decided + dt.timedelta(days=14)
    assert appeal_refusal(LABOUR_2018, decided_at=decided, now=in_time) is None
    late = appeal_refusal(LABOUR_2018, decided_at=decided, now=in_time + dt.timedelta(days=1))
    assert late is not None
    assert late.summary == "The 14 days to appeal ended at 12:00 on 15 August 2026"


def test_posting_limits_are_per_minute_and_per_hour():
    assert posting_refusal(LABOUR_2018, last_minute=4, last_hour=59) is None
    minute = posting_refusal(LABOUR_2018, last_minute=5, last_hour=5)
    hour = posting_refusal(LABOUR_2018, last_minute=0, last_hour=60)
    assert minute is not None
    assert "5 a minute" in minute.summary
    assert hour is not None
    assert "60 an hour" in hour.summary


def test_a_matching_registration_is_held_for_review_never_refused():
    decision = registration_review(LABOUR_2018, 3)
    assert decision.kind is K.REVIEW
    assert "not refused" in decision.explanation
    assert "appealed" in decision.explanation


def test_small_cells_are_suppressed_and_empty_ones_stay_zero():
    figures = published(LABOUR_2018, {"abuse": 12, "spam": 3, "doxxing": 0, "other": 10})
    assert figures == {"abuse": 12, "spam": None, "doxxing": 0, "other": 10}


def test_a_post_shows_neither_real_name_nor_unit_unless_the_rulebook_says():
    assert author_shown(LABOUR_2018) == (False, False)


def _labour_2018_with(**changes: object) -> dict[str, object]:
    data = tomllib.loads(
        resources.files("omov.rules.rulebooks").joinpath("labour/2018.toml").read_text()
    )
    data["house_rules"] = {**data["house_rules"], **changes}
    return data


def test_rules_numbered_twice_or_out_of_order_are_refused():
    data = _labour_2018_with()
    rules = data["house_rules"]["rules"]  # type: ignore[index]
    data["house_rules"]["rules"] = [rules[1], rules[0], *rules[2:]]  # type: ignore[index]
    with pytest.raises(RulebookError, match="numbered once each, in order"):
        parse_rulebook(data)


def test_a_rulebook_may_show_the_unit():
    book = parse_rulebook(_labour_2018_with(show_unit=True))
    assert author_shown(book) == (False, True)
