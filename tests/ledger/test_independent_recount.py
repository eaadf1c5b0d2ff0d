"""The independent recount: `omov verify --export` writes the ballots and an RCTab contest
configuration, and other tabulators, reading the exported files with their own code, give
the published rounds and winners.

RCTab itself is Java built with Gradle from Maven Central, which these machines cannot
reach, and its source may not be copied into this repository; so RCTab 2.0.1's reports of
the demo contest's export (built from its source against Debian's libraries, see
tests/ledger/data/rctab-2.0.1/README.md) are kept as data, and the tests check that the
export is still what RCTab read and that the bundle's rounds are RCTab's, for IRV and for
three-seat WIGM. The second tabulators run in the tests themselves: pyrankvote and
pref_voting:

- pyrankvote's instant-runoff voting reproduces IRV round by round (every tally) and the
  winner; its single transferable vote reproduces the winners of a multi-seat count but not
  its rounds (its quota is votes / (seats + 1) with no "+ 1" and it transfers surpluses by
  its own fractions, so candidates reach the quota in other rounds);
- pref_voting's plurality scores over the continuing candidates reproduce every IRV round's
  tallies, and its instant runoff for truncated ballots the winner. It has no STV.
Neither reproduces a tie broken by lot, RCTab's overvote rules other than "exhaust at the
overvote" (the board keeps only the marks before an overvote), or sections.
"""

from __future__ import annotations

import csv
import json
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from omov.ledger.board import TrackerMode
from omov.ledger.bundle import write_bundle
from omov.ledger.demo import run_demo_contest
from omov.ledger.keys import SigningKey
from tests.ledger.conftest import RULEBOOK, rulebook_text


def run_cli(args: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    from omov.cli import main

    monkeypatch.setattr(sys, "argv", ["omov", *args])
    try:
        main()
    except SystemExit as done:
        return int(done.code or 0)
    return 0


def read_rctab_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    """The exported generic CSV, read here with the csv module (not omov's reader)."""
    with path.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    assert rows[0][:2] == ["ballot_id", "section"]
    names = rows[0][2:]
    papers = []
    for row in rows[1:]:
        marks = sorted((int(v), names[i]) for i, v in enumerate(row[2:]) if v)
        assert [rank for rank, _ in marks] == list(range(1, len(marks) + 1))
        papers.append([name for _, name in marks])
    return names, papers


def read_blt(path: Path) -> tuple[int, list[str], list[tuple[int, list[int]]]]:
    """The exported BLT, read here line by line (not with omov's reader)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    n, seats = map(int, lines[0].split())
    papers = []
    k = 1
    while lines[k] != "0":
        weight, *marks = map(int, lines[k].split())
        papers.append((weight, [m - 1 for m in marks[:-1]]))
        k += 1
    names = [line.strip('"') for line in lines[k + 1 : k + 1 + n]]
    return seats, names, papers


def published_rounds(bundle: Path) -> list[dict[str, Fraction]]:
    report = json.loads((bundle / "report.json").read_text())
    return [{c: Fraction(v) for c, v in r["tallies"].items()} for r in report["rounds"]]


@pytest.fixture(scope="module")
def exported(
    tmp_path_factory: pytest.TempPathFactory, officer: SigningKey
) -> tuple[Path, Path, list[str]]:
    """The demo contest (Labour 2016: IRV, one seat) published and exported by the CLI."""
    from omov.count.formats import read_ballots
    from omov.examples import WARD_BLT
    from omov.rules.counting import count_setup
    from omov.rules.loading import load_rulebook

    method, seats, options = count_setup(load_rulebook(RULEBOOK))
    demo = run_demo_contest(
        read_ballots(WARD_BLT),
        rulebook_edition=RULEBOOK,
        rulebook_text=rulebook_text(TrackerMode.INCLUSION),
        method=method,
        seats=seats,
        options=options,
        officer=officer,
    )
    root = tmp_path_factory.mktemp("recount")
    write_bundle(demo.publication, root / "bundle", officer)
    return root / "bundle", root / "export", list(demo.publication.report.elected)


def test_pyrankvote_gives_every_irv_round_and_the_winner(
    exported: tuple[Path, Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyrankvote

    bundle, export, elected = exported
    assert run_cli(["verify", str(bundle), "--export", str(export)], monkeypatch) == 0
    names, papers = read_rctab_csv(export / "ballots-rctab.csv")
    people = {name: pyrankvote.Candidate(name) for name in names}
    result = pyrankvote.instant_runoff_voting(
        list(people.values()),
        [pyrankvote.Ballot(ranked_candidates=[people[n] for n in p]) for p in papers],
    )
    theirs = [
        {
            c.candidate.name: Fraction(c.number_of_votes)
            for c in r.candidate_results
            if c.number_of_votes
        }
        for r in result.rounds
    ]
    assert theirs == published_rounds(bundle)
    assert [c.name for c in result.get_winners()] == elected


def test_pref_voting_gives_every_irv_round_and_the_winner(
    exported: tuple[Path, Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pref_voting.profiles_with_ties import ProfileWithTies
    from pref_voting.voting_methods import instant_runoff_for_truncated_linear_orders

    bundle, export, elected = exported
    if not (export / "ballots.blt").exists():
        assert run_cli(["verify", str(bundle), "--export", str(export)], monkeypatch) == 0
    seats, names, papers = read_blt(export / "ballots.blt")
    assert seats == 1  # the rulebook's, checked against the log
    profile = ProfileWithTies(
        [{c: r for r, c in enumerate(marks, start=1)} for _, marks in papers],
        rcounts=[w for w, _ in papers],
        candidates=list(range(len(names))),
    )
    continuing = list(range(len(names)))
    rounds = []
    while True:
        scores = profile.plurality_scores(curr_cands=continuing)
        rounds.append({names[c]: Fraction(v) for c, v in scores.items()})
        if max(scores.values()) * 2 > sum(scores.values()) or len(continuing) == 1:
            break
        continuing.remove(min(continuing, key=lambda c: scores[c]))
    assert rounds == published_rounds(bundle)
    winners = instant_runoff_for_truncated_linear_orders(profile)
    assert [names[c] for c in winners] == elected


def test_the_rctab_config_has_the_rulebooks_rules_and_counts_as_published(
    exported: tuple[Path, Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle, export, elected = exported
    if not (export / "rctab-config.json").exists():
        assert run_cli(["verify", str(bundle), "--export", str(export)], monkeypatch) == 0
    config = json.loads((export / "rctab-config.json").read_text())
    rules = config["rules"]
    assert rules["tiebreakMode"] == "previousRoundCountsThenRandom"  # Labour 2016's tie-break
    assert rules["overvoteRule"] == "exhaustImmediately"
    assert (rules["winnerElectionMode"], rules["numberOfWinners"]) == ("singleWinnerMajority", "1")
    assert [c["name"] for c in config["candidates"]] == json.loads(
        (bundle / "omov-bundle.json").read_text()
    )["candidates"]
    (source,) = config["cvrFileSources"]
    assert (source["provider"], source["filePath"]) == ("genericCsv", "ballots-rctab.csv")
    # omov's reader of RCTab configs (written against RCTab's own test sets) takes it.
    from omov.count.rctab_config import run_rctab_config

    (report,) = run_rctab_config(export / "rctab-config.json")
    assert [dict(r.tallies) for r in report.rounds] == published_rounds(bundle)
    assert list(report.elected) == elected


def test_pyrankvote_stv_gives_the_winners_of_a_multi_seat_count(
    tmp_path: Path, officer: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A three-seat count (WIGM, as RCTab's multi-winner rules): pyrankvote's STV elects the
    same three; its rounds differ by design (see the module's docstring)."""
    import pyrankvote

    from omov.count.formats import read_ballots
    from omov.examples import WARD_BLT
    from omov.ledger.setup import setup_from_text

    text = rulebook_text().replace('method = "irv"', 'method = "wigm"\nseats = 3', 1)
    setup = setup_from_text(text)
    demo = run_demo_contest(
        read_ballots(WARD_BLT),
        rulebook_edition=RULEBOOK,
        rulebook_text=text,
        method=setup.method,
        seats=setup.seats,
        options=setup.options,
        officer=officer,
    )
    write_bundle(demo.publication, tmp_path / "bundle", officer)
    export = tmp_path / "export"
    assert run_cli(["verify", str(tmp_path / "bundle"), "--export", str(export)], monkeypatch) == 0
    config = json.loads((export / "rctab-config.json").read_text())["rules"]
    assert config["winnerElectionMode"] == "multiWinnerAllowMultipleWinnersPerRound"
    assert config["numberOfWinners"] == "3"
    seats, names, papers = read_blt(export / "ballots.blt")
    people = [pyrankvote.Candidate(n) for n in names]
    ballots = [
        pyrankvote.Ballot(ranked_candidates=[people[c] for c in marks])
        for weight, marks in papers
        for _ in range(weight)
    ]
    result = pyrankvote.single_transferable_vote(people, ballots, number_of_seats=seats)
    assert sorted(c.name for c in result.get_winners()) == sorted(demo.publication.report.elected)
    assert len(demo.publication.report.elected) == 3


RCTAB = Path(__file__).parent / "data" / "rctab-2.0.1"


def _rctab_rounds(report: dict[str, Any]) -> tuple[list[dict[str, Fraction]], list[str]]:
    rounds = [
        {name: Fraction(v) for name, v in r["tally"].items() if Fraction(v)}
        for r in report["results"]
    ]
    decided = [
        str(t.get("elected") or t.get("eliminated"))
        for r in report["results"]
        for t in r["tallyResults"]
    ]
    return rounds, decided


def _omov_rounds(bundle: Path) -> tuple[list[dict[str, Fraction]], list[str], list[str]]:
    report = json.loads((bundle / "report.json").read_text())
    rounds = [
        {c: Fraction(v) for c, v in r["tallies"].items() if Fraction(v)} for r in report["rounds"]
    ]
    decided = [name for r in report["rounds"] for name in [*r["elected"], *r["excluded"]]]
    return rounds, decided, list(report["elected"])


@pytest.mark.parametrize("case", ["demo-irv", "demo-wigm-3"])
def test_rctab_gave_the_published_rounds_and_winners(
    case: str, tmp_path: Path, officer: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib

    from omov.count.formats import read_ballots
    from omov.examples import WARD_BLT
    from omov.ledger.setup import setup_from_text

    text = rulebook_text()
    if case == "demo-wigm-3":
        text = text.replace('method = "irv"', 'method = "wigm"\nseats = 3', 1)
    setup = setup_from_text(text)
    demo = run_demo_contest(
        read_ballots(WARD_BLT),
        rulebook_edition=RULEBOOK,
        rulebook_text=text,
        method=setup.method,
        seats=setup.seats,
        options=setup.options,
        officer=officer,
    )
    bundle, export = tmp_path / "bundle", tmp_path / "export"
    write_bundle(demo.publication, bundle, officer)
    assert run_cli(["verify", str(bundle), "--export", str(export)], monkeypatch) == 0
    inputs = json.loads((RCTAB / "inputs.json").read_text())
    csv_digest = hashlib.sha256((export / "ballots-rctab.csv").read_bytes()).hexdigest()
    assert csv_digest == inputs["ballots-rctab.csv"]  # the ballots RCTab read
    rules = json.loads((export / "rctab-config.json").read_text())["rules"]
    assert {k: rules[k] for k in inputs[case]} == inputs[case]
    theirs = json.loads((RCTAB / f"{case}_detailed_report.json").read_text())
    assert theirs["config"]["generatedBy"] == "RCTab 2.0.1"
    rctab_rounds, rctab_decided = _rctab_rounds(theirs)
    rounds, decided, elected = _omov_rounds(bundle)
    assert rounds == rctab_rounds
    assert decided == rctab_decided
    rctab_elected = [
        t["elected"] for r in theirs["results"] for t in r["tallyResults"] if "elected" in t
    ]
    assert sorted(elected) == sorted(rctab_elected)
    assert len(elected) == setup.seats
