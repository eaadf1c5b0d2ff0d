"""``omov verify`` on a petition's signed count: read once, strictly, then pure steps.

Each step is a function ``(evidence, expect_keys) -> checks``, as the results bundle's are
(``omov.ledger.verify``). The count is derived from the log's signature leaves and compared
with what the ``petition-closed`` entry and ``count.json`` state; every head must be the
organisation's, match the log and extend the one before; no signer may appear twice.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import rfc8785

from omov.ledger import strict_json
from omov.ledger.errors import BundleError, LedgerError
from omov.ledger.heads import SignedTreeHead, head_matches_log, heads_consistent
from omov.ledger.log import Log
from omov.ledger.petition import (
    CLOSED,
    COUNT,
    COUNTED,
    ENTRIES,
    FORMAT,
    HEADS,
    KINDS,
    MANIFEST,
    MARKER,
    OPENED,
    OTHER_UNITS,
    REJECTED,
    REVIEWED,
    RULEBOOK,
    SIGNATURE,
    SIGNATURE_LEAF,
    TEXT,
    VERSION,
    Leaf,
    count_of,
    leaf_fields,
    marker_of,
)
from omov.ledger.verify.archive import bundle_files, bundle_root
from omov.ledger.verify.check import Check, failed, passed
from omov.ledger.verify.files import BundleFiles
from omov.ledger.verify.steps_keys import signer


@dataclass(frozen=True)
class PetitionEvidence:
    files: BundleFiles
    marker: Any
    heads: tuple[SignedTreeHead, ...]
    log: Log | None
    entries: tuple[Mapping[str, Any], ...]
    problems: tuple[Check, ...]

    def first(self, kind: str) -> Mapping[str, Any] | None:
        return next((e for e in self.entries if e.get("kind") == kind), None)

    def leaves(self) -> list[Leaf | None]:
        return [leaf_fields(e) for e in self.entries if e.get("kind") == SIGNATURE_LEAF]


def petition_files(path: Path) -> BundleFiles | None:
    """The files of the petition's count at ``path`` (a directory, the folder it was
    unzipped into, or a zip), read once for ``verify_petition``; ``None`` if it holds none
    (a contest's results, whose files are then read once by the results' verify)."""
    if not _lists_marker(path):
        return None
    try:
        _, files = bundle_files(path, marker=MARKER)
    except BundleError:
        return None
    return files if MARKER in files.data else None


def _lists_marker(path: Path) -> bool:
    """Whether the petition's marker is among the names ``bundle_files`` would read (its
    zip's directory, or the bundle's folder), nothing read: without it, ``bundle_files``
    finds no marker either."""
    if path.is_file() and not path.is_symlink():
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError):
            return False  # bundle_files refuses it too
        return any(name == MARKER or name.endswith(f"/{MARKER}") for name in names)
    try:
        root = bundle_root(path, marker=MARKER)
    except BundleError:
        return False
    return os.path.lexists(root / MARKER)


def read_petition(path: Path, files: BundleFiles | None = None) -> PetitionEvidence:
    """The evidence of the count at ``path``, from its ``files`` if they were read."""
    if files is None:
        _, files = bundle_files(path, marker=MARKER)
    problems: list[Check] = [
        failed("files", rel, why)  # each reason names the fault: files.py, archive.py
        for rel, why in files.refused.items()
    ]
    marker = _json(files, MARKER, "marker", problems)
    heads_value = _json(files, HEADS, "tree heads", problems)
    heads: tuple[SignedTreeHead, ...] = ()
    try:
        if heads_value is not None:
            if not isinstance(heads_value, dict) or set(heads_value) != {"petition"}:
                raise LedgerError("holds other than the petition log's heads")
            raw = heads_value["petition"]
            if not isinstance(raw, list):
                raise LedgerError("the heads are a list")
            heads = tuple(SignedTreeHead.from_json(h, source=HEADS) for h in raw)
    except LedgerError as error:
        problems.append(failed("tree heads", HEADS, str(error).removeprefix(f"{HEADS}: ")))
    log, entries = _log(files, heads, problems)
    return PetitionEvidence(files, marker, heads, log, entries, tuple(problems))


def _json(files: BundleFiles, rel: str, name: str, problems: list[Check]) -> Any:
    data = files.get(rel)
    if data is None:
        problems.append(failed(name, rel, "missing"))
        return None
    try:
        return strict_json.loads(data, source=rel)
    except BundleError as error:
        problems.append(failed(name, rel, str(error).removeprefix(f"{rel}: ")))
        return None


def _log(
    files: BundleFiles, heads: Sequence[SignedTreeHead], problems: list[Check]
) -> tuple[Log | None, tuple[Mapping[str, Any], ...]]:
    data = files.get(ENTRIES)
    if data is None:
        problems.append(failed("log", ENTRIES, "missing"))
        return None, ()
    if data and not data.endswith(b"\n"):
        problems.append(failed("log", ENTRIES, "the last line is cut short (no newline)"))
        return None, ()
    lines = data.split(b"\n")[:-1]
    entries = []
    for number, line in enumerate(lines, 1):
        try:
            value = strict_json.loads_canonical(line, source=f"line {number}")
        except BundleError as error:
            problems.append(failed("log", ENTRIES, str(error)))
            return None, ()
        if not isinstance(value, dict) or value.get("kind") not in KINDS:
            problems.append(failed("log", ENTRIES, f"line {number}: not a petition log entry"))
            return None, ()
        entries.append(MappingProxyType(value))
    log_id = heads[0].head.log_id if heads else ""
    return Log(log_id, lines), tuple(entries)


# -- the steps --------------------------------------------------------------------------
def reading(ev: PetitionEvidence, expect: Sequence[str]) -> Iterator[Check]:
    yield from ev.problems


def manifest(ev: PetitionEvidence, expect: Sequence[str]) -> Iterator[Check]:
    data = ev.files.get(MANIFEST)
    try:
        value = strict_json.loads(data or b"", source=MANIFEST) if data else None
        if not isinstance(value, dict) or (value.get("format"), value.get("version")) != (
            FORMAT,
            VERSION,
        ):
            raise BundleError("not a petition count's manifest of this version")
        if bytes(rfc8785.dumps(value)) != data:
            raise BundleError("not in canonical JSON (RFC 8785) form")
        listed = value.get("files")
        if not isinstance(listed, dict):
            raise BundleError("no files listed")
    except BundleError as error:
        yield failed("manifest", MANIFEST, str(error).removeprefix(f"{MANIFEST}: "))
        return
    present = {r for r in ev.files.data if r != MANIFEST and not r.startswith("signatures/")}
    bad = sorted(present - set(listed))
    for rel in bad:
        yield failed("manifest", rel, "file not listed in the manifest")
    for rel, digest in sorted(listed.items()):
        found = ev.files.get(rel)
        if found is None or hashlib.sha256(found).hexdigest() != digest:
            bad.append(rel)
            yield failed("manifest", rel, "missing, or its SHA-256 differs from the manifest's")
    if not bad:
        yield passed("manifest", MANIFEST, f"{len(listed)} files match their SHA-256")


def organisation_key(ev: PetitionEvidence) -> str | None:
    import json

    data = ev.files.get(SIGNATURE)
    try:
        record = json.loads(data) if data else None
    except ValueError:
        return None
    if not isinstance(record, dict) or record.get("role") != "organisation":
        return None
    return signer(record, ev.files.get(MANIFEST))


def signature(ev: PetitionEvidence, expect: Sequence[str]) -> Iterator[Check]:
    key = organisation_key(ev)
    if key is None:
        yield failed("signature", SIGNATURE, "the organisation's signature does not verify")
        return
    yield passed("signature", SIGNATURE, f"the organisation, key {key}")
    if expect:
        ok = key in expect
        yield Check(
            "organisation key",
            SIGNATURE,
            ok,
            f"key {key} {'is' if ok else 'is not'} the one expected",
        )


def heads(ev: PetitionEvidence, expect: Sequence[str]) -> Iterator[Check]:
    log, key = ev.log, organisation_key(ev)
    if log is None or not ev.heads:
        yield failed("tree heads", HEADS, "no signed head of the petition's log")
        return
    faults = []
    for n, head in enumerate(ev.heads):
        if not head.signature_holds() or head.key_fingerprint != key:
            faults.append(f"head {n} is not signed by the organisation's key")
        if (why := head_matches_log(head, log)) is not None:
            faults.append(f"head {n}: {why}")
        if n and head.size >= ev.heads[n - 1].size:
            old = ev.heads[n - 1]
            proof = log.consistency_proof(old.size, head.size) if head.size <= log.size else []
            if (why := heads_consistent(old, head, proof)) is not None:
                faults.append(f"head {n}: {why}")
        elif n:
            faults.append(f"head {n} has fewer entries than the head before it")
    last = ev.heads[-1]
    if last.head.checkpoint != CLOSED or last.size != log.size:
        faults.append(f"the last head is not the {CLOSED} head of the whole log")
    if faults:
        yield from (failed("tree heads", HEADS, fault) for fault in faults)
    else:
        yield passed(
            "tree heads", HEADS, f"{len(ev.heads)} heads, the last of all {log.size} entries"
        )


def log_order(ev: PetitionEvidence, expect: Sequence[str]) -> Iterator[Check]:
    kinds = [e["kind"] for e in ev.entries]
    faults = []
    if not kinds or kinds[0] != OPENED or kinds.count(OPENED) != 1:
        faults.append(f"the log begins with its one {OPENED} entry")
    if not kinds or kinds[-1] != CLOSED or kinds.count(CLOSED) != 1:
        faults.append(f"the log ends with its one {CLOSED} entry")
    if SIGNATURE_LEAF in kinds:
        first = kinds.index(SIGNATURE_LEAF)
        if any(k != SIGNATURE_LEAF for k in kinds[first:-1]):
            faults.append("the signature leaves are not together just before the close")
    leaves = ev.leaves()
    bad = [n for n, leaf in enumerate(leaves) if leaf is None]
    if bad:
        faults.append(f"signature {bad[0]} is not as published (signer, class, unit, status)")
    signers = [leaf.signer for leaf in leaves if leaf is not None]
    if any(a >= b for a, b in itertools.pairwise(signers)):
        faults.append(
            "signers are not in strictly rising order: someone appears twice or out of order"
        )
    if faults:
        yield from (failed("log entries", ENTRIES, fault) for fault in faults)
    else:
        yield passed("log entries", ENTRIES, f"{len(signers)} signatures, each signer once")


def reviews(ev: PetitionEvidence, expect: Sequence[str]) -> Iterator[Check]:
    decided: dict[str, bool] = {}
    faults = []
    for entry in ev.entries:
        if entry["kind"] == REVIEWED:
            who = str(entry.get("signer"))
            if who in decided:
                faults.append(f"signer {who[:16]}… reviewed twice")
            decided[who] = bool(entry.get("accepted"))
    for leaf in ev.leaves():
        if leaf is None:
            continue
        accepted = decided.pop(leaf.signer, None)
        wanted = {True: COUNTED, False: REJECTED}.get(accepted) if accepted is not None else None
        if wanted is not None and leaf.status != wanted:
            faults.append(f"signer {leaf.signer[:16]}… was reviewed {wanted} but is {leaf.status}")
        if accepted is None and leaf.status == REJECTED:
            faults.append(f"signer {leaf.signer[:16]}… is rejected with no review in the log")
    faults += [f"signer {who[:16]}… was reviewed but has no signature" for who in decided]
    if faults:
        yield from (failed("reviews", ENTRIES, fault) for fault in faults)
    else:
        yield passed("reviews", ENTRIES, "every review decided its signature; none dropped")


def count(ev: PetitionEvidence, expect: Sequence[str]) -> Iterator[Check]:
    closed = ev.first(CLOSED)
    book = _rulebook(ev)
    if closed is None or book is None or any(leaf is None for leaf in ev.leaves()):
        yield failed("count", COUNT, "cannot be recounted (see the checks above)")
        return
    petitions = book.local.petitions if book.local is not None else None
    thresholds = [t.signatures for t in petitions.thresholds] if petitions else []
    leaves = [leaf for leaf in ev.leaves() if leaf is not None]
    recount = count_of(leaves, thresholds)
    stated = {name: closed.get(name) for name in recount}
    file_value = _json(ev.files, COUNT, "count", [])
    faults = []
    if stated != recount or closed.get("signatures") != len(leaves):
        faults.append(
            f"the {CLOSED} entry states {_short(stated)}; the leaves give {_short(recount)}"
        )
    if file_value != recount:
        faults.append(f"{COUNT} states {_short(file_value)}; the leaves give {_short(recount)}")
    least = petitions.min_published if petitions else 1
    small = [u for u, n in recount["by_unit"].items() if n < least and u != OTHER_UNITS]
    if small:
        faults.append(f"units published with fewer than {least} signatures: {', '.join(small)}")
    if faults:
        yield from (failed("count", COUNT, fault) for fault in faults)
    else:
        yield passed(
            "count",
            COUNT,
            f"{recount['total']:,} counted: {recount['members']:,} members, "
            f"{recount['non_members']:,} non-members, {len(recount['by_unit'])} units; "
            f"{recount['awaiting_review']} awaiting review, {recount['rejected']} rejected",
        )


def facts(ev: PetitionEvidence, expect: Sequence[str]) -> Iterator[Check]:
    opened = ev.first(OPENED)
    if opened is None:
        return
    faults = []
    for rel, field in ((TEXT, "text_sha256"), (RULEBOOK, "rulebook_sha256")):
        data = ev.files.get(rel)
        if data is None or hashlib.sha256(data).hexdigest() != opened.get(field):
            faults.append(f"{rel}'s SHA-256 is not the one the {OPENED} entry records")
    log_id = ev.heads[0].head.log_id if ev.heads else ""
    wanted = marker_of(log_id, str(opened.get("title")), str(opened.get("rulebook")))
    if ev.marker != wanted or opened.get("petition") != log_id:
        faults.append(f"{MARKER} is not the one derived from the log")
    if faults:
        yield from (failed("petition", MARKER, fault) for fault in faults)
    else:
        yield passed(
            "petition", MARKER, f"{opened.get('title')!s} under {opened.get('rulebook')!s}"
        )


def _rulebook(ev: PetitionEvidence) -> Any:
    from omov.rules import RulesError
    from omov.rules.loading import rulebook_from_text

    data = ev.files.get(RULEBOOK)
    try:
        return rulebook_from_text(data.decode("utf-8"), label=RULEBOOK) if data else None
    except (RulesError, UnicodeDecodeError):
        return None


def _short(value: Any) -> str:
    if not isinstance(value, Mapping):
        return repr(value)
    total, members, others = (value.get(k) for k in ("total", "members", "non_members"))
    return f"total {total}, members {members}, non-members {others}"


STEPS = (reading, manifest, signature, heads, log_order, reviews, count, facts)


def verify_petition(
    path: Path, *, expect_keys: Sequence[str] = (), files: BundleFiles | None = None
) -> list[Check]:
    evidence = read_petition(path, files)
    return [check for step in STEPS for check in step(evidence, tuple(expect_keys))]
