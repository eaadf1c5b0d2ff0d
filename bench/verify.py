"""Results-bundle benchmark: build and verify a bundle of 10^6 ballots x 16 candidates.

    .venv/bin/python bench/verify.py              # 10^6 ballots (goal: build <= 30 s,
                                                  # verify <= 20 s on 2 cores)
    .venv/bin/python bench/verify.py --ballots 100000   # a smoke test

Ballots are seeded Plackett-Luce-like rankings (random scores with a popularity skew),
each truncated to a random length, so nearly every ranking is distinct: the hard case
for the board, the BLT file and the recount. The contest is played through the ledger
exactly as ``omov bundle build-demo`` does (contest log, ballot log with signed heads,
board sorted by random id, trackers, count, report), written as a signed bundle, then
verified with every check ``omov verify`` runs. Time is printed per step; peak memory
is the process's peak resident set size.
"""

from __future__ import annotations

import argparse
import functools
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from omov.count import BallotSet
from omov.count.ballots import BLANK

T = TypeVar("T")
RULEBOOK = "labour/2016"


NEW_STEPS = ("entries", "saved_heads", "marker", "electorate")
"""Steps that format v2 added (electorate: it now derives every figure from the log)."""


def _run_step(step: Callable[[Any, Any], Iterable[Any]], evidence: Any, options: Any) -> list[Any]:
    """One of ``omov verify``'s check steps run to the end (steps may yield lazily)."""
    return list(step(evidence, options))


def timed(label: str, totals: dict[str, float], run: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = run()
    elapsed = time.perf_counter() - start
    totals[label] = elapsed
    print(f"  {label:<34} {elapsed:8.2f} s", flush=True)
    return result


def synthetic_ballots(n: int, n_candidates: int, seed: int) -> BallotSet:
    rng = np.random.default_rng(seed)
    popularity = np.linspace(1.6, 0.4, n_candidates)
    scores = rng.gumbel(size=(n, n_candidates)) + np.log(popularity)
    grid = np.argsort(-scores, axis=1).astype(np.int16)
    lengths = np.minimum(rng.geometric(0.25, size=n), n_candidates)
    grid[np.arange(n_candidates)[None, :] >= lengths[:, None]] = BLANK
    names = [f"Candidate {chr(65 + i)}" for i in range(n_candidates)]
    return BallotSet.from_grid(names, grid, title="bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--candidates", type=int, default=16)
    args = parser.parse_args()

    from importlib import resources

    # pyarrow imports pandas on its first pa.array(): a one-off ~1-2 s, not per ballot.
    import pandas  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    import omov.ledger.board_file  # noqa: F401
    from omov.ledger.bundle import write_bundle
    from omov.ledger.demo import run_demo_contest
    from omov.ledger.keys import SigningKey
    from omov.ledger.logged import logged_facts
    from omov.ledger.verify import STEPS, Options, read_evidence
    from omov.rules.counting import count_setup
    from omov.rules.loading import load_rulebook

    text = resources.files("omov.rules.rulebooks").joinpath("labour", "2016.toml").read_text()
    method, seats, options = count_setup(load_rulebook(RULEBOOK))
    officer = SigningKey.generate()
    print(f"{args.ballots:,} ballots x {args.candidates} candidates, {method}")
    build: dict[str, float] = {}
    ballots = timed(
        "draw ballots (not part of build)",
        {},
        lambda: synthetic_ballots(args.ballots, args.candidates, 2026),
    )
    print(f"  ({ballots.n_unique:,} distinct rankings)")
    print("build")
    demo = timed(
        "play contest (logs, board, count)",
        build,
        lambda: run_demo_contest(
            ballots,
            rulebook_edition=RULEBOOK,
            rulebook_text=text,
            method=method,
            seats=seats,
            options=options,
            officer=officer,
            checkpoints=20,
        ),
    )
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "bundle"
        timed(
            "write and sign bundle", build, lambda: write_bundle(demo.publication, target, officer)
        )
        sizes = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
        print(f"  build total {sum(build.values()):.2f} s; bundle {sizes / 2**20:.1f} MiB")
        print("verify")
        checked: dict[str, float] = {}
        asked = Options()
        evidence = timed("read bundle strictly, log facts", checked, lambda: read_evidence(target))
        new: dict[str, float] = {}
        timed("  of which: log facts (new in v2)", new, lambda: logged_facts(evidence.entries))
        results = []
        for step in STEPS:
            label = f"{step.__module__.rsplit('.', 1)[-1]}.{step.__name__}"
            run = functools.partial(_run_step, step, evidence, asked)
            results.extend(timed(label, checked, run))
            if step.__name__ in NEW_STEPS:
                new[label] = checked[label]
        failed = [c.line() for c in results if not c.ok]
        total = sum(checked.values())
        print(
            f"  verify total {total:.2f} s; {len(results)} checks, {len(failed)} failed; "
            f"the checks new in format v2 ({', '.join(NEW_STEPS)}, log facts) take "
            f"{sum(new.values()):.2f} s ({sum(new.values()) / total:.1%})"
        )
        for line in failed:
            print(f"  {line}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS) {peak:.0f} MiB")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
