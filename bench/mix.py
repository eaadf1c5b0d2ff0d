"""The mix's benchmark: 16 candidates, 10^4 and 10^5 ballots (10^6 extrapolated).

    .venv/bin/python bench/mix.py                       # 10^4 and 10^5 ballots, 2 workers
    .venv/bin/python bench/mix.py --sizes 2000 20000    # a smoke test

Three trustees (k = 2) make the key; the ballots (random rankings of 16 candidates) are
encrypted with their proofs; two mixers each shuffle with a proof; each proof is checked;
two trustees publish decryption shares, which are checked; the shares decrypt. The last
steps: a whole encrypted contest of the same size is played as ``omov bundle build-demo``
plays it (setup: its own ballots, mixes and shares) and ``omov verify`` checks its bundle:
files, log, heads, every proof (all of ``omov trustee check``: every ballot's proof, each
mix in order, each share, the decryption), the decrypted board and the recount. Each step
prints the load average after it: the machine may be shared.

Each step runs in a fresh process (so its peak resident memory is its own), using
``--workers`` processes for the per-ballot loops; memory is printed for the step's process
and for its largest worker. The figures per ballot and the ratio of the two sizes' times
per ballot (1.00 = linear) show the growth; 10^6 is extrapolated linearly from them.
Goals (issue 17): a mixer's shuffle and proof, and its check, within 2 minutes per 10^5.

Encryption per ballot is timed on the server (the no-JavaScript path) and, with
``--browser``, in Chromium (Playwright, Debian's /usr/bin/chromium) running the app's own
``encrypt.js`` over the bundled ``@noble/curves``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import os
import pickle
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

CANDIDATES = 16
CONTEST = "bench-mix"
PEERS = """
Published figures to compare (not measured here; other machines, other groups):
- Fauzi, Lipmaa, Siim and Zajac (Asiacrypt 2017), a pairing-based shuffle argument:
  10^5 ciphertexts proved in under a minute and verified in under 1.5 minutes.
- Verificatum and Belenios use this same Terelius-Wikstrom proof; their speed comes from
  what omov's Python does not have (below).
What would close a gap: libsodium has no multi-exponentiation, so each product of N powers
costs N separate scalar multiplications (a Straus or Pippenger multi-exponentiation costs a
fraction of that, and most of a proof and its check are such products); fixed-base tables
for the election key and the generators h_i (only g has one in libsodium); ristretto255
instead of the Ed25519 subgroup, whose every variable-base multiplication also checks the
subgroup (97 against 162 us here, ADR 3); and more cores: the loops are split per worker.
"""


def _rankings(n: int, seed: int) -> list[tuple[int, ...]]:
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        order = list(range(CANDIDATES))
        rnd.shuffle(order)
        out.append(tuple(order[: rnd.randint(1, CANDIDATES)]))
    return out


def _encrypt_slice(key: bytes, rankings: list[tuple[int, ...]]) -> list[bytes]:
    from omov.secrecy.ballot import encrypt_ballot
    from omov.secrecy.group import Element

    return [encrypt_ballot(CONTEST, Element(key), r, CANDIDATES).as_bytes() for r in rankings]


# Steps: each reads its inputs from the work directory and writes its output there.


def step_keygen(work: Path, workers: int) -> str:
    from omov.secrecy.keyfile import TrusteeKey
    from omov.secrecy.messages import Roster
    from omov.secrecy.trustee import confirm, deal, introduce, keygen_outcome

    keys = [TrusteeKey.new(CONTEST, i, 3, 2) for i in (1, 2, 3)]
    messages = [introduce(k) for k in keys]
    roster = Roster.from_introductions(messages)
    messages += [deal(k, roster) for k in keys]
    finished = []
    for k in keys:
        done, m = confirm(k, roster, messages)
        finished.append(done)
        messages.append(m)
    key, _ = keygen_outcome(roster, messages)
    _save(work, "keygen", (finished, messages, key))
    return "3 trustees, k = 2"


def step_encrypt(work: Path, workers: int, n: int) -> str:
    from omov.secrecy.ballot import EncryptedBallot
    from omov.secrecy.tally import BallotBox

    _, _, key = _load(work, "keygen")
    rankings = _rankings(n, seed=n)
    per = -(-n // workers)
    with concurrent.futures.ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("spawn")
    ) as pool:
        parts = pool.map(
            _encrypt_slice, [key] * workers, [rankings[i : i + per] for i in range(0, n, per)]
        )
        raw = [b for part in parts for b in part]
    box = BallotBox(CONTEST, key, CANDIDATES, tuple(EncryptedBallot.from_bytes(b) for b in raw))
    _save(work, "box", box)
    _save(work, "rankings", rankings)
    return f"{n} ballots"


def step_mix(work: Path, workers: int, mixer: int) -> str:
    from omov.secrecy.trustee import mix

    keys, _, key = _load(work, "keygen")
    box = _load(work, "box")
    inputs = box.ciphertexts if mixer == 1 else list(_load(work, "mix1").outputs)
    message = mix(keys[mixer - 1], key, inputs, workers)
    from omov.secrecy.trustee import mix_of

    _save(work, f"mix{mixer}", mix_of(message))
    return f"{len(message.to_json()) / 1e6:.1f} MB published"


def step_check_mix(work: Path, workers: int, mixer: int) -> str:
    from omov.secrecy.shuffle_check import check_shuffle

    _, _, key = _load(work, "keygen")
    box = _load(work, "box")
    inputs = box.ciphertexts if mixer == 1 else list(_load(work, "mix1").outputs)
    failure = check_shuffle(CONTEST, key, inputs, _load(work, f"mix{mixer}"), workers)
    assert failure is None, failure
    return "holds"


def step_decrypt(work: Path, workers: int) -> str:
    from omov.secrecy.trustee import decrypt

    keys, _, _ = _load(work, "keygen")
    last = list(_load(work, "mix2").outputs)
    _save(work, "shares", [decrypt(keys[j - 1], last, workers) for j in (1, 3)])
    return "2 trustees"


def step_check_shares(work: Path, workers: int) -> str:
    from omov.secrecy.messages import Roster
    from omov.secrecy.tally import decryption_shares, rankings, share_faults
    from omov.secrecy.trustee import keygen_outcome

    _, messages, _ = _load(work, "keygen")
    box = _load(work, "box")
    last = list(_load(work, "mix2").outputs)
    roster = Roster.from_introductions(messages)
    _, verification = keygen_outcome(roster, messages)
    shares = decryption_shares(roster, [*messages, *_load(work, "shares")], last)
    assert share_faults(CONTEST, shares, verification, last, workers) == []
    papers = rankings(box, last, shares, 2, workers)
    assert sorted(papers) == sorted(_load(work, "rankings"))  # type: ignore[type-var]
    return "hold; every ranking decrypted"


def step_bundle(work: Path, workers: int, n: int) -> str:
    """A whole encrypted contest of the same size as ``omov bundle build-demo`` plays it
    (its own trustees, ballots, mixes and shares), written as a signed bundle."""
    from importlib import resources

    from omov.count import BallotSet
    from omov.ledger.bundle import write_bundle
    from omov.ledger.demo import run_demo_contest
    from omov.ledger.keys import SigningKey
    from omov.rules.counting import count_setup
    from omov.rules.loading import load_rulebook

    text = resources.files("omov.rules.rulebooks").joinpath("labour", "2016.toml").read_text()
    method, seats, options = count_setup(load_rulebook("labour/2016"))
    candidates = [f"Candidate {c + 1}" for c in range(CANDIDATES)]
    officer = SigningKey.generate()
    demo = run_demo_contest(
        BallotSet.from_rankings(candidates, _rankings(n, seed=n), title="bench"),
        rulebook_edition="labour/2016",
        rulebook_text=text,
        method=method,
        seats=seats,
        options=options,
        officer=officer,
        contest_id=CONTEST,
        encrypted=True,
        workers=workers,
    )
    write_bundle(demo.publication, work / "bundle", officer)
    size = sum(p.stat().st_size for p in (work / "bundle").rglob("*") if p.is_file())
    return f"{size / 1e6:.0f} MB bundle"


def step_verify(work: Path, workers: int) -> str:
    """``omov verify --workers``: the files, log and heads, every proof, the recount."""
    from omov.ledger.verify import verify_bundle

    checks = verify_bundle(work / "bundle", workers=workers)
    failed = [c.line() for c in checks if not c.ok]
    assert not failed, failed
    return f"all {len(checks)} checks hold"


def _save(work: Path, name: str, value: Any) -> None:
    (work / f"{name}.pickle").write_bytes(pickle.dumps(value))


def _load(work: Path, name: str) -> Any:
    return pickle.loads((work / f"{name}.pickle").read_bytes())


Result = tuple[float, float, str, float, float]
"""Wall seconds, CPU seconds (the step's process and its workers), note, peak RSS in MB of
the step's process and of its largest worker."""


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _in_process(fn: Callable[..., str], *args: Any) -> Result:
    """Run in this (fresh) process."""
    cpu = _cpu(resource.RUSAGE_SELF)
    start = time.perf_counter()
    note = fn(*args)
    elapsed = time.perf_counter() - start
    from omov.secrecy import parallel

    parallel._shutdown()  # reap the workers, so RUSAGE_CHILDREN counts them
    cpu = _cpu(resource.RUSAGE_SELF) - cpu + _cpu(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return elapsed, cpu, note, own, workers


def run_step(fn: Callable[..., str], *args: Any) -> Result:
    with concurrent.futures.ProcessPoolExecutor(
        1, mp_context=multiprocessing.get_context("spawn")
    ) as pool:
        return pool.submit(_in_process, fn, *args).result()


def time_encryption(samples: int) -> float:
    """Seconds per ballot, server side (the no-JavaScript path), one core."""
    from omov.secrecy.ballot import encrypt_ballot
    from omov.secrecy.group import base_power, random_scalar

    key = base_power(random_scalar())
    rankings = _rankings(samples, seed=1)
    start = time.process_time()
    for r in rankings:
        encrypt_ballot(CONTEST, key, r, CANDIDATES)
    return (time.process_time() - start) / samples


def time_browser_encryption(samples: int) -> float:
    """Seconds per ballot in Chromium (Playwright, Debian's /usr/bin/chromium), running the
    app's own encrypt.js over the bundled @noble/curves: encode, encrypt, prove."""
    from playwright.sync_api import sync_playwright

    from omov.secrecy.group import base_power, random_scalar

    static = Path(__file__).resolve().parent.parent / "src" / "omov" / "web" / "static" / "omov"
    key = base_power(random_scalar()).hex()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"]
        )
        page = browser.new_page()
        page.set_content("<!doctype html><title>bench</title>")
        page.add_script_tag(path=str(static / "vendor" / "noble.js"))
        page.add_script_tag(path=str(static / "encrypt.js"))
        ms = page.evaluate(
            """([key, n]) => {
                const rankings = [[3, 0, 15, 7], [1], [2, 4, 6, 8, 10, 12, 14, 0], [5, 9]];
                omovEncrypt.encryptBallot('bench', key, [0], 16);  // warm up
                const t0 = performance.now();
                for (let i = 0; i < n; i++) {
                  omovEncrypt.encryptBallot('bench', key, rankings[i % 4], 16);
                }
                return (performance.now() - t0) / n;
            }""",
            [key, samples],
        )
        browser.close()
    return float(ms) / 1000


def bench_size(n: int, workers: int, bundle: bool = True) -> dict[str, Result]:
    with tempfile.TemporaryDirectory(prefix="omov-mix-") as tmp:
        work = Path(tmp)
        results = {}
        plan: list[tuple[str, Callable[..., str], tuple[Any, ...]]] = [
            ("key generation", step_keygen, (work, workers)),
            ("encrypt ballots (setup)", step_encrypt, (work, workers, n)),
            ("mixer 1: shuffle + proof", step_mix, (work, workers, 1)),
            ("check mixer 1's proof", step_check_mix, (work, workers, 1)),
            ("mixer 2: shuffle + proof", step_mix, (work, workers, 2)),
            ("check mixer 2's proof", step_check_mix, (work, workers, 2)),
            ("2 decryption shares + proofs", step_decrypt, (work, workers)),
            ("check shares, decrypt", step_check_shares, (work, workers)),
        ]
        if bundle:
            plan += [
                ("whole contest + bundle (setup)", step_bundle, (work, workers, n)),
                ("omov verify (the bundle)", step_verify, (work, workers)),
            ]
        for name, fn, args in plan:
            results[name] = run_step(fn, *args)
            t, cpu, note, own, wk = results[name]
            print(
                f"  {n:>7} {name:<32} {t:8.1f} s wall {cpu:8.1f} s cpu  "
                f"{own:5.0f} MB (+{wk:.0f} MB/worker)  load {os.getloadavg()[0]:4.1f}  {note}",
                flush=True,
            )
        return results


def _growth(t_small: float, t_large: float, small: int, large: int) -> float:
    """Time per ballot at the large size over that at the small (1.00: linear)."""
    return (t_large / large) / (t_small / small)


def _extrapolated(t_small: float, t_large: float, small: int, large: int) -> float:
    """10^6 ballots, on the line through the two sizes."""
    return t_large + (t_large - t_small) * (1_000_000 - large) / (large - small)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[10_000, 100_000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--browser", action="store_true", help="time encryption in Chromium")
    parser.add_argument(
        "--no-bundle",
        action="store_true",
        help="skip the whole contest's bundle and omov verify (the mix's own steps only)",
    )
    args = parser.parse_args()
    small, large = args.sizes
    print(f"cores: {os.cpu_count()}, workers: {args.workers}, load average before: "
          f"{os.getloadavg()[0]:.1f}")  # fmt: skip
    per_ballot = time_encryption(500)
    print(
        "encryption with proof, server side (no-JavaScript path): "
        f"{per_ballot * 1e3:.2f} ms a ballot"
    )
    if args.browser:
        in_browser = time_browser_encryption(200)
        print(
            f"encryption with proof, in Chromium (encrypt.js): {in_browser * 1e3:.1f} ms a ballot"
        )
    runs = {n: bench_size(n, args.workers, bundle=not args.no_bundle) for n in (small, large)}
    print()
    # On a shared machine wall time follows the others' load, so growth and the 10^6
    # figures are given from CPU time (this step's process and its workers) as well.
    print(
        f"{'step':<32} {small:>9} {large:>9}  ms/ballot: wall   cpu  "
        "growth: wall  cpu  10^6 (extrap.): wall   cpu"
    )
    for name in runs[small]:
        (t_small, c_small), (t_large, c_large) = runs[small][name][:2], runs[large][name][:2]
        print(
            f"{name:<32} {t_small:8.1f}s {t_large:8.1f}s  {t_large / large * 1e3:13.2f} "
            f"{c_large / large * 1e3:5.2f}  {_growth(t_small, t_large, small, large):12.2f} "
            f"{_growth(c_small, c_large, small, large):4.2f}  "
            f"{_extrapolated(t_small, t_large, small, large):18.0f}s "
            f"{_extrapolated(c_small, c_large, small, large):5.0f}s"
        )
    print()
    print(
        f"{'peak memory, MB':<32} {small:>9} {large:>9}  (the step's process + its largest worker)"
    )
    for name in runs[small]:
        own_s, wk_s = runs[small][name][3:5]
        own_l, wk_l = runs[large][name][3:5]
        print(f"{name:<32} {own_s:6.0f}+{wk_s:<4.0f} {own_l:6.0f}+{wk_l:<4.0f}")
    for name in [n for n in runs[large] if "mixer" in n]:
        per_100k = runs[large][name][0] * 100_000 / large
        busy = runs[large][name][1] * 100_000 / large / args.workers
        verdict = "met" if per_100k <= 120 else "missed"
        print(
            f"goal, {name}: {per_100k:.0f} s per 10^5 ballots, wall (≤ 120 s): {verdict} "
            f"at load {os.getloadavg()[0]:.1f}; cpu / workers {busy:.0f} s"
        )
    print(PEERS)
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
