"""Counts of Droop's test elections against Droop's published reference counts.

Droop (Jonathan Lundell's STV package) publishes its test elections as BLT files with a
dump of its own count of each under each of its rules (tests/data/droop, README there).
omov shares two of its rules: the Scottish local government rules (Droop's ``scotland``,
fixed point to 5 decimals) and the Proportional Representation Foundation's reference
Meek rule (``meek-prf``, fixed point to 9 decimals, omega 10^-6). Every election Droop
counts under either is read here as a user would (``read_ballots``: byte-order mark,
``[tie]``, ``[withdrawn]`` and annotation lines and all) and must elect the same
candidates, with the same final quota and the same final vote for each of them, exactly.

Droop draws lots in its tie-break order: the file's ``[tie]`` line, or else candidate
order; a file without ``[tie]`` is given candidate order here, the same draw. The
reference Meek rule breaks a tie by that order alone (its D.1), so Meek counts with
``TieBreakMode.LOT``; the Scottish rules look back over earlier stages first whatever
the options say. Droop keeps a space that ends a quoted name, where omov takes it off.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from pathlib import Path

import pytest

from omov.count import BallotSet, CountOptions, CountReport, TieBreakMode, count
from omov.count.formats import read_ballots
from tests.count.reports.rcvis import assert_rcvis_accepts

DROOP = Path(__file__).resolve().parents[1] / "data" / "droop"
RULES = {"scotland-fixed-p5-d5": "scottish-stv", "meek-prf-o6-fixed-p9-d9": "meek"}
SAME_BALLOTS = {"42ubom": "42u"}
"""Elections Droop has no dump of, because their ballots are another file's."""


def cases() -> list[tuple[str, str, str]]:
    """(ballot file, omov method, reference dump), every pair Droop publishes."""
    found = []
    for blt in sorted(DROOP.glob("blt/**/*.blt")):
        stem = blt.relative_to(DROOP / "blt").with_suffix("")
        for suffix, method in RULES.items():
            reference = stem.parent / f"{SAME_BALLOTS.get(stem.name, stem.name)}-{suffix}.txt"
            if (DROOP / "ref" / "dump" / reference).is_file():
                found.append((str(stem), method, str(reference)))
    return found


CASES = cases()


def test_every_droop_election_under_a_shared_rule_is_here() -> None:
    # 10 test elections and 23 Scottish wards (21 from Glasgow 2007) under Scottish rules,
    # the 10 test elections under reference Meek.
    assert sum(method == "scottish-stv" for _, method, _ in CASES) == 33
    assert sum(method == "meek" for _, method, _ in CASES) == 10


def final_figures(dump: Path) -> tuple[Fraction, dict[str, Fraction]]:
    """The last line of a Droop dump: the quota and the elected candidates' votes."""
    lines = dump.read_text(encoding="utf-8").splitlines()
    head, last = lines[0].split("\t"), lines[-1].split("\t")
    assert last[:2] == ["X", "end"], dump
    first = head.index("1.name")
    width = head.index("2.name") - first
    cells = last[first:]
    elected = {
        cells[i].strip(): Fraction(cells[i + 2])
        for i in range(0, len(cells), width)
        if cells[i + 1] == "E"
    }
    return Fraction(last[head.index("Quota")]), elected


def droop_count(
    ballots: BallotSet, method: str, meek_omega: Fraction = Fraction(1, 10**6)
) -> CountReport:
    if not ballots.tie_order:
        ballots = dataclasses.replace(ballots, tie_order=tuple(range(ballots.n_candidates)))
    options = CountOptions(tie_break=TieBreakMode.LOT, meek_omega=meek_omega)
    return count(ballots, method=method, seats=ballots.seats or 1, options=options)


@pytest.mark.parametrize(("stem", "method", "reference"), CASES, ids=[c[2] for c in CASES])
def test_same_elected_and_final_figures_as_droop(stem: str, method: str, reference: str) -> None:
    ballots = read_ballots(DROOP / "blt" / f"{stem}.blt")
    report = droop_count(ballots, method)
    assert_rcvis_accepts(report)
    quota, elected = final_figures(DROOP / "ref" / "dump" / reference)
    assert set(report.elected) == set(elected)
    assert report.quota == quota
    final = report.final_round.tallies
    assert {name: final[name] for name in elected} == elected


def test_the_declared_tie_order_and_withdrawn_option_are_read() -> None:
    tied = read_ballots(DROOP / "blt" / "42t.blt")
    assert [tied.candidates[c] for c in tied.tie_order] == ["Helen", "Pollux", "Castor"]
    withdrawn = read_ballots(DROOP / "blt" / "SCwopt.blt")
    assert withdrawn.withdrawn == read_ballots(DROOP / "blt" / "SCw.blt").withdrawn == {3}


def test_the_validation_election_keeps_its_annotations() -> None:
    ballots = read_ballots(DROOP / "blt" / "M135.blt")
    assert ballots.title == "M135: Gen v1.1 1 3 45"
    assert ballots.annotations[:2] == (
        "Brian Wichmann, email: brian.wichmann@bcs.org.uk",
        "The validation of the STV programs for ERBS, 1st September 1999.",
    )
    assert ballots.annotations[2] == "First Prefs"
    assert ballots.annotations[3].split()[:3] == ["0119", "32", "43"]
    assert report_annotations(ballots) == ballots.annotations


def report_annotations(ballots: BallotSet) -> tuple[str, ...]:
    return count(ballots, method="scottish-stv", seats=7).annotations


# Equal rankings: Droop counts its two test elections with ``b=c`` under its general Meek
# rule only (omega 10^-9, 18 decimals guarded by 9), not the reference rule, whose quota
# and rounding differ in the last places from ours (10^-9, the reference rule's). So the
# elected must be the same, and the votes each decision is made on agree within 10^-8 at
# every round. Droop's last line is not compared: it redistributes the last defeated
# candidate's papers after the count, and there a paper whose first rank has no candidate
# left stays put (eq2's residual 2), where ours goes on to the next rank.
TOLERANCE = Fraction(1, 10**8)


def decisions(dump: Path) -> dict[int, dict[str, Fraction]]:
    """Each round's votes at its last decision (elect or defeat), by round number."""
    lines = dump.read_text(encoding="utf-8").splitlines()
    head = lines[0].split("\t")
    first = head.index("1.name")
    width = head.index("2.name") - first
    rounds: dict[int, dict[str, Fraction]] = {}
    for line in lines[1:]:
        cells = line.split("\t")
        if cells[1] in ("elect", "defeat"):
            votes = cells[first:]
            rounds[int(cells[0])] = {
                votes[i]: Fraction(votes[i + 2]) for i in range(0, len(votes), width)
            }
    return rounds


@pytest.mark.parametrize("name", ["eq1", "eq2"])
def test_equal_rankings_shared_as_droop_shares_them(name: str) -> None:
    dump = DROOP / "ref" / "dump" / "meek" / f"{name}-meek-o9-guarded-p18-g9-d18.txt"
    ballots = read_ballots(DROOP / "blt" / "meek" / f"{name}.blt")
    assert ballots.equal_groups
    report = droop_count(ballots, "meek", meek_omega=Fraction(1, 10**9))
    _quota, elected = final_figures(dump)
    assert set(report.elected) == set(elected)
    reference = decisions(dump)
    assert sorted(reference) == [r.number for r in report.rounds]
    for round_ in report.rounds:
        for candidate, votes in round_.tallies.items():
            assert abs(votes - reference[round_.number][candidate]) <= TOLERANCE
