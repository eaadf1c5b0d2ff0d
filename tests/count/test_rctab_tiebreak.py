"""RCTab's tie-breaks: java.util.Random's sequence, and how ties are narrowed and drawn."""

from __future__ import annotations

from fractions import Fraction

from omov.count.options import TieBreakMode
from omov.count.rctab_tiebreak import JavaRandom, RctabTieBreaker


def test_java_random_matches_the_jvm() -> None:
    # new Random(0).nextInt() and new Random(42).nextInt(), as the JVM gives them.
    assert JavaRandom(0).next_int() == -1155484576
    assert JavaRandom(42).next_int() == -1170105035
    assert JavaRandom(0).next_double() == 0.730967787376657
    assert JavaRandom(42).next_double() == 0.7275636800328681


def test_a_lot_picks_from_the_tied_sorted_by_name() -> None:
    breaker = RctabTieBreaker(TieBreakMode.LOT, seed=0)
    chosen, record = breaker.pick(["Cy", "Al", "Bo"], [], purpose="exclusion")
    assert chosen == "Cy"  # floor(0.7309... * 3) = 2: the third by name
    assert record.tied == ("Al", "Bo", "Cy")
    assert record.resolved_by == "lot (seed 0)"
    second, _ = breaker.pick(["Al", "Bo"], [], purpose="exclusion")
    third = JavaRandom(0)
    third.next_double()
    assert second == ["Al", "Bo"][int(third.next_double() * 2)]


def test_previous_rounds_look_back_from_the_round_before() -> None:
    history = [
        {"A": Fraction(3), "B": Fraction(2), "C": Fraction(2)},
        {"A": Fraction(4), "B": Fraction(4), "C": Fraction(3)},
        {"A": Fraction(5), "B": Fraction(5), "C": Fraction(5)},  # the round of the tie
    ]
    breaker = RctabTieBreaker(TieBreakMode.PREVIOUS_ROUNDS_THEN_LOT)
    chosen, record = breaker.pick(["A", "B"], history, purpose="exclusion")
    assert chosen == "B"  # level at round 2, B fewer at round 1
    assert record.resolved_by == "fewest votes at round 1"
    best, record = breaker.pick(["A", "B", "C"], history, purpose="election", lowest=False)
    assert best == "A"  # A and B most at round 2; A more at round 1
    assert record.resolved_by == "most votes at round 1"
    level = [{"A": Fraction(1), "B": Fraction(1)}] * 3
    _, record = breaker.pick(["A", "B"], level, purpose="exclusion")
    assert record.resolved_by == "lot (seed 0)"


def test_candidate_order_excludes_the_latest_and_elects_the_earliest() -> None:
    breaker = RctabTieBreaker(TieBreakMode.CANDIDATE_ORDER, candidate_order=["Zed", "Amy"])
    assert breaker.pick(["Amy", "Zed"], [], purpose="exclusion")[0] == "Amy"
    assert breaker.pick(["Amy", "Zed"], [], purpose="election", lowest=False)[0] == "Zed"
