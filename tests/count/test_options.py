"""``CountOptions.as_record`` and ``CountOptions.from_record`` are one round trip: what a
report or a stored rulebook keeps reads back as the options the count ran with."""

from __future__ import annotations

import json
from fractions import Fraction

from omov.count import CountOptions
from omov.count.options import Quota, TieBreakMode


def test_every_field_survives_json_and_back() -> None:
    options = CountOptions(
        tie_break=TieBreakMode.LOT,
        seed=7,
        batch_elimination=True,
        continue_until_two=True,
        quota=Quota.HARE,
        whole_threshold=False,
        decimals=5,
        meek_omega=Fraction(1, 10**9),
        minimum_votes={1: 16, 2: 32},
        stop_at=2,
        section_weights={"members": Fraction(1, 3), "affiliates": Fraction(2, 3)},
    )
    record = json.loads(json.dumps(options.as_record()))
    assert CountOptions.from_record(record) == options
    assert CountOptions.from_record(CountOptions().as_record()) == CountOptions()


def test_a_record_missing_fields_takes_the_defaults() -> None:
    assert CountOptions.from_record({"seed": 3}) == CountOptions(seed=3)
