"""Count benchmark: omov against itself at scale and against peers, in one run.

    .venv/bin/python bench/count.py            # the full run (10^7 ballots; a few minutes)
    .venv/bin/python bench/count.py --quick    # 10^6 / 10^5 ballots, for a smoke test
    .venv/bin/python bench/count.py --cases b  # only (b), the comparison with peers

(a) IRV, 10^7 ballots, 16 candidates, partial rankings: written to Parquet and CSV,
    then read and counted by ``omov`` (goal: <= 2 s wall, <= 2 GB peak RSS), with the
    time split into parsing (the reader, including its bulk grouping), compression
    (``compress_grid``: ballot policy and unique rankings) and rounds.
(b) End to end (read + count IRV) at 10^6 ballots against pyrankvote, votekit and
    pref_voting (goal: >= 100x faster than the fastest), omov reading the Parquet file and
    the CSV file of the same ballots. Peers read the CSV with the csv module. Each is timed
    on a subsample first; one that would take under FULL_PEER_SECONDS on the whole file is
    then run on it (its cost per ballot falls with size), the others are extrapolated
    linearly (the report says which).
(c) Scottish STV, 10^6 ballots, 16 candidates, 3 seats (goal: <= 5 s).

Each omov case runs ``--repeat`` times (9), each in a fresh process, and the run of median
total is reported with the range: a single run of 0.1 s is a sample of one moment on a
noisy VM, where a peer's 10 s run averages its moments out. Most of the spread is the
kernel's cost of the fresh memory a run touches (its system time), which swings 5x from
run to run: with 5 runs the median itself moved from 0.09 to 0.12 s between two runs of
this script, so it takes 9.

Ballots are drawn deterministically (seeded) from a Plackett-Luce model, each ballot
truncated to a length drawn from a falling distribution, so the number of distinct
rankings is realistic rather than tiny. Every measured run is a fresh process, so its peak
RSS is its own (the highest of the runs is reported).
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

print = functools.partial(print, flush=True)  # progress shows as it comes

N_CANDIDATES = 16
CANDIDATES = tuple(f"Candidate {chr(ord('A') + i)}" for i in range(N_CANDIDATES))
LENGTHS = np.array([0.24, 0.2, 0.17, 0.1, 0.07] + [0.22 / 11] * 11)
"""How many candidates a ballot ranks (1..16): most rank a few, some rank all."""
SEED = 20100925
CHUNK = 1_000_000
FULL_PEER_SECONDS = 120
"""A peer whose time on the whole file is estimated below this is run on the whole file."""


# -- the ballots ------------------------------------------------------------------------
def generate(n: int, seed: int = SEED) -> npt.NDArray[np.int16]:
    """A rank grid of ``n`` Plackett-Luce ballots (-1 = blank), by the Gumbel-max trick."""
    rng = np.random.default_rng(seed)
    strengths = np.log(1.0 / np.arange(1, N_CANDIDATES + 1) ** 1.1)
    rng.shuffle(strengths)
    grid = np.empty((n, N_CANDIDATES), dtype=np.int16)
    for start in range(0, n, CHUNK):
        m = min(CHUNK, n - start)
        noise = rng.gumbel(size=(m, N_CANDIDATES)) + strengths
        order = np.argsort(-noise, axis=1).astype(np.int16)
        length = rng.choice(N_CANDIDATES, size=m, p=LENGTHS / LENGTHS.sum()) + 1
        order[np.arange(N_CANDIDATES) >= length[:, None]] = -1
        grid[start : start + m] = order
    return grid


def _table(grid: npt.NDArray[np.int16], *, null_blanks: bool = False) -> pa.Table:
    """Rank columns in the layout ``omov``'s writer uses (``parquet.write_parquet``): the
    candidate list, the empty name and ``=`` as the dictionary, a blank the empty name, the
    column declared required. ``null_blanks``: a blank is a null instead, in a nullable
    column (which Parquet readers decode more slowly)."""
    names = pa.array([*CANDIDATES, "", "="])
    columns = {
        f"rank{r + 1}": pa.DictionaryArray.from_arrays(
            pa.array(
                np.where(grid[:, r] < 0, N_CANDIDATES, grid[:, r]).astype(np.int32),
                mask=(grid[:, r] < 0) if null_blanks else None,
            ),
            names,
        )
        for r in range(N_CANDIDATES)
    }
    schema = pa.schema(
        [pa.field(name, column.type, nullable=null_blanks) for name, column in columns.items()],
        metadata={"omov": json.dumps({"candidates": list(CANDIDATES)})},
    )
    return pa.table(columns, schema=schema)


def write_files(grid: npt.NDArray[np.int16], folder: Path, stem: str) -> tuple[Path, Path]:
    from omov.count.formats.parquet import compression

    table = _table(grid)
    parquet = folder / f"{stem}.parquet"
    # Compressed as ``write_parquet`` compresses; the other file as other writers often do.
    pq.write_table(table, parquet, compression=compression(table.column_names))
    nulls = _table(grid, null_blanks=True)
    pq.write_table(nulls, folder / f"{stem}-nulls.parquet", compression="zstd")
    plain = folder / f"{stem}.csv"
    with plain.open("wb") as out:
        out.write(f"# candidates: {json.dumps(list(CANDIDATES))}\n".encode())
        decoded = table.cast(pa.schema([(name, pa.string()) for name in table.column_names]))
        pacsv.write_csv(decoded, out, pacsv.WriteOptions(quoting_style="none"))
    return parquet, plain


# -- one measured case, in its own process ----------------------------------------------
def measure(path: Path, method: str, seats: int) -> dict[str, Any]:
    from omov.count import compress, count
    from omov.count.formats import read_ballots

    spent = {"compress": 0.0}

    def timed(original: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent["compress"] += time.perf_counter() - started

        return run

    # Readers that group rows themselves hand them to compress_codes, the others to
    # compress_grid: both apply the ballot policy and compress (timed as "compress").
    compress.compress_grid = timed(compress.compress_grid)
    compress.compress_codes = timed(compress.compress_codes)
    started = time.perf_counter()
    ballots = read_ballots(path)
    read = time.perf_counter() - started
    started = time.perf_counter()
    report = count(ballots, method=method, seats=seats)
    rounds = time.perf_counter() - started
    return {
        "parse": read - spent["compress"],
        "compress": spent["compress"],
        "rounds": rounds,
        "total": read + rounds,
        "peak_rss_mb": peak_rss_mb(),
        "ballots": ballots.total,
        "unique": ballots.n_unique,
        "n_rounds": len(report.rounds),
        "elected": list(report.elected),
    }


def peak_rss_mb() -> float:
    """This process's peak resident set. Linux's ``VmHWM`` starts afresh at exec, unlike
    ``ru_maxrss``, which a child inherits from the parent that forked it."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_child(path: Path, method: str, seats: int, repeat: int = 1) -> dict[str, Any]:
    """Count ``path`` in ``repeat`` fresh processes; the run of median total, with every
    run's total and the highest peak memory of any. A run of omov at 10^6 ballots lasts
    ~0.1 s, and on this VM one such run swings from 0.08 to 0.2 s with what else the
    machine does in that moment; a peer's run lasts 10 s or more and averages that out. The
    median of several runs is omov's typical time (not its best)."""
    command = [sys.executable, __file__, "--child", str(path), method, str(seats)]
    runs = []
    for _ in range(repeat):
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    runs.sort(key=lambda run: run["total"])
    median: dict[str, Any] = runs[len(runs) // 2]
    return median | {
        "totals": [run["total"] for run in runs],
        "peak_rss_mb": max(run["peak_rss_mb"] for run in runs),
    }


# -- peers ------------------------------------------------------------------------------
def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        reader = csv.reader(lines)
        next(reader)
        return [[cell for cell in row if cell] for row in reader]


def peer_pyrankvote(path: Path) -> str:
    import pyrankvote

    people = {name: pyrankvote.Candidate(name) for name in CANDIDATES}
    ballots = [pyrankvote.Ballot(ranked_candidates=[people[c] for c in row]) for row in _rows(path)]
    result = pyrankvote.instant_runoff_voting(list(people.values()), ballots)
    return str(result.get_winners()[0].name)


def peer_votekit(path: Path) -> str:
    from votekit import RankBallot, RankProfile
    from votekit.elections import IRV

    ballots = [RankBallot(ranking=[frozenset({c}) for c in row]) for row in _rows(path)]
    profile = RankProfile(ballots=ballots, candidates=list(CANDIDATES))
    return str(next(iter(IRV(profile).get_elected()[0])))


def peer_pref_voting(path: Path) -> str:
    from pref_voting.profiles_with_ties import ProfileWithTies
    from pref_voting.voting_methods import instant_runoff_for_truncated_linear_orders

    rankings = [{c: rank for rank, c in enumerate(row, start=1)} for row in _rows(path)]
    profile = ProfileWithTies(rankings, candidates=list(CANDIDATES))
    return str(instant_runoff_for_truncated_linear_orders(profile)[0])


PEERS = {"pyrankvote": peer_pyrankvote, "votekit": peer_votekit, "pref_voting": peer_pref_voting}


def time_peer(name: str, path: Path) -> tuple[float, str]:
    started = time.perf_counter()
    winner = PEERS[name](path)
    return time.perf_counter() - started, winner


# -- the report -------------------------------------------------------------------------
def _split(result: dict[str, Any]) -> str:
    totals = result.get("totals", [])
    spread = f" (median of {len(totals)}: {totals[0]:.3f}-{totals[-1]:.3f} s)"
    return (
        f"total {result['total']:6.3f} s{spread if len(totals) > 1 else ''} = parse "
        f"{result['parse']:.3f} + compress "
        f"{result['compress']:.3f} + rounds {result['rounds']:.3f}; peak RSS "
        f"{result['peak_rss_mb']:,.0f} MB; {result['ballots']:,} ballots, "
        f"{result['unique']:,} unique rankings, {result['n_rounds']} rounds"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10x smaller sizes")
    parser.add_argument("--peer-ballots", type=int, default=10_000)
    parser.add_argument(
        "--repeat", type=int, default=9, help="fresh-process runs of each omov case (median)"
    )
    parser.add_argument("--cases", default="abc", help="which of (a), (b), (c) to run")
    args = parser.parse_args()
    big, mid = (10**6, 10**5) if args.quick else (10**7, 10**6)
    with tempfile.TemporaryDirectory(prefix="omov-bench-") as folder:
        here = Path(folder)
        started = time.perf_counter()
        big_files = write_files(generate(big), here, "big") if "a" in args.cases else None
        mid_grid = generate(mid, SEED + 1)
        mid_files = write_files(mid_grid, here, "mid")
        sample_csv = write_files(mid_grid[: args.peer_ballots], here, "sample")[1]
        print(f"generated and wrote the files in {time.perf_counter() - started:.1f} s")
        if big_files is not None:
            report_a(big, big_files, args.repeat)
        if "b" in args.cases:
            report_b(mid, mid_files, sample_csv, args.peer_ballots, args.repeat)
        if "c" in args.cases:
            report_c(mid, mid_files[0], args.repeat)


def report_a(n: int, files: tuple[Path, Path], repeat: int) -> None:
    print(f"\n(a) IRV, {n:,} ballots, {N_CANDIDATES} candidates (goal <= 2 s, <= 2,048 MB)")
    nulls = files[0].with_name(files[0].stem + "-nulls.parquet")
    for label, path in [("parquet", files[0]), ("csv", files[1]), ("parquet*", nulls)]:
        result = in_child(path, "irv", 1, repeat)
        verdict = "meets" if result["total"] <= 2 and result["peak_rss_mb"] <= 2048 else "misses"
        print(f"  {label:8} {_split(result)}  [{verdict} goal]")
    print("  (parquet*: the same ballots with blank ranks as nulls rather than empty names)")


def report_b(n: int, files: tuple[Path, Path], sample: Path, sample_n: int, repeat: int) -> None:
    print(f"\n(b) end to end (read + IRV), {n:,} ballots, vs peers (goal >= 100x)")
    ours = {path.suffix[1:]: in_child(path, "irv", 1, repeat) for path in files}
    ours_sample = in_child(sample, "irv", 1)
    for label, result in ours.items():
        print(f"  omov {label:7} {result['total']:7.3f} s   ({_split(result)})")
    fastest = None
    for name in PEERS:
        seconds, winner = time_peer(name, sample)
        scaled = seconds * n / sample_n
        agrees = "agrees" if winner == ours_sample["elected"][0] else "DIFFERS"
        how = f"{seconds:.2f} s on the first {sample_n:,} ballots, scaled linearly x{n // sample_n}"
        if scaled <= FULL_PEER_SECONDS:
            # A peer's cost per ballot falls as the file grows (pyrankvote's: 12 us at 5,000
            # ballots, 8 us at 80,000), so scaling would flatter omov: run it on everything.
            scaled, winner = time_peer(name, files[1])
            agrees = "agrees" if winner == ours["csv"]["elected"][0] else "DIFFERS"
            how = "measured on the whole CSV"
        print(f"  {name:12} {scaled:7.2f} s   ({how}; winner {agrees} with omov)")
        fastest = scaled if fastest is None else min(fastest, scaled)
    assert fastest is not None
    for label, result in ours.items():
        ratio = fastest / result["total"]
        verdict = "meets" if ratio >= 100 else "misses"
        print(f"  omov from {label} is {ratio:,.0f}x faster than the fastest peer [{verdict} goal]")


def report_c(n: int, path: Path, repeat: int) -> None:
    from omov.count import METHODS

    print(f"\n(c) Scottish STV, {n:,} ballots, {N_CANDIDATES} candidates, 3 seats (goal <= 5 s)")
    if "scottish-stv" not in METHODS:
        print("  scottish-stv is not registered")
        return
    result = in_child(path, "scottish-stv", 3, repeat)
    print(f"  parquet  {_split(result)}  [{'meets' if result['total'] <= 5 else 'misses'} goal]")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        print(json.dumps(measure(Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]))))
    else:
        main()
