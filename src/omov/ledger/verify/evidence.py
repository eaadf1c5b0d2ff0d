"""Everything read from a bundle, once, before any check runs.

Each file is read strictly (``files``, ``strict_json``, the board's exact schema); what
cannot be read is a failed ``Check`` in ``problems`` and the value is ``None``, so a step
that needs it says nothing more. The contest's facts come from the log alone
(``logged.logged_facts``) and the count setup from the rulebook alone (``setup``); the
marker is read only to be compared with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from omov.count.ballots import BallotSet
from omov.ledger import strict_json
from omov.ledger.board import Board
from omov.ledger.board_file import board_from_bytes
from omov.ledger.bundle import (
    BALLOTS,
    ENTRIES,
    FORMAT,
    HEADS,
    MANIFEST,
    MARKER,
    RULEBOOK,
    SIGNATURES,
    TRACKERS,
    VERSION,
)
from omov.ledger.encrypted import BOXES, TRUSTEES, EncryptedBallots, LoggedTrustees, logged_trustees
from omov.ledger.entries import Entry
from omov.ledger.errors import BundleError, LedgerError
from omov.ledger.heads import SignedTreeHead
from omov.ledger.log import Log
from omov.ledger.logged import LoggedFacts, logged_facts
from omov.ledger.setup import RulebookSetup, setup_from_text
from omov.ledger.verify.archive import bundle_files
from omov.ledger.verify.check import Check, failed
from omov.ledger.verify.files import BundleFiles
from omov.secrecy.transcript import TranscriptOutcome, check_transcript


@dataclass(frozen=True)
class Heads:
    contest: tuple[SignedTreeHead, ...]
    ballots: tuple[SignedTreeHead, ...]

    @property
    def log_id(self) -> str:
        """The contest log's id, as its first signed head names it."""
        return self.contest[0].head.log_id if self.contest else ""


@dataclass(frozen=True)
class Evidence:
    root: Path
    files: BundleFiles
    marker: Mapping[str, Any]
    manifest: Mapping[str, str] | None
    """Relative path -> SHA-256, as the manifest lists them."""
    signatures: Mapping[str, Any]
    """Relative path of each signature record -> its (strictly parsed) JSON."""
    heads: Heads | None
    log: Log | None
    entries: tuple[Entry, ...]
    facts: LoggedFacts | None
    setup: RulebookSetup | None
    board: Board | None
    ballots: BallotSet | None
    """The board's ballots for a count, with the candidates the log says withdrew."""
    trustees: LoggedTrustees
    """What the log says of the trustees (nothing, if the ballots were not encrypted)."""
    encrypted: EncryptedBallots | None
    transcript: TranscriptOutcome | None
    """Every proof of the encrypted ballots checked (``omov.secrecy.transcript``), once."""
    problems: tuple[Check, ...]


def open_bundle(directory: Path) -> Mapping[str, Any]:
    """The marker of the bundle in ``directory``, or a one-line ``BundleError`` if this is
    not an omov bundle of the version this omov verifies."""
    marker_path = _marker_path(directory)
    return marker_of(_read_small(marker_path), str(marker_path))


def _marker_path(directory: Path) -> Path:
    """Where the marker of the bundle in ``directory`` is, a regular file, or a one-line
    ``BundleError``."""
    if not directory.is_dir():
        raise BundleError(f"{directory}: no such directory")
    if not any(directory.iterdir()):
        raise BundleError(f"{directory}: the directory is empty, not an omov results bundle")
    marker_path = directory / MARKER
    if marker_path.is_symlink() or not marker_path.is_file():
        raise BundleError(f"{directory}: no {MARKER}; this is not an omov results bundle")
    return marker_path


def marker_of(data: bytes | None, source: str) -> Mapping[str, Any]:
    """The marker read from ``data`` (the bytes of ``source``), checked for this version."""
    if data is None:
        raise BundleError(f"{source}: not a regular file; this is not an omov results bundle")
    marker = strict_json.loads(data, source=source)
    if not isinstance(marker, dict) or marker.get("format") != FORMAT:
        raise BundleError(f"{source}: not an omov results bundle marker")
    if marker.get("version") != VERSION:
        raise BundleError(
            f"{source}: bundle format version {marker.get('version')!r}; "
            f"this omov verifies version {VERSION}"
        )
    return MappingProxyType(marker)


def _read_small(path: Path) -> bytes:
    from omov.ledger.verify.files import read_regular

    read = read_regular(path)
    if isinstance(read, str):
        raise BundleError(f"{path}: {read}")
    return read


def read_evidence(path: Path, workers: int = 1) -> Evidence:
    """Everything the bundle at ``path`` holds: its directory, the directory its zip was
    unzipped into, or the zip itself (``archive``). ``workers`` processes share the
    per-ballot loops of the proofs' checks."""
    root, files = bundle_files(path)
    if root.is_dir():  # the marker as open_bundle reads it, from the files already read
        marker_path = _marker_path(root)
        if MARKER in files.refused:
            raise BundleError(f"{marker_path}: {files.refused[MARKER]}")
        marker = marker_of(files.get(MARKER), str(marker_path))
    else:
        marker = marker_of(files.get(MARKER), f"{root}: {MARKER}")
    problems: list[Check] = [
        failed("files", rel, why)  # each reason names the fault: files.py, archive.py
        for rel, why in files.refused.items()
    ]
    manifest = _manifest(files, problems)
    signatures = _signatures(files, problems)
    heads = _heads(files, problems)
    log = _log(files, heads, problems)
    entries = tuple(log.entry(i) for i in range(log.size)) if log is not None else ()
    facts = _facts(entries, problems) if log is not None else None
    setup = _setup(files, problems)
    board = _board(files, problems)
    ballots = None
    if board is not None and facts is not None and board.candidates == facts.candidates:
        ballots = board.ballot_set(facts.withdrawn_ids)
    encrypted = _encrypted(files, problems)
    transcript = None
    if encrypted is not None:
        transcript = check_transcript(encrypted.boxes, encrypted.messages, workers)
    return Evidence(
        root=root,
        files=files,
        marker=marker,
        manifest=manifest,
        signatures=MappingProxyType(signatures),
        heads=heads,
        log=log,
        entries=entries,
        facts=facts,
        setup=setup,
        board=board,
        ballots=ballots,
        trustees=logged_trustees(entries),
        encrypted=encrypted,
        transcript=transcript,
        problems=tuple(problems),
    )


def json_file(files: BundleFiles, rel: str) -> Any:
    """A file of the bundle as strict JSON; ``BundleError`` if missing or not."""
    data = files.get(rel)
    if data is None:
        raise BundleError(f"{rel}: missing")
    return strict_json.loads(data, source=rel)


def _manifest(files: BundleFiles, problems: list[Check]) -> Mapping[str, str] | None:
    import rfc8785

    try:
        value = json_file(files, MANIFEST)
        listed = value.get("files") if isinstance(value, dict) else None
        ok = (
            isinstance(value, dict)
            and set(value) == {"format", "version", "files"}
            and (value["format"], value["version"]) == (FORMAT, VERSION)
            and isinstance(listed, dict)
            and all(isinstance(v, str) for v in listed.values())
        )
        if not ok:
            raise BundleError("not an omov bundle manifest of this version")
        if bytes(rfc8785.dumps(value)) != files.get(MANIFEST):
            raise BundleError("not in canonical JSON (RFC 8785) form")
    except BundleError as error:
        problems.append(failed("manifest", MANIFEST, str(error).removeprefix(f"{MANIFEST}: ")))
        return None
    assert isinstance(listed, dict)
    return MappingProxyType(dict(listed))


def _signatures(files: BundleFiles, problems: list[Check]) -> dict[str, Any]:
    records = {}
    for rel in files.data:
        if not rel.startswith(f"{SIGNATURES}/"):
            continue
        try:
            if not rel.endswith(".json") or rel.count("/") != 1:
                raise BundleError("not a signature record (signatures/NAME.json)")
            records[rel] = json_file(files, rel)
        except BundleError as error:
            problems.append(failed("signature", rel, str(error).removeprefix(f"{rel}: ")))
    return records


def _heads(files: BundleFiles, problems: list[Check]) -> Heads | None:
    try:
        value = json_file(files, HEADS)
        if not isinstance(value, dict) or set(value) != {"contest", "ballots"}:
            raise BundleError("holds other than the contest and ballot logs' heads")
        if not all(isinstance(value[k], list) for k in value):
            raise BundleError("each log's heads are a list")
        contest = tuple(SignedTreeHead.from_json(h, source=HEADS) for h in value["contest"])
        ballots = tuple(SignedTreeHead.from_json(h, source=HEADS) for h in value["ballots"])
    except LedgerError as error:
        problems.append(failed("tree heads", HEADS, str(error).removeprefix(f"{HEADS}: ")))
        return None
    return Heads(contest, ballots)


def _log(files: BundleFiles, heads: Heads | None, problems: list[Check]) -> Log | None:
    data = files.get(ENTRIES)
    if data is None:
        problems.append(failed("log", ENTRIES, "missing"))
        return None
    try:
        return Log.from_jsonl(heads.log_id if heads else "", data, source="line")
    except LedgerError as error:
        problems.append(failed("log", ENTRIES, str(error)))
        return None


def _facts(entries: tuple[Entry, ...], problems: list[Check]) -> LoggedFacts | None:
    try:
        return logged_facts(entries)
    except LedgerError as error:
        problems.append(failed("log facts", ENTRIES, str(error)))
        return None


def _setup(files: BundleFiles, problems: list[Check]) -> RulebookSetup | None:
    data = files.get(RULEBOOK)
    try:
        if data is None:
            raise BundleError("missing")
        return setup_from_text(data.decode("utf-8"))
    except UnicodeDecodeError:
        problems.append(failed("rulebook", RULEBOOK, "not UTF-8 text"))
    except BundleError as error:
        problems.append(failed("rulebook", RULEBOOK, str(error)))
    return None


def _board(files: BundleFiles, problems: list[Check]) -> Board | None:
    data, listed = files.get(BALLOTS), files.get(TRACKERS)
    if data is None or listed is None:
        missing = BALLOTS if data is None else TRACKERS
        problems.append(failed("ballots", missing, "missing"))
        return None
    try:
        trackers = tuple(listed.decode("ascii").splitlines())
    except UnicodeDecodeError:
        problems.append(failed("trackers", TRACKERS, "not ASCII text"))
        return None
    try:
        return board_from_bytes(data, trackers)
    except BundleError as error:
        problems.append(failed("ballots", BALLOTS, str(error)))
        return None


def _encrypted(files: BundleFiles, problems: list[Check]) -> EncryptedBallots | None:
    boxes, messages = files.get(BOXES), files.get(TRUSTEES)
    if boxes is None and messages is None:
        return None
    if boxes is None or messages is None:
        missing = BOXES if boxes is None else TRUSTEES
        problems.append(failed("ballot secrecy", missing, "missing"))
        return None
    try:
        return EncryptedBallots.from_files(boxes, messages)
    except BundleError as error:
        rel = TRUSTEES if str(error).startswith(TRUSTEES) else BOXES
        problems.append(failed("ballot secrecy", rel, str(error).removeprefix(f"{rel}: ")))
        return None
