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


def _draws(seed: int, n: int = 6, tied=("A", "B", "C")) -> list[str]:
    """The first ``n`` draws of one count's tie-breaker (it keeps its generator)."""
    breaker = TieBreaker(TieBreakMode.LOT, seed=seed)
    return [breaker.pick(list(tied), [], purpose="x")[0] for _ in range(n)]


def test_lot_is_reproducible_with_the_same_seed():
    assert _draws(11) == _draws(11)


def test_lot_depends_on_the_seed_and_can_pick_any_of_the_tied():
    """A picker that always chose one name, or ignored its seed, would fail here."""
    sequences = {tuple(_draws(seed)) for seed in range(20)}
    assert len(sequences) > 1
    assert {name for sequence in sequences for name in sequence} == {"A", "B", "C"}


def test_a_lot_record_names_the_seed():
    _, record = TieBreaker(TieBreakMode.LOT, seed=11).pick(["A", "B"], [], purpose="exclusion")
    assert record.resolved_by == "lot (seed 11)"
    assert record.tied == ("A", "B")


def test_history_narrows_before_lot():
    """C had more votes, so only A and B go to the lot, and over seeds both are drawn."""
    history = [{"A": Fraction(1), "B": Fraction(1), "C": Fraction(9)}]
    chosen = set()
    for seed in range(20):
        breaker = TieBreaker(TieBreakMode.PREVIOUS_ROUNDS_THEN_LOT, seed=seed)
        name, record = breaker.pick(["A", "B", "C"], history, purpose="exclusion")
        assert record.resolved_by == f"lot (seed {seed})"
        chosen.add(name)
    assert chosen == {"A", "B"}


def test_lot_draws_are_the_seeded_generators_whenever_it_is_made():
    """The generator is made at the first draw, not with the tie-breaker: the draws are
    still those of ``random.Random(seed)`` from its start, so recounts repeat them."""
    import random

    for seed in (0, 11, 2026):
        generator = random.Random(seed)
        assert _draws(seed) == [generator.choice(["A", "B", "C"]) for _ in range(6)]
