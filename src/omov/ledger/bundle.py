"""The results bundle: everything anyone needs to check and recount a contest.

Layout (all paths relative to the bundle directory)::

    omov-bundle.json        what this is: contest, candidates, count setup, sections
    rulebook.toml           the rulebook edition, as loaded (its hash is in the log)
    electorate.json         per section: on the roll, excluded by reason, eligible, credentials
    ballots.parquet         the board: one row per ballot, sorted by random id
    ballots.blt             the same ballots for other tabulators (no sections in BLT)
    sections/section-N.blt  each published section's ballots (its label is the BLT title)
    trackers.txt            every tracker, sorted, one a line
    report.json             the count report (native JSON)
    report-rctab.json       the count report (RCTab's detailed-report JSON)
    ledger/entries.jsonl    the contest log, one canonical entry a line
    ledger/heads.json       every signed tree head (contest log and ballot log)
    secrecy/                an encrypted contest's ballot boxes and trustees' messages
    MANIFEST.json           SHA-256 of every file above (canonical JSON)
    signatures/*.json       the returning officer's signature of the manifest; countersignatures

The manifest is signed, not each file, so one signature covers the bundle and a
scrutineer's countersignature says "I checked exactly these bytes". A signature signs the
manifest's SHA-256 together with the signer's role and key fingerprint, so a signature
cannot be copied in under another role. ``omov-bundle.json`` is written from the log and
the rulebook (``marker_of``), and ``omov verify`` derives it the same way and compares:
it states nothing that the log does not. ``docs/bundle-format.md`` is the specification.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rfc8785

from omov.count.options import CountOptions
from omov.count.report import CountReport
from omov.ledger.board import Board, merge_small_sections, published_sections
from omov.ledger.board_file import write_board
from omov.ledger.encrypted import SECRECY_DIR, EncryptedBallots
from omov.ledger.errors import BundleError
from omov.ledger.heads import SignedTreeHead
from omov.ledger.keys import SigningKey
from omov.ledger.log import Log
from omov.ledger.logged import LoggedFacts, logged_facts
from omov.ledger.setup import RulebookSetup, setup_from_text

FORMAT = "omov-results-bundle"
VERSION = 3
MARKER = "omov-bundle.json"
MANIFEST = "MANIFEST.json"
SIGNATURES = "signatures"
OFFICER_SIGNATURE = f"{SIGNATURES}/officer.json"
RULEBOOK = "rulebook.toml"
ELECTORATE = "electorate.json"
BALLOTS = "ballots.parquet"
BALLOTS_BLT = "ballots.blt"
TRACKERS = "trackers.txt"
REPORT = "report.json"
REPORT_RCTAB = "report-rctab.json"
ENTRIES = "ledger/entries.jsonl"
HEADS = "ledger/heads.json"
SECTION_DIR = "sections"
SIGNATURE_CONTEXT = b"omov bundle manifest v2\n"
OFFICER_ROLE = "returning-officer"


@dataclass(frozen=True)
class SectionStats:
    """One section of the electorate, in numbers only (no personal data)."""

    on_roll: int
    excluded: Mapping[str, int]
    """Reason code -> electors excluded for it."""
    credentials_issued: int

    @property
    def eligible(self) -> int:
        return self.on_roll - sum(self.excluded.values())

    def frozen_json(self) -> dict[str, Any]:
        """What the electorate-frozen entry holds of the section."""
        return {
            "on_roll": self.on_roll,
            "excluded": dict(sorted(self.excluded.items())),
            "eligible": self.eligible,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "on_roll": self.on_roll,
            "excluded": dict(sorted(self.excluded.items())),
            "eligible": self.eligible,
            "credentials_issued": self.credentials_issued,
        }


def electorate_json(stats: Mapping[str, SectionStats]) -> dict[str, Any]:
    sections = {name: s.to_json() for name, s in sorted(stats.items())}
    keys = ("on_roll", "eligible", "credentials_issued")
    totals = {k: sum(s[k] for s in sections.values()) for k in keys}
    return {"sections": sections, "totals": totals}


@dataclass(frozen=True)
class Publication:
    """What a contest publishes; the web app and the demo both fill one."""

    contest_id: str
    title: str
    rulebook_edition: str
    rulebook_text: str
    method: str
    seats: int
    options: CountOptions
    board: Board
    report: CountReport
    report_texts: Mapping[str, str]
    """Rendered report by writer name ('json', 'rctab-json') where the writer exists."""
    electorate: Mapping[str, SectionStats]
    sections: Mapping[str, Sequence[str]]
    """Published section label -> the electorate sections merged into it."""
    min_section: int
    contest_log: Log
    contest_heads: Sequence[SignedTreeHead]
    ballot_heads: Sequence[SignedTreeHead] = field(default_factory=tuple)
    encrypted: EncryptedBallots | None = None
    """The ballot boxes and the trustees' messages, where the ballots were encrypted."""


REPORT_FILES = {"json": REPORT, "rctab-json": REPORT_RCTAB}


def marker_of(contest_id: str, facts: LoggedFacts, setup: RulebookSetup) -> dict[str, Any]:
    """``omov-bundle.json``: every value from the log's facts or the rulebook's setup."""
    cast = {section: n for section, n in facts.cast.items() if n > 0}
    return {
        "format": FORMAT,
        "version": VERSION,
        "contest": contest_id,
        "title": facts.title,
        "rulebook": {"edition": facts.rulebook_edition, "file": RULEBOOK},
        "count": setup.count_record(),
        "candidates": list(facts.candidates),
        "withdrawn": list(facts.withdrawn),
        "sections": published_sections(merge_small_sections(cast, facts.min_section)),
        "min_section": facts.min_section,
        "trackers": facts.trackers,
        "reports": sorted(facts.reports),
    }


def _marker(pub: Publication) -> dict[str, Any]:
    log = pub.contest_log
    facts = logged_facts([log.entry(i) for i in range(log.size)])
    return marker_of(pub.contest_id, facts, setup_from_text(pub.rulebook_text))


def write_bundle(pub: Publication, directory: Path, officer: SigningKey) -> None:
    """Write every file, then the manifest, then the officer's signature of it."""
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.iterdir()):
        raise BundleError(f"{directory} is not empty; a bundle is written into a new directory")
    marker = _marker(pub)
    (directory / "ledger").mkdir()
    (directory / SIGNATURES).mkdir()
    texts: dict[str, bytes] = {
        MARKER: _json_bytes(marker),
        RULEBOOK: pub.rulebook_text.encode("utf-8"),
        ELECTORATE: _json_bytes(electorate_json(pub.electorate)),
        TRACKERS: pub.board.trackers_text(),
        ENTRIES: pub.contest_log.to_jsonl(),
        HEADS: _json_bytes(
            {
                "contest": [h.to_json() for h in pub.contest_heads],
                "ballots": [h.to_json() for h in pub.ballot_heads],
            }
        ),
    }
    for name, text in pub.report_texts.items():
        texts[REPORT_FILES[name]] = text.encode("utf-8")
    if pub.encrypted is not None:
        (directory / SECRECY_DIR).mkdir()
        texts.update(pub.encrypted.files())
    for name, data in texts.items():
        (directory / name).write_bytes(data)
    write_board(pub.board, directory / BALLOTS)
    _write_blt(
        pub,
        directory / BALLOTS_BLT,
        withdrawn=frozenset(pub.board.candidates.index(name) for name in marker["withdrawn"]),
    )
    manifest = manifest_bytes(directory)
    (directory / MANIFEST).write_bytes(manifest)
    write_signature(directory, officer, role=OFFICER_ROLE, path=OFFICER_SIGNATURE)


def _write_blt(pub: Publication, path: Path, *, withdrawn: frozenset[int]) -> None:
    """All ballots in one BLT file, and (BLT having no sections) one file per published
    section, titled with the section's label, under ``sections/``."""
    from omov.count.formats import write_ballots

    ballots = pub.board.ballot_set(withdrawn)
    write_ballots(_with_title_and_seats(ballots, pub.title, pub.seats), path, format="blt")
    if len(ballots.section_names) < 2:
        return
    (path.parent / SECTION_DIR).mkdir()
    for i, label in enumerate(ballots.section_names):
        part = section_subset(ballots, i)
        target = path.parent / section_blt(i)
        write_ballots(_with_title_and_seats(part, label, pub.seats), target, format="blt")


def section_blt(index: int) -> str:
    return f"{SECTION_DIR}/section-{index + 1}.blt"


def section_subset(ballots: Any, index: int) -> Any:
    """The ballots of one section, as a ballot set of their own."""
    from dataclasses import replace

    keep = ballots.section_ids == index
    return replace(
        ballots,
        rankings=ballots.rankings[keep],
        weights=ballots.weights[keep],
        section_ids=ballots.section_ids[keep],
    )


def _with_title_and_seats(ballots: Any, title: str, seats: int) -> Any:
    from dataclasses import replace

    return replace(ballots, title=title, seats=seats)


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def bundle_files(directory: Path) -> list[str]:
    """Every file of the bundle that the manifest covers (not the manifest, not signatures)."""
    found = []
    for path in sorted(directory.rglob("*")):
        rel = path.relative_to(directory).as_posix()
        if path.is_file() and rel != MANIFEST and not rel.startswith(f"{SIGNATURES}/"):
            found.append(rel)
    return found


def manifest_bytes(directory: Path) -> bytes:
    files = {rel: sha256_file(directory / rel) for rel in bundle_files(directory)}
    return bytes(rfc8785.dumps({"format": FORMAT, "version": VERSION, "files": files}))


def signed_message(manifest: bytes, *, role: str, signer: str) -> bytes:
    """What a bundle signature signs: the manifest's digest, the role and the signer."""
    body = {"manifest": hashlib.sha256(manifest).hexdigest(), "role": role, "signer": signer}
    return SIGNATURE_CONTEXT + bytes(rfc8785.dumps(body))


def write_signature(
    directory: Path, key: SigningKey, *, role: str, path: str | None = None
) -> Path:
    """Sign the bundle's manifest as it stands; returns the signature file."""
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        raise BundleError(f"{directory}: no {MANIFEST}; is this an omov results bundle?")
    manifest = manifest_path.read_bytes()
    rel = path or f"{SIGNATURES}/{role}-{key.fingerprint[:16]}.json"
    message = signed_message(manifest, role=role, signer=key.fingerprint)
    record = {
        "role": role,
        "key": key.fingerprint,
        "public_key": key.public.b64,
        "signature": base64.b64encode(key.sign(message)).decode(),
    }
    target = directory / rel
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(_json_bytes(record))
    return target
