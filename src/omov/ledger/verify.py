"""``omov verify``: check a results bundle offline, one line per check.

Every check runs even when an earlier one fails, so a tampered bundle shows everything
that no longer holds. A failure names the file, the check and what differs. Checks read
files defensively: a truncated or foreign file is a failed check, never a traceback; only
a directory that is not an omov bundle at all is refused with a one-line error.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omov.ledger.board import Board
from omov.ledger.bundle import (
    ENTRIES,
    FORMAT,
    HEADS,
    MANIFEST,
    MARKER,
    OFFICER_SIGNATURE,
    SIGNATURES,
    bundle_files,
    sha256_file,
    signature_holds,
)
from omov.ledger.entries import Entry, EntryKind
from omov.ledger.errors import BundleError, LedgerError
from omov.ledger.heads import SignedTreeHead, head_matches_log, heads_consistent
from omov.ledger.log import Log


@dataclass(frozen=True)
class Check:
    name: str
    file: str
    ok: bool
    detail: str

    def line(self) -> str:
        mark = "ok  " if self.ok else "FAIL"
        return f"{mark} {self.name}: {self.file}: {self.detail}"


@dataclass
class Bundle:
    """What the checks share: the directory, its marker, and whatever could be read."""

    root: Path
    marker: dict[str, Any]
    officer_key: str | None = None
    log: Log | None = None
    board: Board | None = None

    def path(self, rel: str) -> Path:
        return self.root / rel

    def entries(self, kind: EntryKind) -> list[Entry]:
        if self.log is None:
            return []
        return [e for e in (self.log.entry(i) for i in range(self.log.size)) if e.kind == kind]

    def entry(self, kind: EntryKind) -> Entry | None:
        found = self.entries(kind)
        return found[-1] if found else None


def open_bundle(directory: Path) -> Bundle:
    """The bundle's marker, or a one-line ``BundleError`` if this is not an omov bundle."""
    if not directory.is_dir():
        raise BundleError(f"{directory}: no such directory")
    if not any(directory.iterdir()):
        raise BundleError(f"{directory}: the directory is empty, not an omov results bundle")
    marker_path = directory / MARKER
    if not marker_path.is_file():
        raise BundleError(f"{directory}: no {MARKER}; this is not an omov results bundle")
    try:
        marker = json.loads(marker_path.read_bytes())
    except (ValueError, UnicodeDecodeError):
        raise BundleError(f"{marker_path}: not JSON (is the bundle truncated?)") from None
    if not isinstance(marker, dict) or marker.get("format") != FORMAT:
        raise BundleError(f"{marker_path}: not an omov results bundle marker")
    if not isinstance(marker.get("count"), dict) or not isinstance(marker.get("candidates"), list):
        raise BundleError(f"{marker_path}: the marker lacks the count setup or candidates")
    return Bundle(directory, marker)


def check_steps() -> tuple[Callable[[Bundle], Iterable[Check]], ...]:
    """The checks ``omov verify`` runs, in order (the board before the electorate, so a
    damaged board is reported as such)."""
    from omov.ledger.verify_board import board_checks
    from omov.ledger.verify_count import count_checks, electorate_checks, rulebook_checks

    return (
        manifest_checks,
        signature_checks,
        log_checks,
        rulebook_checks,
        board_checks,
        electorate_checks,
        count_checks,
    )


def verify_bundle(
    directory: Path, *, tracker: str | None = None, expect_keys: Sequence[str] = ()
) -> list[Check]:
    from omov.ledger.verify_board import tracker_check

    bundle = open_bundle(directory)
    checks: list[Check] = []
    for step in check_steps():
        checks.extend(step(bundle))
    if expect_keys:
        checks.append(_expected_key(bundle, expect_keys))
    if tracker is not None:
        checks.append(tracker_check(bundle, tracker))
    return checks


# -- manifest and signatures ----------------------------------------------------------
def _manifest(bundle: Bundle) -> tuple[bytes, dict[str, str]] | None:
    try:
        raw = bundle.path(MANIFEST).read_bytes()
        files = json.loads(raw)["files"]
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None
    return (raw, files) if isinstance(files, dict) else None


def manifest_checks(bundle: Bundle) -> Iterator[Check]:
    read = _manifest(bundle)
    if read is None:
        yield Check("manifest", MANIFEST, False, "missing or not readable")
        return
    _, files = read
    present = set(bundle_files(bundle.root))
    bad = False
    for rel, digest in sorted(files.items()):
        if rel not in present:
            bad = True
            yield Check("manifest", rel, False, "listed in the manifest but missing")
            continue
        actual = sha256_file(bundle.path(rel))
        if actual != digest:
            bad = True
            yield Check(
                "manifest",
                rel,
                False,
                f"SHA-256 {actual[:16]}… differs from the manifest's {str(digest)[:16]}…",
            )
    for rel in sorted(present - set(files)):
        bad = True
        yield Check("manifest", rel, False, "file not listed in the manifest")
    if not bad:
        yield Check("manifest", MANIFEST, True, f"{len(files)} files match their SHA-256")


def signature_checks(bundle: Bundle) -> Iterator[Check]:
    read = _manifest(bundle)
    manifest = read[0] if read else b""
    officer = _json(bundle.path(OFFICER_SIGNATURE))
    if not isinstance(officer, dict) or not signature_holds(officer, manifest):
        yield Check(
            "signature",
            OFFICER_SIGNATURE,
            False,
            "the officer's signature of the manifest does not verify",
        )
    else:
        bundle.officer_key = str(officer["key"])
        yield Check("signature", OFFICER_SIGNATURE, True, f"signed by key {officer['key'][:16]}…")
    for path in sorted(bundle.path(SIGNATURES).glob("*.json")):
        rel = f"{SIGNATURES}/{path.name}"
        if rel == OFFICER_SIGNATURE:
            continue
        record = _json(path)
        ok = isinstance(record, dict) and signature_holds(record, manifest)
        who = (
            f"{record.get('role', '?')} {str(record.get('key', '?'))[:16]}…"
            if isinstance(record, dict)
            else "?"
        )
        yield Check(
            "countersignature",
            rel,
            ok,
            f"{who} {'countersigns' if ok else 'does not verify over'} the manifest",
        )


def _expected_key(bundle: Bundle, expect_keys: Sequence[str]) -> Check:
    key = bundle.officer_key or ""
    ok = any(key.startswith(k.replace(" ", "").lower()) for k in expect_keys if k)
    return Check(
        "officer key",
        OFFICER_SIGNATURE,
        ok,
        f"key {key[:16]}… {'is' if ok else 'is not'} the one expected",
    )


# -- the log and its heads ------------------------------------------------------------
def log_checks(bundle: Bundle) -> Iterator[Check]:
    try:
        bundle.log = Log.read(str(bundle.marker.get("contest", "")), bundle.path(ENTRIES))
    except LedgerError as error:
        yield Check(
            "log", ENTRIES, False, str(error).replace(str(bundle.path(ENTRIES)), "").lstrip(": ")
        )
        return
    heads_file = _json(bundle.path(HEADS))
    if not isinstance(heads_file, dict):
        yield Check("tree heads", HEADS, False, "missing or not JSON")
        return
    try:
        contest = [SignedTreeHead.from_json(h, source=HEADS) for h in heads_file.get("contest", [])]
        ballots = [SignedTreeHead.from_json(h, source=HEADS) for h in heads_file.get("ballots", [])]
    except LedgerError as error:
        yield Check("tree heads", HEADS, False, str(error))
        return
    yield from _head_signatures(bundle, contest + ballots)
    yield from _contest_heads(bundle, bundle.log, contest)
    yield from _ballot_heads(bundle, ballots)


def _head_signatures(bundle: Bundle, heads: list[SignedTreeHead]) -> Iterator[Check]:
    for i, head in enumerate(heads):
        if not head.signature_holds():
            yield Check(
                "tree heads",
                HEADS,
                False,
                f"head {i} ({head.head.checkpoint}, size {head.size}): signature does not verify",
            )
        elif bundle.officer_key and head.key_fingerprint != bundle.officer_key:
            yield Check(
                "tree heads",
                HEADS,
                False,
                f"head {i} is signed by {head.key_fingerprint[:16]}…, not the officer's key",
            )


def _contest_heads(bundle: Bundle, log: Log, heads: list[SignedTreeHead]) -> Iterator[Check]:
    if not heads:
        yield Check("tree heads", HEADS, False, "no signed tree head of the contest log")
        return
    problems = []
    for i, head in enumerate(heads):
        if head.head.log_id != log.log_id:
            problems.append(f"head {i} is of log {head.head.log_id!r}, not {log.log_id!r}")
        elif (wrong := head_matches_log(head, log)) is not None:
            problems.append(f"head {i} ({head.head.checkpoint}): {wrong}")
    for i, (old, new) in enumerate(itertools.pairwise(heads)):
        proof = (
            log.consistency_proof(old.size, new.size)
            if new.size <= log.size and old.size <= new.size
            else []
        )
        if (wrong := heads_consistent(old, new, proof)) is not None:
            problems.append(f"heads {i} and {i + 1}: {wrong}")
    if heads[-1].size != log.size:
        problems.append(f"the last signed head covers {heads[-1].size} of {log.size} entries")
    for problem in problems:
        yield Check("log consistency", ENTRIES, False, problem)
    if not problems:
        yield Check(
            "log consistency",
            ENTRIES,
            True,
            f"{len(heads)} signed heads, consistent with each other and the {log.size} entries",
        )


def _ballot_heads(bundle: Bundle, heads: list[SignedTreeHead]) -> Iterator[Check]:
    closed = bundle.entry(EntryKind.BALLOT_CLOSED)
    sizes = [h.size for h in heads]
    if sizes != sorted(sizes):
        yield Check("ballot log", HEADS, False, "the ballot log's signed sizes go backwards")
    elif (
        closed is not None
        and heads
        and (
            heads[-1].size != closed["ballots"] or heads[-1].root.hex() != closed["ballot_log_root"]
        )
    ):
        yield Check(
            "ballot log",
            HEADS,
            False,
            "the last ballot-log head differs from the ballot-closed entry",
        )
    elif heads:
        yield Check(
            "ballot log",
            HEADS,
            True,
            f"{len(heads)} signed heads, growing to {sizes[-1]} ballots at close",
        )


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError, UnicodeDecodeError):
        return None
