"""A whole contest run in memory, from ballots to a publication, for demos and tests.

The web app records each decision as it happens; this module plays a contest through
the same ledger steps from a ballot file, with a made-up electorate around the ballots,
so that ``omov bundle build-demo``, the tests and the benchmark exercise exactly the code
the web app will call. Randomness (ballot ids, trackers, who voted) comes from seeds
here, so tests can rebuild a bundle with one thing changed; the web app draws them from
``secrets`` instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from omov.count import BallotSet, CountOptions, count
from omov.count.reports import REPORT_WRITERS, render_report
from omov.ledger.board import (
    ID_BYTES,
    TrackerMode,
    board_from_cast,
    merge_small_sections,
    published_sections,
    relabel_sections,
)
from omov.ledger.bundle import REPORT_FILES, Publication, SectionStats
from omov.ledger.demo_secrecy import (
    DemoTrustees,
    MixStep,
    boxes_of,
    cast_rankings,
    encrypt_all,
    make_key,
    mix_and_decrypt,
)
from omov.ledger.entries import EntryKind, make_entry, person_key, sha256_hex
from omov.ledger.heads import Checkpoint, SignedTreeHead, sign_head
from omov.ledger.keys import SigningKey
from omov.ledger.log import Log
from omov.ledger.setup import setup_from_text
from omov.secrecy.ballot import EncryptedBallot, tracker

BASE32 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
EXCLUSION_REASONS = ("joined-after-freeze", "in-arrears", "under-18")


@dataclass(frozen=True)
class DemoContest:
    publication: Publication
    tracker_of_elector: Mapping[str, str]
    """Who got which tracker: known only inside the simulation, never published."""
    ballot_log: Log
    ballot_heads: tuple[SignedTreeHead, ...]
    trustees: DemoTrustees | None = None
    """An encrypted contest's trustees, keys and all: known only inside the simulation."""


def run_demo_contest(
    ballots: BallotSet,
    *,
    rulebook_edition: str,
    rulebook_text: str,
    method: str,
    seats: int,
    options: CountOptions,
    officer: SigningKey,
    contest_id: str = "demo",
    seed: int = 0,
    tracker_seed: int | None = None,
    elector_seed: int | None = None,
    checkpoints: int = 4,
    encrypted: bool = False,
    mixer: MixStep | None = None,
    workers: int = 1,
) -> DemoContest:
    """Play a contest through the ledger. ``tracker_seed`` shuffles which ballot gets which
    tracker and ``elector_seed`` which elector casts which ballot, leaving all else alone.
    The tracker mode and the smallest section published alone are the rulebook's.
    ``encrypted``: the ballots are encrypted, mixed (by ``mixer``: a test swaps in a
    cheating one) and decrypted by trustees, as the web app does (``demo_secrecy``), with
    ``workers`` processes for the per-ballot loops."""
    setup = setup_from_text(rulebook_text)
    mode, min_section = TrackerMode(setup.trackers), setup.min_section
    rng = np.random.default_rng(seed)
    secret = hashlib.sha256(f"{contest_id} person key {seed}".encode()).digest()
    log = Log(contest_id)
    heads: list[SignedTreeHead] = []
    sections = ballots.section_names or ("all",)
    per_section = _ballots_per_section(ballots, sections)
    electorate = _electorate(dict(zip(sections, per_section, strict=True)), rng)

    log.append(
        make_entry(
            EntryKind.RULEBOOK_LOADED,
            edition=rulebook_edition,
            sha256=sha256_hex(rulebook_text.encode("utf-8")),
        )
    )
    log.append(
        make_entry(
            EntryKind.ENGINE_DECISION,
            decision="contest triggered: vacancy in the office",
            rule=rulebook_edition,
        )
    )
    for i, candidate in enumerate(ballots.candidates):
        nominator = person_key(secret, f"nominator-{i}")
        log.append(make_entry(EntryKind.NOMINATION, candidate=candidate, nominator=nominator))
    electors = _record_electorate(log, electorate, secret)
    log.append(
        make_entry(
            EntryKind.CREDENTIALS_ISSUED,
            issued={s: e.credentials_issued for s, e in sorted(electorate.items())},
        )
    )
    trustees = None
    if encrypted:
        trustees, made = make_key(contest_id, rulebook_edition, setup.trustees, setup.threshold)
        for entry in made:
            log.append(entry)
    log.append(
        make_entry(
            EntryKind.BALLOT_OPENED,
            title=ballots.title or contest_id,
            candidates=list(ballots.candidates),
            sections=list(sections),
            min_section=min_section,
            trackers=mode.value,
        )
    )
    heads.append(sign_head(log, officer, Checkpoint.BALLOT_OPENED))
    for i in sorted(ballots.withdrawn):
        log.append(make_entry(EntryKind.CANDIDATE_WITHDRAWN, candidate=ballots.candidates[i]))

    order = _cast_order(ballots, rng)
    n = len(order)
    ids = np.frombuffer(rng.bytes(ID_BYTES * n), dtype=f"S{ID_BYTES}").copy()
    trackers = _trackers(rng, n)
    sealed: list[EncryptedBallot] = []
    if trustees is not None:
        sealed = encrypt_all(
            trustees, cast_rankings(ballots, order), len(ballots.candidates), workers
        )
        trackers = [tracker(b) for b in sealed]
    if tracker_seed is not None:
        np.random.default_rng(tracker_seed).shuffle(trackers)
    ballot_log, ballot_heads = _ballot_log(contest_id, ballots, order, ids, officer, checkpoints)
    voters = _voters(electors, ballots, order, sections, elector_seed)
    log.append(
        make_entry(
            EntryKind.BALLOT_CLOSED,
            ballots=n,
            ballot_log_root=ballot_log.root().hex(),
            cast=dict(zip(sections, per_section, strict=True)),
        )
    )
    heads.append(sign_head(log, officer, Checkpoint.BALLOT_CLOSED))

    mapping = merge_small_sections(dict(zip(sections, per_section, strict=True)), min_section)
    published = relabel_sections(ballots, mapping) if ballots.section_names else ballots
    row_order = _rows_after_relabel(ballots, published, mapping, order)
    board = board_from_cast(
        published,
        ids=ids,
        row_order=row_order,
        trackers=list(trackers),
        mode=mode,
    )
    sealed_ballots = None
    if trustees is not None:
        boxes = boxes_of(trustees, sealed, published, row_order)
        sealed_ballots, decrypted = mix_and_decrypt(trustees, boxes, mixer, workers)
        for entry in decrypted:
            log.append(entry)
    counted = board.ballot_set(ballots.withdrawn)
    report = count(counted, method=method, seats=seats, options=options)
    texts: dict[str, str] = {
        name: render_report(report, name)
        for name in ("json", "rctab-json")
        if name in REPORT_WRITERS
    }
    log.append(
        make_entry(
            EntryKind.COUNT_RUN,
            method=method,
            seats=seats,
            elected=list(report.elected),
            reports={REPORT_FILES[name]: sha256_hex(t.encode()) for name, t in texts.items()},
        )
    )
    log.append(
        make_entry(
            EntryKind.RESULTS_PUBLISHED,
            board_root=board.root().hex(),
            trackers_sha256=board.trackers_sha256(),
            ballots=board.size,
        )
    )
    heads.append(sign_head(log, officer, Checkpoint.PUBLISHED))
    pub = Publication(
        contest_id=contest_id,
        title=ballots.title or contest_id,
        rulebook_edition=rulebook_edition,
        rulebook_text=rulebook_text,
        method=method,
        seats=seats,
        options=options,
        board=board,
        report=report,
        report_texts=texts,
        electorate=electorate,
        sections=published_sections(mapping),
        min_section=min_section,
        contest_log=log,
        contest_heads=tuple(heads),
        ballot_heads=ballot_heads,
        encrypted=sealed_ballots,
    )
    tracker_of = {elector: trackers[k] for k, elector in enumerate(voters)}
    return DemoContest(pub, tracker_of, ballot_log, ballot_heads, trustees)


def _ballots_per_section(ballots: BallotSet, sections: tuple[str, ...]) -> list[int]:
    counts = np.bincount(ballots.section_ids, weights=ballots.weights, minlength=len(sections))
    return [int(c) for c in counts]


def _electorate(per_section: dict[str, int], rng: np.random.Generator) -> dict[str, SectionStats]:
    """A made-up electorate around the ballots: everyone who voted was eligible."""
    stats = {}
    for section, cast in per_section.items():
        credentials = cast + int(rng.integers(0, cast // 2 + 2))
        excluded = {r: int(rng.integers(0, cast // 50 + 2)) for r in EXCLUSION_REASONS}
        on_roll = credentials + int(rng.integers(0, 3)) + sum(excluded.values())
        stats[section] = SectionStats(on_roll, excluded, credentials)
    return stats


def _record_electorate(
    log: Log, electorate: dict[str, SectionStats], secret: bytes
) -> dict[str, list[str]]:
    """Roll imports and exclusions into the log; returns each section's credential holders."""
    holders: dict[str, list[str]] = {}
    for section, stats in sorted(electorate.items()):
        people = [f"{section}-{k:07d}" for k in range(stats.on_roll)]
        roll = "\n".join(people).encode()
        log.append(
            make_entry(
                EntryKind.ROLL_IMPORTED, section=section, sha256=sha256_hex(roll), rows=len(people)
            )
        )
        k = 0
        for reason, n in sorted(stats.excluded.items()):
            for person in people[k : k + n]:
                log.append(
                    make_entry(
                        EntryKind.ELIGIBILITY_DECIDED,
                        person=person_key(secret, person),
                        section=section,
                        eligible=False,
                        reason=reason,
                    )
                )
            k += n
        holders[section] = people[k : k + stats.credentials_issued]
    frozen = {s: e.frozen_json() for s, e in sorted(electorate.items())}
    digest = sha256_hex(repr(sorted((s, e.to_json()) for s, e in electorate.items())).encode())
    log.append(make_entry(EntryKind.ELECTORATE_FROZEN, sha256=digest, sections=frozen))
    return holders


def _cast_order(ballots: BallotSet, rng: np.random.Generator) -> np.ndarray:
    rows = np.repeat(np.arange(ballots.n_unique), ballots.weights)
    rng.shuffle(rows)
    return rows


def _trackers(rng: np.random.Generator, n: int) -> list[str]:
    """n trackers of 10 random bytes (80 bits: 16 base32 characters), encoded in bulk."""
    bits = np.unpackbits(np.frombuffer(rng.bytes(10 * n), dtype=np.uint8).reshape(n, 10), axis=1)
    digits = bits.reshape(n, 16, 5) @ np.array([16, 8, 4, 2, 1], dtype=np.uint8)
    letters = np.frombuffer(BASE32, dtype=np.uint8)[digits]
    dashed = np.full((n, 19), ord("-"), dtype=np.uint8)
    for group in range(4):
        dashed[:, 5 * group : 5 * group + 4] = letters[:, 4 * group : 4 * group + 4]
    text = dashed.tobytes().decode()
    return [text[k : k + 19] for k in range(0, 19 * n, 19)]


def _ballot_log(
    contest_id: str,
    ballots: BallotSet,
    order: np.ndarray,
    ids: np.ndarray,
    officer: SigningKey,
    checkpoints: int,
) -> tuple[Log, tuple[SignedTreeHead, ...]]:
    """The ballots' own log, in casting order, with heads every n/checkpoints ballots."""
    log = Log(f"{contest_id}/ballots")
    heads = [sign_head(log, officer, Checkpoint.BALLOT_OPENED)]
    every = max(1, len(order) // max(1, checkpoints))
    ranks = ballots.rankings.astype(">i2")
    sections = ballots.section_ids.astype(">i2")
    width = ranks.shape[1]
    rows = np.empty(
        len(order), dtype=[("id", f"S{ID_BYTES}"), ("s", ">i2"), ("r", ">i2", (width,))]
    )
    rows["id"], rows["s"], rows["r"] = ids, sections[order], ranks[order]
    raw, step = rows.tobytes(), rows.itemsize
    for start in range(0, len(order), every):
        end = min(start + every, len(order))
        log.extend_bytes([raw[i : i + step] for i in range(start * step, end * step, step)])
        if end < len(order):
            heads.append(sign_head(log, officer, Checkpoint.WHILE_OPEN))
    heads.append(sign_head(log, officer, Checkpoint.BALLOT_CLOSED))
    return log, tuple(heads)


def _voters(
    electors: dict[str, list[str]],
    ballots: BallotSet,
    order: np.ndarray,
    sections: tuple[str, ...],
    elector_seed: int | None,
) -> list[str]:
    """Which credential holder cast each ballot, in casting order."""
    pools = {s: list(people) for s, people in electors.items()}
    rng = np.random.default_rng(elector_seed)
    for people in pools.values():
        rng.shuffle(people)
    section_of = ballots.section_ids[order] if ballots.section_names else np.zeros(len(order), int)
    return [pools[sections[s]].pop() for s in section_of.tolist()]


def _rows_after_relabel(
    original: BallotSet, published: BallotSet, mapping: Mapping[str, str], order: np.ndarray
) -> np.ndarray:
    """Map each cast ballot's row in ``original`` to its row in the relabelled set."""
    if published is original:
        return order
    labels = [published.section_names.index(mapping[s]) for s in original.section_names]
    index = {
        (int(s), r.tobytes()): i
        for i, (s, r) in enumerate(zip(published.section_ids, published.rankings, strict=True))
    }
    lookup = np.array(
        [
            index[(labels[int(s)], r.tobytes())]
            for s, r in zip(original.section_ids, original.rankings, strict=True)
        ],
        dtype=np.intp,
    )
    mapped: np.ndarray = lookup[order]
    return mapped
