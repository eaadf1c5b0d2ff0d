"""The 2016-shaped synthetic electorate: figures add up and equal the generator's truth."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest

from omov.electorate.eligibility import Assessment, assess
from omov.electorate.reports import exclusion_table, freeze_snapshot
from omov.electorate.synthetic import SyntheticElectorate, generate


@pytest.fixture(scope="module")
def electorate() -> SyntheticElectorate:
    return generate(seed=2016)


@pytest.fixture(scope="module")
def assessment(electorate: SyntheticElectorate) -> Assessment:
    return assess(electorate.rolls, electorate.criteria, vetting=electorate.vetting)


def _figure(table: pl.DataFrame, reason: str, column: str) -> int:
    return int(table.filter(pl.col("reason") == reason)[column].item())


def test_shape_follows_the_published_2016_figures(electorate: SyntheticElectorate) -> None:
    sizes = {section: frame.height for section, frame in electorate.rolls.items()}
    assert sizes == {
        "members": 388_407 + 130_000,
        "registered-supporters": 183_541,
        "affiliated-supporters": 70_000,
    }


def test_every_record_gets_the_outcome_it_was_designed_with(
    electorate: SyntheticElectorate, assessment: Assessment
) -> None:
    got = assessment.records.select("section", "record_id", "reason", "decision", "duplicate_of")
    compared = got.join(electorate.truth, on=["section", "record_id"], how="full", suffix="_truth")
    assert compared.height == got.height == electorate.truth.height
    for column in ("reason", "decision", "duplicate_of"):
        differ = compared.filter(pl.col(column).ne_missing(pl.col(f"{column}_truth")))
        assert differ.height == 0, differ.head(5)


def test_exclusion_figures_add_up_and_equal_the_truth(
    electorate: SyntheticElectorate, assessment: Assessment
) -> None:
    table = exclusion_table(assessment)
    sections = list(electorate.criteria.names)
    body = table.filter(pl.col("reason") != "total")
    for section in sections:
        assert body[section].sum() == electorate.rolls[section].height
    assert (body.select(pl.sum_horizontal(sections)).to_series() == body["total"]).all()
    truth = electorate.truth.with_columns(pl.col("reason").fill_null("eligible"))
    for (section, reason), count in (
        truth.group_by("section", "reason")
        .len()
        .rows_by_key(["section", "reason"], unique=True)
        .items()
    ):
        assert _figure(table, reason, section) == count[0], (section, reason)


def test_the_published_exclusions_appear_as_published(assessment: Assessment) -> None:
    table = exclusion_table(assessment)
    assert _figure(table, "not_on_register", "registered-supporters") == 21_102
    assert _figure(table, "payment_failed", "registered-supporters") == 3_791
    assert _figure(table, "excluded_by_vetting", "total") == 3_107
    assert _figure(table, "joined_after_freeze", "members") == 130_000


def test_affiliates_who_joined_their_union_after_the_freeze_are_excluded(
    electorate: SyntheticElectorate, assessment: Assessment
) -> None:
    """Invented: 700 joined their union after 12 January 2016, 2,000 have no date reported
    (and, reported nothing against them, keep their vote unless excluded on another ground)."""
    table = exclusion_table(assessment)
    assert _figure(table, "joined_affiliate_after_freeze", "affiliated-supporters") == 700
    roll = electorate.rolls["affiliated-supporters"]
    assert roll["affiliate_join_date"].null_count() == 2_000
    assert roll.filter(pl.col("affiliate_join_date") > pl.col("signed_up")).height == 0


def test_snapshot_is_frozen_at_the_ballot_issue_date() -> None:
    electorate = generate(seed=2016, scale=0.05)
    frozen = freeze_snapshot(electorate.rolls, electorate.criteria, vetting=electorate.vetting)
    later = assess(
        electorate.rolls,
        electorate.criteria,
        vetting=electorate.vetting,
        as_of=datetime(2016, 9, 1),
    )
    # 100 exclusions (5 at this scale) were confirmed on 25 August, after ballots were issued.
    assert len(frozen) - later.eligible().height == 5
    again = freeze_snapshot(electorate.rolls, electorate.criteria, vetting=electorate.vetting)
    assert again.digest == frozen.digest
    assert sum(n for _, n in frozen.per_section) == len(frozen)


def test_generator_is_seeded() -> None:
    one, two = generate(seed=7, scale=0.01), generate(seed=7, scale=0.01)
    for section in one.rolls:
        assert one.rolls[section].equals(two.rolls[section])
    assert not generate(seed=8, scale=0.01).rolls["members"].equals(one.rolls["members"])


def test_decisions_do_not_depend_on_the_order_of_the_rolls() -> None:
    electorate = generate(seed=5, scale=0.02)
    shuffled = {
        section: frame.sample(fraction=1.0, shuffle=True, seed=11)
        for section, frame in reversed(electorate.rolls.items())
    }
    one = assess(electorate.rolls, electorate.criteria, vetting=electorate.vetting)
    two = assess(shuffled, electorate.criteria, vetting=electorate.vetting)
    order = ["section", "record_id"]
    assert one.records.sort(order).equals(two.records.sort(order))
