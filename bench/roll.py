"""Benchmark: import, eligibility and de-duplication of a 1,000,000-person electorate.

    .venv/bin/python bench/roll.py [--people 1000000] [--seed 2016]

Builds the 2016-shaped synthetic electorate scaled to ``--people`` records over the three
rolls, writes them as CSV, then runs two contenders, each in a fresh process so its peak
memory is its own:

- omov: ``read_roll`` per section (every value checked, row-numbered errors), ``assess``
  (every reason code, vetting, de-duplication across sections), and ``deduplicate`` alone;
- pandas: a careful peer doing the same decisions with pandas (``read_csv`` as text, dates
  parsed with an explicit format, the same eligibility tests, ``duplicated`` on the same
  normalised key among the otherwise eligible). It checks less on import than omov does (no
  row-numbered errors, codes, flags, repeated ids or headers), so it is a lower bound.

Both must reach the same eligible count, or the figures mean nothing; the script says so.
Goal: omov's total at most 10 s on 2 cores, peak memory at most 2 GB.
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

GOAL_SECONDS, GOAL_BYTES = 10.0, 2 * 2**30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--repeat", type=int, default=2, help="runs per contender; best kept")
    parser.add_argument("--child", choices=["omov", "pandas"], help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run = _omov if args.child == "omov" else _pandas
        cpu_before = _cpu()
        figures = run(args.dir)
        figures["cpu"] = _cpu() - cpu_before
        figures["peak_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        print(json.dumps(figures))
        return
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        records = _prepare(directory, args.people, args.seed)
        results = {name: _best(name, directory, args.repeat) for name in ("omov", "pandas")}
    _print(records, results)


def _cpu() -> float:
    """Seconds of CPU (all threads): steadier than wall time on a shared machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _best(name: str, directory: Path, repeat: int) -> dict[str, float]:
    """The fastest of ``repeat`` fresh runs (noise only ever adds time); the largest peak."""
    runs = [_child(name, directory) for _ in range(max(1, repeat))]
    best = min(runs, key=_total)
    return {**best, "peak_bytes": max(r["peak_bytes"] for r in runs)}


def _total(r: dict[str, float]) -> float:
    return r["import"] + r["eligibility"] + r["dedup"]


def _prepare(directory: Path, people: int, seed: int) -> int:
    from omov.electorate.synthetic import generate

    full = 518_407 + 183_541 + 70_000
    electorate = generate(seed=seed, scale=people / full)
    electorate.write_csv(directory)
    (directory / "vetting.pickle").write_bytes(pickle.dumps(electorate.vetting))
    return sum(frame.height for frame in electorate.rolls.values())


def _child(name: str, directory: Path) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", name, "--dir", str(directory)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _omov(directory: Path) -> dict[str, float]:
    import polars as pl

    from omov.electorate.criteria import LABOUR_2016
    from omov.electorate.dedup import deduplicate
    from omov.electorate.eligibility import assess
    from omov.electorate.roll import read_roll

    vetting = pickle.loads((directory / "vetting.pickle").read_bytes())
    started = time.perf_counter()
    rolls = {s.name: read_roll(directory / f"{s.name}.csv", s.roll) for s in LABOUR_2016.sections}
    read = time.perf_counter()
    assessment = assess(rolls, LABOUR_2016, vetting=vetting)
    decided = time.perf_counter()
    people = pl.concat(
        [
            roll.frame.select(
                pl.lit(s).alias("section"),
                pl.col(roll.frame.columns[1]).alias("record_id"),
                "email",
                "date_of_birth",
            )
            for s, roll in rolls.items()
        ]
    )
    kept = deduplicate(people, priority=LABOUR_2016.names)
    deduped = time.perf_counter()
    return {
        "import": read - started,
        "eligibility": decided - read,
        "dedup": deduped - decided,
        "eligible": assessment.eligible().height,
        "distinct_people": kept.height,
    }


def _pandas(directory: Path) -> dict[str, float]:
    import numpy as np
    import pandas as pd

    vetting = pickle.loads((directory / "vetting.pickle").read_bytes())
    started = time.perf_counter()
    frames = {}
    for section in ("members", "registered-supporters", "affiliated-supporters"):
        frame = pd.read_csv(directory / f"{section}.csv", dtype=str, keep_default_na=False)
        for column in ("date_of_birth", "join_date", "signed_up", "applied_at"):
            if column in frame:
                fmt = "%Y-%m-%dT%H:%M:%S" if column == "applied_at" else "%Y-%m-%d"
                parsed = pd.to_datetime(frame[column].str.strip(), format=fmt, errors="coerce")
                if parsed.isna().any():
                    raise ValueError(f"{section}: bad {column}")
                frame[column] = parsed
        if "affiliate_join_date" in frame:  # optional: empty means not reported
            text = frame["affiliate_join_date"].str.strip()
            parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
            if (parsed.isna() & (text != "")).any():
                raise ValueError(f"{section}: bad affiliate_join_date")
            frame["affiliate_join_date"] = parsed
        for column in ("arrears", "on_register"):
            if column in frame:
                frame[column] = (
                    frame[column].str.strip().str.lower().isin(["true", "yes", "y", "1"])
                )
        frames[section] = frame
    read = time.perf_counter()
    issue = datetime(2016, 8, 22)  # exclusions in force when ballots were issued
    excluded = {
        (c.section, c.record_id)
        for c in vetting
        if (at := c.excluded_at()) is not None and at <= issue
    }
    parts = []
    for section, frame in frames.items():
        ids = frame.iloc[:, 0]
        bad = pd.Series([(section, i) in excluded for i in ids], index=frame.index)
        if section == "members":
            bad |= frame["join_date"] > pd.Timestamp("2016-01-12")
            bad |= frame["status"].str.lower().isin(["lapsed", "suspended"]) | frame["arrears"]
        if section == "registered-supporters":  # 18 at the close of the window
            bad |= frame["date_of_birth"] > pd.Timestamp("1998-07-20")
            at = frame["applied_at"]
            bad |= (at < pd.Timestamp("2016-07-18 17:00")) | (at > pd.Timestamp("2016-07-20 17:00"))
            bad |= (frame["payment_status"].str.lower() != "paid") | ~frame["on_register"]
        if section == "affiliated-supporters":  # 18 by the sign-up deadline
            bad |= frame["date_of_birth"] > pd.Timestamp("1998-08-08")
            bad |= frame["signed_up"] > pd.Timestamp("2016-08-08")
            if "affiliate_join_date" in frame:  # NaT compares False: not excluded on it
                bad |= frame["affiliate_join_date"] > pd.Timestamp("2016-01-12")
        key = frame["email"].str.strip().str.lower() + "|" + frame["date_of_birth"].astype(str)
        rank = {"members": 0, "affiliated-supporters": 1, "registered-supporters": 2}[section]
        parts.append(pd.DataFrame({"key": key, "rank": rank, "id": ids, "ok": ~bad}))
    records = pd.concat(parts, ignore_index=True)
    candidates = records[records["ok"]].sort_values(["rank", "id"])
    eligible = int((~candidates.duplicated("key")).sum())
    decided = time.perf_counter()
    distinct = int((~records.sort_values(["rank", "id"]).duplicated("key")).sum())
    deduped = time.perf_counter()
    return {
        "import": read - started,
        "eligibility": decided - read,
        "dedup": deduped - decided,
        "eligible": float(np.int64(eligible)),
        "distinct_people": distinct,
    }


def _print(records: int, results: dict[str, dict[str, float]]) -> None:
    print(f"roll: {records:,} records in three sections (synthetic, 2016-shaped)")
    print("wall seconds per phase (best run); cpu: CPU seconds of that run, all threads,")
    print("library import included; peak MB: the child process's peak resident memory")
    head = f"{'':8}{'import':>9}{'eligib.':>9}{'dedup':>9}{'total':>9}{'cpu':>8}{'peak MB':>10}"
    print(f"{head}{'eligible':>11}")
    for name, r in results.items():
        print(
            f"{name:8}{r['import']:9.2f}{r['eligibility']:9.2f}{r['dedup']:9.2f}{_total(r):9.2f}"
            f"{r['cpu']:8.2f}{r['peak_bytes'] / 2**20:10.0f}{int(r['eligible']):>11,}"
        )
    ours, peer = results["omov"], results["pandas"]
    same = ours["eligible"] == peer["eligible"]
    print(f"same eligible count: {'yes' if same else 'NO - the comparison is void'}")
    print(f"pandas / omov wall time: {_total(peer) / _total(ours):.2f}x")
    meets = _total(ours) <= GOAL_SECONDS and ours["peak_bytes"] <= GOAL_BYTES
    print(f"goal (<= {GOAL_SECONDS:.0f} s, <= 2 GB): {'met' if meets else 'NOT met'}")


if __name__ == "__main__":
    main()
