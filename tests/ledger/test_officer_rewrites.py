"""Mutation classes beyond the seeded suite, one or more per way issue 18 found `omov verify`
fooled. Most are made with the officer's own key (the threat: the officer is the one
cheating), rewriting the log and signing heads and manifest again. Each must fail a named
check on the named file; none may raise."""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from omov.ledger.bundle import OFFICER_SIGNATURE, signed_message, write_bundle
from omov.ledger.entries import EntryKind
from omov.ledger.heads import SignedTreeHead, sign_root
from omov.ledger.keys import SigningKey
from omov.ledger.verify import SavedHead, verify_bundle
from tests.ledger import rewrite
from tests.ledger.rewrite import copy, edit_entry, entries, kinds, rewrite_log

K = EntryKind


@dataclass(frozen=True)
class Expect:
    check: str
    file: str
    options: dict[str, Any] = field(default_factory=dict)


Mutation = Callable[[Path, random.Random, SigningKey], Expect]


def _index(lines: list[bytes], kind: EntryKind) -> int:
    return kinds(lines).index(kind)


# -- the last entry of a kind won ---------------------------------------------------------
def second_close_with_one_more_ballot(d: Path, rng: random.Random, officer: SigningKey) -> Expect:
    lines = entries(d)
    closed = lines[_index(lines, K.BALLOT_CLOSED)]
    ballots = json.loads(closed)["ballots"]
    extra = edit_entry(closed, ballots=ballots + 1, cast={"all": ballots + 1})
    lines.insert(_index(lines, K.BALLOT_CLOSED) + rng.randint(1, 3), extra)
    rewrite_log(d, officer, lines)
    return Expect("log entries", "ledger/entries.jsonl")


def eligible_logged_again_after_publication(
    d: Path, rng: random.Random, officer: SigningKey
) -> Expect:
    lines = entries(d)
    frozen = json.loads(lines[_index(lines, K.ELECTORATE_FROZEN)])
    sections = frozen["sections"]
    sections["all"]["eligible"] += rng.randint(1, 50)
    sections["all"]["on_roll"] = sections["all"]["eligible"] + sum(
        sections["all"]["excluded"].values()
    )
    lines.append(edit_entry(lines[_index(lines, K.ELECTORATE_FROZEN)], sections=sections))
    rewrite_log(d, officer, lines)
    return Expect("log entries", "ledger/entries.jsonl")


# -- the bundle's own metadata was bound to nothing ---------------------------------------
def section_counted_twice(d: Path, rng: random.Random, officer: SigningKey) -> Expect:
    def change(marker: dict[str, Any]) -> None:
        marker["sections"]["all again"] = ["all"]

    rewrite.rewrite_json(d, "omov-bundle.json", change, officer)
    return Expect("bundle facts", "omov-bundle.json")


def small_minimum_logged(d: Path, rng: random.Random, officer: SigningKey) -> Expect:
    """The officer logs a minimum section size below the rulebook's (so a 3-ballot section
    could stand alone) and signs every head again."""
    lines = entries(d)
    i = _index(lines, K.BALLOT_OPENED)
    lines[i] = edit_entry(lines[i], min_section=rng.choice([1, 2, 3]))
    rewrite_log(d, officer, lines)
    return Expect("count setup", "rulebook.toml")


def reports_deleted_and_unlisted(d: Path, rng: random.Random, officer: SigningKey) -> Expect:
    (d / "report.json").unlink()
    (d / "report-rctab.json").unlink()
    rewrite.rewrite_json(d, "omov-bundle.json", lambda m: {**m, "reports": []}, officer)
    return Expect("recount", "report.json")


# -- names and trackers were outside the Merkle leaves ------------------------------------
def winner_and_runner_up_swap_names(d: Path, rng: random.Random, officer: SigningKey) -> Expect:
    board = rewrite.board(d)
    names = list(board.candidates)
    names[0], names[1] = names[1], names[0]
    rewrite.rewrite_board(d, replace(board, candidates=tuple(names)), officer)
    return Expect("ballots", "ballots.parquet")


def candidate_not_nominated(d: Path, rng: random.Random, officer: SigningKey) -> Expect:
    lines = entries(d)
    i = _index(lines, K.BALLOT_OPENED)
    names = json.loads(lines[i])["candidates"]
    names[rng.randrange(len(names))] = "Someone Else"
    lines[i] = edit_entry(lines[i], candidates=names)
    rewrite_log(d, officer, lines)
    return Expect("candidates", "ledger/entries.jsonl")


def content_rows_swap_trackers(d: Path, rng: random.Random, officer: SigningKey) -> Expect:
    board = rewrite.board(d)
    rows = list(board.row_trackers)
    i, j = rng.sample(range(len(rows)), 2)
    rows[i], rows[j] = rows[j], rows[i]
    rewrite.rewrite_board(d, replace(board, row_trackers=tuple(rows)), officer)
    return Expect("ballots", "ballots.parquet")


# -- the electorate's figures were not compared with the log ------------------------------
def negative_exclusion(d: Path, rng: random.Random, officer: SigningKey) -> Expect:
    def change(data: dict[str, Any]) -> None:
        section = data["sections"]["all"]
        reason = rng.choice(sorted(section["excluded"]))
        section["eligible"] += section["excluded"][reason] + 1
        section["excluded"][reason] = -1
        data["totals"]["eligible"] = section["eligible"]

    rewrite.rewrite_json(d, "electorate.json", change, officer)
    return Expect("electorate", "electorate.json")


def negative_exclusion_logged(d: Path, rng: random.Random, officer: SigningKey) -> Expect:
    lines = entries(d)
    i = _index(lines, K.ELECTORATE_FROZEN)
    sections = json.loads(lines[i])["sections"]
    reason = rng.choice(sorted(sections["all"]["excluded"]))
    sections["all"]["eligible"] += sections["all"]["excluded"][reason] + 1
    sections["all"]["excluded"][reason] = -1
    lines[i] = edit_entry(lines[i], sections=sections)
    rewrite_log(d, officer, lines)
    return Expect("log facts", "ledger/entries.jsonl")


# -- lenient readers ----------------------------------------------------------------------
def cast_at_column(d: Path, rng: random.Random, officer: SigningKey) -> Expect:
    path = d / "ballots.parquet"
    table = pq.read_table(path)
    times = pa.array(np.arange(table.num_rows, dtype=np.int64) * rng.randint(1, 60))
    pq.write_table(table.append_column("cast_at", times), path)
    rewrite.resign_manifest(d, officer)
    return Expect("ballots", "ballots.parquet")


def duplicate_json_key(d: Path, rng: random.Random, officer: SigningKey) -> Expect:
    """The first key of a JSON file's top object given twice (one value for one reader, the
    other for another); where the log holds the file's digest, the officer logs the new one."""
    rel = rng.choice(["report.json", "electorate.json", "ledger/heads.json"])
    text = (d / rel).read_text()
    start = text.index("{") + 1
    quote = text.index('"', start)
    key = text[quote : text.index('"', quote + 1) + 1]
    (d / rel).write_text(f"{text[:start]}{key}: 0, {text[start:]}")
    if rel == "report.json":
        _log_report_digest(d, officer)
    rewrite.resign_manifest(d, officer)
    check = {"report.json": "recount", "electorate.json": "electorate"}.get(rel, "tree heads")
    return Expect(check, rel)


def _log_report_digest(d: Path, officer: SigningKey) -> None:
    import hashlib

    lines = entries(d)
    i = _index(lines, K.COUNT_RUN)
    reports = dict(json.loads(lines[i])["reports"])
    reports["report.json"] = hashlib.sha256((d / "report.json").read_bytes()).hexdigest()
    lines[i] = edit_entry(lines[i], reports=reports)
    rewrite_log(d, officer, lines)


def long_ballot_id(d: Path, rng: random.Random, officer: SigningKey) -> Expect:
    path = d / "ballots.parquet"
    table = pq.read_table(path)
    ids = table.column("ballot_id").to_pylist()
    k = rng.randrange(len(ids))
    ids[k] = ids[k] + "ff"
    table = table.set_column(0, "ballot_id", pa.array(ids, type=pa.string()))
    pq.write_table(table, path)
    rewrite.resign_manifest(d, officer)
    return Expect("ballots", "ballots.parquet")


# -- the count entry was never compared ---------------------------------------------------
def count_run_names_another_winner(d: Path, rng: random.Random, officer: SigningKey) -> Expect:
    lines = entries(d)
    i = _index(lines, K.COUNT_RUN)
    run = json.loads(lines[i])
    variant = rng.choice(["winner", "method", "seats"])
    change = {
        "winner": {"elected": ["Begum"]},
        "method": {"method": "fptp"},
        "seats": {"seats": run["seats"] + 1},
    }[variant]
    lines[i] = edit_entry(lines[i], **change)
    rewrite_log(d, officer, lines)
    return Expect("recount", "ledger/entries.jsonl")


# -- keys ---------------------------------------------------------------------------------
def resigned_with_a_prefix_twin(d: Path, rng: random.Random, officer: SigningKey) -> Expect:
    """Everything signed again with a key whose fingerprint begins as the officer's (one
    byte here; 16 bits took 8 s): a prefix pin would accept it, a whole one does not."""
    while not (twin := SigningKey.generate()).fingerprint.startswith(officer.fingerprint[:2]):
        pass
    heads = json.loads((d / "ledger/heads.json").read_text())
    for name in ("contest", "ballots"):
        heads[name] = [
            sign_root(SignedTreeHead.from_json(h).head, twin).to_json() for h in heads[name]
        ]
    (d / "ledger/heads.json").write_text(json.dumps(heads))
    rewrite.resign_manifest(d, twin)
    return Expect("officer key", OFFICER_SIGNATURE, {"expect_keys": (officer.fingerprint,)})


def officer_signature_copied_as_scrutineer(
    d: Path, rng: random.Random, officer: SigningKey
) -> Expect:
    record = json.loads((d / OFFICER_SIGNATURE).read_text())
    if rng.random() < 0.5:
        record["role"] = "scrutineer"
    else:  # the officer signs as a scrutineer: valid, but not a countersignature
        manifest = (d / "MANIFEST.json").read_bytes()
        message = signed_message(manifest, role="scrutineer", signer=officer.fingerprint)
        import base64

        record["role"] = "scrutineer"
        record["signature"] = base64.b64encode(officer.sign(message)).decode()
    (d / "signatures/scrutineer-copy.json").write_text(json.dumps(record))
    return Expect("countersignature", "signatures/scrutineer-copy.json")


# -- crashes and hangs --------------------------------------------------------------------
def option_value_that_crashed(d: Path, rng: random.Random, officer: SigningKey) -> Expect:
    value = rng.choice(["1/0", "NaN", "-1", "x"])

    def change(marker: dict[str, Any]) -> None:
        marker["count"]["options"][rng.choice(["meek_omega", "seed", "decimals"])] = value

    rewrite.rewrite_json(d, "omov-bundle.json", change, officer)
    return Expect("bundle facts", "omov-bundle.json")


def nan_in_a_report(d: Path, rng: random.Random, officer: SigningKey) -> Expect:
    path = d / "report.json"
    value = rng.choice(["NaN", "Infinity", "1e400", "123456789012345678901234567890"])
    path.write_text(path.read_text().rstrip()[:-1] + f', "extra": {value}}}')
    _log_report_digest(d, officer)
    return Expect("recount", "report.json")


def fifo_in_place_of_trackers(d: Path, rng: random.Random, officer: SigningKey) -> Expect:
    rel = rng.choice(["trackers.txt", "rulebook.toml", "ledger/entries.jsonl"])
    (d / rel).unlink()
    os.mkfifo(d / rel)
    return Expect("files", rel)


def symlink_out_of_the_bundle(d: Path, rng: random.Random, officer: SigningKey) -> Expect:
    rel = rng.choice(["rulebook.toml", "electorate.json"])
    target = d.parent / f"{d.name}-outside"
    target.write_bytes((d / rel).read_bytes())
    (d / rel).unlink()
    (d / rel).symlink_to(target)
    return Expect("files", rel)


# -- the log rewritten after a head an observer saved -------------------------------------
def log_rewritten_after_a_saved_head(d: Path, rng: random.Random, officer: SigningKey) -> Expect:
    saved = rewrite.contest_head(d, rng.choice(["ballot-opened", "ballot-closed"]))
    lines = entries(d)
    i = rng.choice([_index(lines, K.NOMINATION), _index(lines, K.ROLL_IMPORTED)])
    lines[i] = (
        edit_entry(lines[i], sha256="00" * 32)
        if b"roll" in lines[i]
        else edit_entry(lines[i], nominator="00" * 32)
    )
    rewrite_log(d, officer, lines)
    return Expect(
        "saved head",
        "ledger/entries.jsonl",
        {"saved_heads": (SavedHead("observer.json", saved),)},
    )


NEW_MUTATIONS: list[Mutation] = [
    second_close_with_one_more_ballot,
    eligible_logged_again_after_publication,
    section_counted_twice,
    small_minimum_logged,
    reports_deleted_and_unlisted,
    winner_and_runner_up_swap_names,
    candidate_not_nominated,
    content_rows_swap_trackers,
    negative_exclusion,
    negative_exclusion_logged,
    cast_at_column,
    duplicate_json_key,
    long_ballot_id,
    count_run_names_another_winner,
    resigned_with_a_prefix_twin,
    officer_signature_copied_as_scrutineer,
    option_value_that_crashed,
    nan_in_a_report,
    fifo_in_place_of_trackers,
    symlink_out_of_the_bundle,
    log_rewritten_after_a_saved_head,
]


@pytest.mark.parametrize("mutate", NEW_MUTATIONS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_each_new_mutation_is_caught_naming_the_check_and_file(
    mutate: Mutation, seed: int, bundle_dir: Path, tmp_path: Path, officer: SigningKey
) -> None:
    target = copy(bundle_dir, tmp_path / "b")
    expect = mutate(target, random.Random(seed), officer)
    failed = [c for c in verify_bundle(target, **expect.options) if not c.ok]
    assert (expect.check, expect.file) in {(c.name, c.file) for c in failed}, [
        c.line() for c in failed
    ]
    assert all(c.message for c in failed)


def test_the_prefix_twin_passes_without_a_pin_and_the_saved_head_without_it(
    bundle_dir: Path, tmp_path: Path, officer: SigningKey
) -> None:
    """What the pins add: without --expect-key the twin's bundle is self-consistent, and
    without the observer's head the rewritten log is (the scrutineer's countersignature
    still tells, which is why --trust matters too)."""
    twin = copy(bundle_dir, tmp_path / "twin")
    resigned_with_a_prefix_twin(twin, random.Random(0), officer)
    assert {c.name for c in verify_bundle(twin) if not c.ok} == {"countersignature"}
    rewritten = copy(bundle_dir, tmp_path / "rewritten")
    log_rewritten_after_a_saved_head(rewritten, random.Random(0), officer)
    assert {c.name for c in verify_bundle(rewritten) if not c.ok} == {"countersignature"}


def test_a_small_section_is_merged_as_the_log_says(tmp_path: Path, officer: SigningKey) -> None:
    """A 3-ballot section: merged on the board, and a marker that publishes it alone (with
    the minimum lowered) fails, as does a board that merges otherwise."""
    from omov.count import BallotSet
    from omov.ledger.demo import run_demo_contest
    from omov.rules.counting import count_setup
    from omov.rules.loading import load_rulebook
    from tests.ledger.conftest import RULEBOOK, rulebook_text

    rankings = [[0, 1, 2]] * 30 + [[1, 0]] * 25 + [[2, 1]] * 4 + [[1, 2]] * 20 + [[0]] * 3
    sections = ["members"] * 35 + ["supporters"] * 20 + ["affiliates"] * 24 + ["overseas"] * 3
    ballots = BallotSet.from_rankings(["Ann", "Bo", "Cy"], rankings, sections=sections)
    method, seats, options = count_setup(load_rulebook(RULEBOOK))
    demo = run_demo_contest(
        ballots,
        rulebook_edition=RULEBOOK,
        rulebook_text=rulebook_text(),
        method=method,
        seats=seats,
        options=options,
        officer=officer,
    )
    write_bundle(demo.publication, tmp_path / "b", officer)
    assert [c.line() for c in verify_bundle(tmp_path / "b") if not c.ok] == []
    marker = json.loads((tmp_path / "b/omov-bundle.json").read_text())
    assert "overseas" not in marker["sections"]

    unmerged = copy(tmp_path / "b", tmp_path / "unmerged")

    def publish_alone(m: dict[str, Any]) -> None:
        m["min_section"] = 3
        m["sections"] = {s: [s] for s in ("affiliates", "members", "overseas", "supporters")}

    rewrite.rewrite_json(unmerged, "omov-bundle.json", publish_alone, officer)
    failed = {(c.name, c.file) for c in verify_bundle(unmerged) if not c.ok}
    assert ("bundle facts", "omov-bundle.json") in failed

    relabelled = copy(tmp_path / "b", tmp_path / "relabelled")
    board = rewrite.board(relabelled)
    names = tuple("overseas" if "overseas" in s else s for s in board.section_names)
    rewrite.rewrite_board(relabelled, replace(board, section_names=names), officer)
    failed = {(c.name, c.file) for c in verify_bundle(relabelled) if not c.ok}
    assert ("ballots", "ballots.parquet") in failed
