from fractions import Fraction

from omov.count.options import TieBreakMode
from omov.count.tiebreak import TieBreaker

HISTORY = [
    {"A": Fraction(5), "B": Fraction(3), "C": Fraction(5)},
    {"A": Fraction(6), "B": Fraction(7), "C": Fraction(4)},
    {"A": Fraction(8), "B": Fraction(8), "C": Fraction(8)},
]


def test_previous_rounds_look_back_from_the_latest():
    breaker = TieBreaker(TieBreakMode.PREVIOUS_ROUNDS_THEN_LOT)
    chosen, record = breaker.pick(["A", "B", "C"], HISTORY, purpose="exclusion")
    assert chosen == "C"
    assert record.resolved_by == "fewest votes at round 2"


def test_earliest_round_looks_forward_from_the_first():
    breaker = TieBreaker(TieBreakMode.EARLIEST_ROUND_THEN_LOT)
    chosen, _ = breaker.pick(["A", "B", "C"], HISTORY, purpose="exclusion")
    assert chosen == "B"


def test_lot_is_reproducible_with_the_same_seed():
    draws = [
        TieBreaker(TieBreakMode.LOT, seed=11).pick(["A", "B", "C"], [], purpose="x")[0]
        for _ in range(5)
    ]
    assert len(set(draws)) == 1


def test_history_narrows_before_lot():
    history = [{"A": Fraction(1), "B": Fraction(1), "C": Fraction(9)}]
    breaker = TieBreaker(TieBreakMode.PREVIOUS_ROUNDS_THEN_LOT, seed=3)
    chosen, record = breaker.pick(["A", "B", "C"], history, purpose="exclusion")
    assert chosen in {"A", "B"}
    assert record.resolved_by.startswith("lot")
