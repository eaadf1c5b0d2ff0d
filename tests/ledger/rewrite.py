"""What an officer holding the signing key can do to a bundle after the fact: rewrite the
log, sign new heads over it, change any file and sign the manifest again. The tests use
these to show what ``omov verify`` still refuses."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from omov.ledger.board import Board
from omov.ledger.board_file import read_board, write_board
from omov.ledger.bundle import (
    MANIFEST,
    OFFICER_ROLE,
    OFFICER_SIGNATURE,
    manifest_bytes,
    write_signature,
)
from omov.ledger.entries import EntryKind, parse_entry
from omov.ledger.entry_rules import SEALS
from omov.ledger.heads import SignedTreeHead, sign_head
from omov.ledger.keys import SigningKey
from omov.ledger.log import Log

ENTRIES = "ledger/entries.jsonl"
HEADS = "ledger/heads.json"


def copy(bundle: Path, target: Path) -> Path:
    shutil.copytree(bundle, target)
    return target


def entries(d: Path) -> list[bytes]:
    return (d / ENTRIES).read_bytes().split(b"\n")[:-1]


def kinds(lines: list[bytes]) -> list[EntryKind]:
    return [parse_entry(line).kind for line in lines]


def entry_bytes(kind: EntryKind | str, **fields: Any) -> bytes:
    from omov.ledger.entries import make_entry

    return make_entry(kind, **fields).to_bytes()


def edit_entry(line: bytes, **fields: Any) -> bytes:
    entry = parse_entry(line)
    return entry_bytes(entry.kind, **{**dict(entry.fields), **fields})


def rewrite_log(
    d: Path,
    officer: SigningKey,
    lines: list[bytes],
    sizes: dict[str, int] | None = None,
) -> None:
    """Write ``lines`` as the log and sign every contest head again over it: each sealing
    head right after its entry (or at ``sizes``), the published head over all of it."""
    heads = json.loads((d / HEADS).read_text())
    log_id = heads["contest"][0]["log"]
    log = Log(log_id, lines)
    found = kinds(lines)
    signed = []
    for old in heads["contest"]:
        checkpoint = old["checkpoint"]
        size = (sizes or {}).get(checkpoint)
        if size is None and checkpoint == "published":
            size = len(lines)
        if size is None and SEALS.get(checkpoint) in found:
            size = found.index(SEALS[checkpoint]) + 1
        size = min(size if size is not None else old["size"], len(lines))
        signed.append(sign_head(log, officer, checkpoint, size=size).to_json())
    heads["contest"] = signed
    (d / HEADS).write_text(json.dumps(heads, indent=2))
    (d / ENTRIES).write_bytes(b"".join(line + b"\n" for line in lines))
    resign_manifest(d, officer)


def resign_manifest(d: Path, officer: SigningKey) -> None:
    (d / MANIFEST).write_bytes(manifest_bytes(d))
    write_signature(d, officer, role=OFFICER_ROLE, path=OFFICER_SIGNATURE)


def rewrite_json(d: Path, rel: str, change: Callable[[Any], Any], officer: SigningKey) -> None:
    value = json.loads((d / rel).read_text())
    value = change(value) or value
    (d / rel).write_text(json.dumps(value, indent=2))
    resign_manifest(d, officer)


def board(d: Path) -> Board:
    return read_board(d / "ballots.parquet", ())


def rewrite_board(d: Path, changed: Board, officer: SigningKey) -> None:
    write_board(changed, d / "ballots.parquet")
    resign_manifest(d, officer)


def contest_head(d: Path, checkpoint: str) -> SignedTreeHead:
    heads = json.loads((d / HEADS).read_text())
    found = [h for h in heads["contest"] if h["checkpoint"] == checkpoint]
    return SignedTreeHead.from_json(found[0])
