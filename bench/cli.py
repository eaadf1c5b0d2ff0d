"""Command-line benchmark: ``omov`` as a user runs it, a whole process from start to exit.

    .venv/bin/python bench/cli.py                 # 10^6 ballots, 3 runs each
    .venv/bin/python bench/cli.py --ballots 100000 --repeat 1   # a smoke test

(a) ``omov count FILE --method irv`` on 10^6 ballots x 16 candidates, in the formats people
    have: BLT (one line a ballot, as tabulators export), omov's CSV (a rank a column) and
    RCTab's CSV (a candidate a column, the cell its rank). Each is run against pyrankvote
    on the same ballots, in one run, alternating omov and the peer; pyrankvote's process
    parses the same file itself (BLT and both CSVs with Python's own readers), so its
    time, like omov's, is the whole process. Medians of ``--repeat`` runs, with the
    range, and each process's peak RSS. Goal: omov >= 15x faster than pyrankvote and
    <= 0.3 s on each format. ``--formats cdf`` adds NIST CDF JSON cast vote records as
    RCTab writes them (1.7 GB at 10^6 ballots; pyrankvote's ``json.load`` of it takes
    some 7 GB), against the same peer; not run by default, for its size.
(b) ``omov --help``, ``omov rules check labour/2016`` and ``omov verify`` of the demo
    bundle (``omov bundle build-demo`` over the example ward), start to exit.

(c) The floor under any of them: ``python -c pass`` and ``python -c "import numpy"``.

Every process runs with Python's bytecode cache (in a temporary folder, filled by one
unmeasured run of each command), as an installed ``omov`` does: with
``PYTHONDONTWRITEBYTECODE`` set and no cache, each run would compile every module it
imports again, and the figures would be the compiler's.

The machine may be shared: the load average is printed before and after, and figures
measured under load say so.
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.count import CANDIDATES, N_CANDIDATES, generate

print = functools.partial(print, flush=True)  # progress shows as it comes

BIN = Path(sys.executable).parent
OMOV = str(BIN / "omov")
REPO = Path(__file__).resolve().parents[1]
TIME = shutil.which("time", path="/usr/bin")
"""GNU time, for each process's own peak RSS (without it: the forked child's, an upper
bound)."""
GOAL_RATIO = 15
GOAL_SECONDS = 0.3


# -- the files --------------------------------------------------------------------------
def write_blt(grid: npt.NDArray[np.int16], path: Path) -> None:
    """One line a ballot, weight 1, as a tabulator exports a cast-vote record."""
    with path.open("w", encoding="utf-8") as out:
        out.write(f"{N_CANDIDATES} 1\n")
        for row in grid:
            ranks = " ".join(str(int(c) + 1) for c in row if c >= 0)
            out.write(f"1 {ranks} 0\n" if ranks else "1 0\n")
        out.write("0\n")
        out.writelines(f'"{name}"\n' for name in CANDIDATES)
        out.write('"bench"\n')


def write_csv(grid: npt.NDArray[np.int16], path: Path) -> None:
    """omov's CSV: a rank a column, the candidate list in the metadata line."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(f"# candidates: {json.dumps(list(CANDIDATES))}\n")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([f"rank{r + 1}" for r in range(N_CANDIDATES)])
        writer.writerows([CANDIDATES[c] if c >= 0 else "" for c in row] for row in grid)


def write_rctab_csv(grid: npt.NDArray[np.int16], path: Path) -> None:
    """RCTab's generic CSV: a ballot id, then a candidate a column holding its rank."""
    ranks = np.zeros((len(grid), N_CANDIDATES), dtype=np.int16)
    for r in range(N_CANDIDATES):
        marked = grid[:, r] >= 0
        ranks[np.flatnonzero(marked), grid[marked, r]] = r + 1
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["BallotID", *CANDIDATES])
        writer.writerows(
            [f"ballot-{i + 1}", *(str(v) if v else "" for v in row)] for i, row in enumerate(ranks)
        )


def write_cdf(grid: npt.NDArray[np.int16], path: Path) -> None:
    """NIST SP 1500-103 cast vote records in JSON as RCTab writes them (Jackson's pretty
    printer): a CVR a ballot, a contest selection a ranked candidate with its rank."""
    ids = [f"cs-{chr(ord('a') + c)}" for c in range(N_CANDIDATES)]
    marks = [
        [_CDF_SELECTION.format(selection=ids[c], rank=r + 1) for r in range(N_CANDIDATES)]
        for c in range(N_CANDIDATES)
    ]
    with path.open("w", encoding="utf-8") as out:
        out.write('{\n  "@type" : "CVR.CastVoteRecordReport",\n  "CVR" : [ ')
        for i, row in enumerate(grid.tolist()):
            selections = ", ".join(marks[c][r] for r, c in enumerate(row) if c >= 0)
            out.write(", " if i else "")
            out.write(_CDF_BALLOT.format(n=i + 1, selections=f"[ {selections} ]"))
        candidates = ",\n".join(
            f'      {{\n        "@id" : "c-{i}",\n        "Name" : {json.dumps(name)}\n      }}'
            for i, name in enumerate(CANDIDATES)
        )
        choices = ", ".join(
            f'{{\n        "@id" : "{ids[i]}",\n        "@type" : "CandidateSelection",\n'
            f'        "CandidateIds" : [ "c-{i}" ]\n      }}'
            for i in range(N_CANDIDATES)
        )
        out.write(
            ' ],\n  "Election" : [ {\n    "@id" : "election-001",\n'
            f'    "Candidate" : [\n{candidates}\n    ],\n'
            '    "Contest" : [ {\n      "@id" : "contest-001",\n'
            '      "@type" : "CandidateContest",\n      "Name" : "bench",\n'
            f'      "ContestSelection" : [ {choices} ]\n    }} ]\n  }} ],\n'
            '  "Version" : "1.0.0"\n}\n'
        )


_CDF_SELECTION = """{{
          "@type" : "CVR.CVRContestSelection",
          "ContestSelectionId" : "{selection}",
          "SelectionPosition" : [ {{
            "@type" : "CVR.SelectionPosition",
            "HasIndication" : "yes",
            "IsAllocable" : "unknown",
            "NumberVotes" : 1,
            "Rank" : {rank}
          }} ]
        }}"""
_CDF_BALLOT = """{{
    "@type" : "CVR.CVR",
    "BallotPrePrintedId" : "{n}",
    "CVRSnapshot" : [ {{
      "@id" : "ballot-{n}",
      "@type" : "CVR.CVRSnapshot",
      "CVRContest" : [ {{
        "@type" : "CVR.CVRContest",
        "CVRContestSelection" : {selections},
        "ContestId" : "contest-001"
      }} ],
      "Type" : "original"
    }} ],
    "CurrentSnapshotId" : "ballot-{n}",
    "ElectionId" : "election-001"
  }}"""


FORMATS = {
    "blt": write_blt,
    "csv": write_csv,
    "rctab-csv": write_rctab_csv,
    "cdf": write_cdf,
}
SUFFIX = {"blt": ".blt", "csv": ".csv", "rctab-csv": ".rctab.csv", "cdf": ".json"}


# -- the peer's own process ---------------------------------------------------------------
PEER = r"""
import csv, sys
import pyrankvote

fmt, path = sys.argv[1], sys.argv[2]
def blt(handle):
    n = int(handle.readline().split()[0])
    rows = []
    for line in handle:
        tokens = line.split()
        if tokens == ["0"]:
            break
        rows.append([int(t) - 1 for t in tokens[1:-1]])
    names = [handle.readline().strip().strip('"') for _ in range(n)]
    return names, [[names[c] for c in row] for row in rows]
def plain(handle):
    names = __import__("json").loads(handle.readline().split(":", 1)[1])
    reader = csv.reader(handle)
    next(reader)
    return names, [[cell for cell in row if cell] for row in reader]
def rctab(handle):
    reader = csv.reader(handle)
    names = next(reader)[1:]
    rows = []
    for row in reader:
        marked = sorted((int(v), names[i]) for i, v in enumerate(row[1:]) if v)
        rows.append([name for _, name in marked])
    return names, rows
def cdf(handle):
    report = __import__("json").load(handle)
    election = report["Election"][0]
    people = {c["@id"]: c["Name"] for c in election["Candidate"]}
    choices = election["Contest"][0]["ContestSelection"]
    chosen = {s["@id"]: people[s["CandidateIds"][0]] for s in choices}
    rows = []
    for cvr in report["CVR"]:
        marks = cvr["CVRSnapshot"][0]["CVRContest"][0]["CVRContestSelection"]
        ranked = [(p["Rank"], chosen[s["ContestSelectionId"]]) for s in marks
                  for p in s["SelectionPosition"]]
        rows.append([name for _, name in sorted(ranked)])
    return list(people.values()), rows
with open(path, newline="", encoding="utf-8") as handle:
    names, rows = {"blt": blt, "csv": plain, "rctab-csv": rctab, "cdf": cdf}[fmt](handle)
people = {name: pyrankvote.Candidate(name) for name in names}
ballots = [pyrankvote.Ballot(ranked_candidates=[people[c] for c in row]) for row in rows]
result = pyrankvote.instant_runoff_voting(list(people.values()), ballots)
print(result.get_winners()[0].name)
"""


# -- whole processes ----------------------------------------------------------------------
Run = tuple[float, float, float, str]
"""Wall seconds from start to exit, CPU seconds (user + system), peak RSS (MB), stdout."""


ENV = dict(os.environ)
"""The processes' environment: a bytecode cache, set up by ``main``."""


def run(command: Sequence[str]) -> Run:
    """One process, start to exit. Its CPU time is printed too: on a loaded machine the
    wall time of a short process swings with its neighbours, its CPU time much less."""
    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile("r") as peak:
        # GNU time forks the command and reports its peak alone: a child forked from this
        # process would count this process's memory (the ballots' grid) in its own peak.
        timed = [TIME, "-f", "%M", "-o", peak.name, *command] if TIME else list(command)
        started = time.perf_counter()
        child = subprocess.Popen(timed, stdout=out, stderr=subprocess.PIPE, env=ENV)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        error = child.stderr.read().decode() if child.stderr else ""
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{' '.join(command)} failed: {error}")
        out.seek(0)
        cpu = usage.ru_utime + usage.ru_stime  # the command's too: time waited for it
        rss_kb = int(peak.read().split()[-1]) if TIME else usage.ru_maxrss
        return wall, cpu, rss_kb / 1024, out.read().decode()


def omov_count(fmt: str, path: Path) -> list[str]:
    return [OMOV, "count", str(path), "--format", fmt, "--method", "irv", "--report", "csv"]


def winner_of(report: str) -> str:
    elected = [line.split(",")[3] for line in report.splitlines() if line.endswith(",elected")]
    return elected[0] if elected else "?"


def median_line(label: str, runs: list[Run]) -> str:
    walls = [wall for wall, _, _, _ in runs]
    cpu = statistics.median(c for _, c, _, _ in runs)
    rss = max(r for _, _, r, _ in runs)
    spread = f"{min(walls):.3f}-{max(walls):.3f}"
    return (
        f"  {label:<29} {statistics.median(walls):7.3f} s wall (runs {spread} s), "
        f"{cpu:.3f} s CPU, peak RSS {rss:,.0f} MB"
    )


def compare(fmt: str, path: Path, repeat: int) -> tuple[float, float]:
    mine: list[Run] = []
    theirs: list[Run] = []
    run(omov_count(fmt, path))  # unmeasured: the bytecode cache filled
    run([sys.executable, "-c", PEER, fmt, str(path)])
    for _ in range(repeat):  # alternating: both see the machine's moments alike
        mine.append(run(omov_count(fmt, path)))
        theirs.append(run([sys.executable, "-c", PEER, fmt, str(path)]))
    ours = {winner_of(run[3]) for run in mine}
    peers = {run[3].strip() for run in theirs}
    size = path.stat().st_size / 2**20
    print(f"{fmt} ({size:.1f} MB):")
    print(median_line("omov", mine))
    print(median_line("pyrankvote", theirs))
    if ours != peers:
        print(f"  WINNERS DIFFER: omov {ours}, pyrankvote {peers}")
    omov_s = statistics.median(run[0] for run in mine)
    peer_s = statistics.median(run[0] for run in theirs)
    ratio = peer_s / omov_s
    print(
        f"  omov {ratio:.1f}x faster than pyrankvote (goal {GOAL_RATIO}x: "
        f"{'met' if ratio >= GOAL_RATIO else 'not met'}); {omov_s:.3f} s (goal "
        f"<= {GOAL_SECONDS} s: {'met' if omov_s <= GOAL_SECONDS else 'not met'})"
    )
    return omov_s, peer_s


def start_to_exit(label: str, command: list[str], repeat: int) -> None:
    run(command)  # unmeasured: the bytecode cache filled
    print(median_line(label, [run(command) for _ in range(repeat)]))


def demo_bundle(folder: Path, env: dict[str, str]) -> Path:
    key, bundle = folder / "officer.key", folder / "bundle"
    subprocess.run([OMOV, "bundle", "keygen", str(key)], check=True, capture_output=True, env=env)
    ward = REPO / "src" / "omov" / "examples" / "ward.blt"
    subprocess.run(
        [OMOV, "bundle", "build-demo", str(ward), "-o", str(bundle), "--key", str(key)],
        check=True,
        capture_output=True,
        env=env,
    )
    return bundle


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", nargs="*", default=["blt", "csv", "rctab-csv"])
    args = parser.parse_args()
    print(f"start: {load()}")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        ENV.pop("PYTHONDONTWRITEBYTECODE", None)
        ENV["PYTHONPYCACHEPREFIX"] = str(folder / "bytecode")
        grid = generate(args.ballots)
        print(
            f"(a) omov count FILE --method irv, {args.ballots:,} ballots, {N_CANDIDATES} candidates"
        )
        for fmt in args.formats:
            path = folder / f"ballots{SUFFIX[fmt]}"
            FORMATS[fmt](grid, path)
            compare(fmt, path, args.repeat)
        print("(b) start to exit")
        env = {**ENV, "OMOV_KEY_PASSPHRASE": "bench passphrase"}
        bundle = demo_bundle(folder, env)
        repeat = max(args.repeat, 5)
        start_to_exit("omov --help", [OMOV, "--help"], repeat)
        start_to_exit(
            "omov rules check labour/2016", [OMOV, "rules", "check", "labour/2016"], repeat
        )
        # The demo's bundle is encrypted: verify checks every proof (seconds, not a start).
        start_to_exit("omov verify (demo bundle)", [OMOV, "verify", str(bundle)], args.repeat)
        print("(c) the floor")
        start_to_exit("python -c pass", [sys.executable, "-c", "pass"], repeat)
        start_to_exit("python -c 'import numpy'", [sys.executable, "-c", "import numpy"], repeat)
    print(f"end: {load()}")


if __name__ == "__main__":
    main()
