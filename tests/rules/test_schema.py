"""A bad rulebook fails validation with the key path and a message an officer understands."""

from __future__ import annotations

import copy
import re
from datetime import date
from fractions import Fraction

import pytest

from omov.count import METHODS
from omov.rules import (
    EligibilityCriteria,
    RulebookError,
    count_setup,
    known_methods,
    load_rulebook,
    parse_rulebook,
    shipped_rulebooks,
)
from omov.rules.values import parse_fraction

GOOD = {
    "schema_version": 1,
    "organisation": "example",
    "organisation_name": "Example Party",
    "edition": "2024",
    "title": "Example rules",
    "citation": "Rules 2024",
    "offices": {"leader": {"name": "Leader", "citation": "Rule 1"}},
    "bodies": {"mps": {"name": "MPs", "size": 100, "citation": "Rule 2"}},
    "triggers": [
        {"kind": "vacancy", "office": "leader", "nominations": "vacancy", "citation": "Rule 3"}
    ],
    "nominations": {
        "vacancy": {
            "citation": "Rule 4",
            "requirements": [{"bodies": ["mps"], "fraction": "15%", "citation": "Rule 4.1"}],
        }
    },
    "sections": {
        "members": {
            "name": "Members",
            "citation": "Rule 5",
            "eligibility": {"joined_on_or_before": "2024-01-01", "citation": "Rule 5.1"},
        }
    },
    "voting": {"method": "irv", "voters": ["members"], "citation": "Rule 6"},
}


def broken(change) -> str:
    data = copy.deepcopy(GOOD)
    change(data)
    with pytest.raises(RulebookError) as caught:
        parse_rulebook(data, label="bad.toml")
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_the_good_example_is_valid():
    book = parse_rulebook(copy.deepcopy(GOOD))
    assert book.id == "example/2024"
    assert book.nominations["vacancy"].requirements[0].fraction == Fraction(15, 100)


def test_unknown_key_names_its_path():
    message = broken(lambda d: d["nominations"]["vacancy"]["requirements"][0].update(fractoin="1%"))
    assert message == "bad.toml: nominations.vacancy.requirements[0].fractoin: unknown key"


def test_threshold_over_100_percent():
    message = broken(
        lambda d: d["nominations"]["vacancy"]["requirements"][0].update(fraction="120%")
    )
    assert message == "bad.toml: nominations.vacancy.requirements[0].fraction: 120% is over 100%"


def test_window_that_ends_before_it_starts():
    def swap(d):
        d["sections"]["members"]["eligibility"].update(
            application_window_start="2016-07-20T17:00:00",
            application_window_end="2016-07-18T17:00:00",
        )

    assert broken(swap) == (
        "bad.toml: sections.members.eligibility: application window ends (2016-07-18 17:00) "
        "before it starts (2016-07-20 17:00)"
    )

    def nominations_window(d):
        d["nominations"]["vacancy"]["window"] = {
            "opens": "2024-06-10T12:00:00",
            "closes": "2024-06-01T12:00:00",
        }

    assert "nominations.vacancy.window: window closes (2024-06-01 12:00) before it opens" in (
        broken(nominations_window)
    )


def test_method_the_count_core_does_not_know():
    message = broken(lambda d: d["voting"].update(method="borda"))
    assert message.startswith(
        "bad.toml: voting.method: the count core has no method 'borda'; known: "
    )
    assert "scottish-stv" in message


def test_postal_precedence_is_first_received_and_nothing_needing_a_ballot_link():
    assert parse_rulebook(copy.deepcopy(GOOD), label="ok.toml").voting.postal_precedence == (
        "first-received"
    )
    message = broken(lambda d: d["voting"].update(postal_precedence="latest-received"))
    assert message.startswith("bad.toml: voting.postal_precedence:")


def test_tracker_mode_and_minimum_section_size_come_from_the_rulebook():
    voting = parse_rulebook(copy.deepcopy(GOOD), label="ok.toml").voting
    assert (voting.trackers, voting.min_section_ballots) == ("inclusion", 10)
    content = copy.deepcopy(GOOD)
    content["voting"].update(trackers="content", min_section_ballots=25)
    voting = parse_rulebook(content, label="ok.toml").voting
    assert (voting.trackers, voting.min_section_ballots) == ("content", 25)
    assert broken(lambda d: d["voting"].update(trackers="public")).startswith(
        "bad.toml: voting.trackers:"
    )


def test_trustees_threshold_and_checkpoint_batch_come_from_the_rulebook():
    voting = parse_rulebook(copy.deepcopy(GOOD), label="ok.toml").voting
    assert (voting.trustees, voting.decryption_threshold, voting.checkpoint_min_ballots) == (
        3,
        2,
        100,
    )
    five = copy.deepcopy(GOOD)
    five["voting"].update(trustees=5, decryption_threshold=3, checkpoint_min_ballots=500)
    voting = parse_rulebook(five, label="ok.toml").voting
    assert (voting.trustees, voting.decryption_threshold, voting.checkpoint_min_ballots) == (
        5,
        3,
        500,
    )
    assert broken(lambda d: d["voting"].update(trustees=3, decryption_threshold=4)) == (
        "bad.toml: voting: decryption_threshold 4 is more than the 3 trustees"
    )
    assert broken(lambda d: d["voting"].update(trustees=1)).startswith("bad.toml: voting.trustees:")


def test_every_registered_count_method_is_accepted():
    assert set(METHODS) == known_methods()
    for method in sorted(set(METHODS) - {"college"}):
        data = copy.deepcopy(GOOD)
        data["voting"]["method"] = method
        assert parse_rulebook(data).voting.method == method


def test_missing_citation_and_unknown_body():
    assert broken(lambda d: d["offices"]["leader"].pop("citation")) == (
        "bad.toml: offices.leader.citation: missing (required)"
    )
    message = broken(
        lambda d: d["nominations"]["vacancy"]["requirements"][0].update(bodies=["plp"])
    )
    assert message == (
        "bad.toml: nominations.vacancy.requirements[0].bodies: 'plp' is not defined (known: mps)"
    )


def test_threshold_needs_a_fraction_or_a_count_and_a_body_size():
    message = broken(lambda d: d["nominations"]["vacancy"]["requirements"][0].pop("fraction"))
    assert message.endswith("requirements[0]: give a fraction (e.g. '20%') or a count")
    message = broken(lambda d: d["bodies"]["mps"].pop("size"))
    assert "a fraction of a body needs the body's size" in message


def test_college_weights_must_add_up():
    def college(d):
        d["voting"].update(method="college", college_weights={"members": "1/2"})

    assert broken(college) == (
        "bad.toml: voting: an electoral college needs college_weights adding up to 100%"
    )


def test_schema_version_and_bad_toml_and_unknown_ids(tmp_path):
    assert broken(lambda d: d.update(schema_version=2)) == (
        "bad.toml: schema_version: this omov reads schema_version = 1"
    )
    bad = tmp_path / "bad.toml"
    bad.write_text("schema_version = \n", encoding="utf-8")
    with pytest.raises(RulebookError, match=r"^bad\.toml: not valid TOML: "):
        load_rulebook(bad)
    with pytest.raises(
        RulebookError, match=re.escape("no rulebook file or shipped rulebook 'labour/1900'")
    ):
        load_rulebook("labour/1900")


def test_fractions_are_exact():
    assert parse_fraction("12.5%") == Fraction(1, 8)
    assert parse_fraction("1/3") == Fraction(1, 3)
    assert parse_fraction(0.15) == Fraction(3, 20)
    with pytest.raises(ValueError, match="is below 0%"):
        parse_fraction("-1%")
    with pytest.raises(ValueError, match="not a fraction"):
        parse_fraction("lots")


def test_eligibility_criteria_is_a_stable_model_for_the_electorate():
    fields = set(EligibilityCriteria.model_fields)
    assert {
        "joined_on_or_before",
        "continuous_membership",
        "application_window_start",
        "application_window_end",
        "fee",
        "minimum_age",
        "electoral_register_required",
        "affiliated_supporter_deadline",
        "good_standing_required",
        "max_arrears",
        "exclude_suspended",
        "citation",
    } <= fields
    criteria = load_rulebook("labour/2016").sections["affiliated-supporters"].eligibility
    assert criteria.affiliate_member_on_or_before == date(2016, 1, 12)
    assert criteria.affiliated_supporter_deadline.isoformat() == "2016-08-08T12:00:00+01:00"


def test_shipped_rulebooks_all_load_and_map_onto_the_count_core():
    shipped = shipped_rulebooks()
    assert len(shipped) == 12
    for name in shipped:
        book = load_rulebook(name)
        assert book.id == name
        if book.voting is not None:
            method, seats, _ = count_setup(book)
            assert method in known_methods()
            assert seats == 1
