"""The bundle's files: what could not be read, and the manifest's digests."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from omov.ledger.bundle import MANIFEST, SIGNATURES
from omov.ledger.verify.check import Check, Options, failed, passed
from omov.ledger.verify.evidence import Evidence


def reading(evidence: Evidence, options: Options) -> Iterator[Check]:
    """Every file that could not be read as its format says, once."""
    yield from evidence.problems


def covered(rel: str) -> bool:
    """Whether the manifest covers a file: all but itself and the signatures of it."""
    return rel != MANIFEST and not rel.startswith(f"{SIGNATURES}/")


def manifest(evidence: Evidence, options: Options) -> Iterator[Check]:
    listed = evidence.manifest
    if listed is None:
        return
    present = {rel for rel in evidence.files.data if covered(rel)}
    refused = set(evidence.files.refused)
    bad = False
    for rel, digest in sorted(listed.items()):
        data = evidence.files.get(rel)
        if data is None or not covered(rel):
            bad = True
            why = "not a regular file" if rel in refused else "missing"
            yield failed("manifest", rel, f"listed in the manifest but {why}")
            continue
        actual = hashlib.sha256(data).hexdigest()
        if actual != digest:
            bad = True
            yield failed(
                "manifest",
                rel,
                f"SHA-256 {actual[:16]}… differs from the manifest's {digest[:16]}…",
            )
    for rel in sorted(present - set(listed)):
        bad = True
        yield failed("manifest", rel, "file not listed in the manifest")
    if not bad:
        yield passed("manifest", MANIFEST, f"{len(listed)} files match their SHA-256")
