"""Who signed the bundle: the officer's signature, the countersignatures, and the keys the
observer said to expect (``--expect-key``) and to require (``--trust``).

A signature signs the manifest's digest with its role and its signer's fingerprint
(``bundle.signed_message``), so a record copied in under another role or key does not
verify. The officer's own key does not count as a countersignature: a countersignature is
worth something only because someone other than the officer checked the bundle.
Fingerprints are compared whole (64 hex digits): a prefix can be matched by a key made
for it in seconds.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterator, Mapping
from typing import Any

from omov.ledger.bundle import MANIFEST, OFFICER_ROLE, OFFICER_SIGNATURE, signed_message
from omov.ledger.errors import SignatureError
from omov.ledger.keys import PublicKey
from omov.ledger.verify.check import Check, Options, failed, passed
from omov.ledger.verify.evidence import Evidence

FIELDS = {"role", "key", "public_key", "signature"}


def signer(record: Any, manifest: bytes | None) -> str | None:
    """The fingerprint of the key whose signature ``record`` holds over the manifest with
    the record's role, or None if it does not hold."""
    if manifest is None or not isinstance(record, Mapping) or set(record) != FIELDS:
        return None
    if not all(isinstance(record[k], str) for k in FIELDS):
        return None
    try:
        key = PublicKey.from_b64(record["public_key"])
        signature = base64.b64decode(record["signature"], validate=True)
    except (SignatureError, binascii.Error, ValueError):
        return None
    if record["key"] != key.fingerprint:
        return None
    message = signed_message(manifest, role=record["role"], signer=key.fingerprint)
    return key.fingerprint if key.verify(signature, message) else None


def officer_key(evidence: Evidence) -> str | None:
    """The officer's key fingerprint, if the officer's signature of the manifest holds."""
    record = evidence.signatures.get(OFFICER_SIGNATURE)
    if not isinstance(record, Mapping) or record.get("role") != OFFICER_ROLE:
        return None
    return signer(record, evidence.files.get(MANIFEST))


def signatures(evidence: Evidence, options: Options) -> Iterator[Check]:
    manifest = evidence.files.get(MANIFEST)
    officer = officer_key(evidence)
    if officer is None:
        yield failed(
            "signature",
            OFFICER_SIGNATURE,
            "the returning officer's signature of the manifest does not verify",
        )
    else:
        yield passed("signature", OFFICER_SIGNATURE, f"returning officer, key {officer}")
    found: dict[str, str] = {}
    for rel, record in sorted(evidence.signatures.items()):
        if rel == OFFICER_SIGNATURE:
            continue
        key = signer(record, manifest)
        role = str(record.get("role", "?")) if isinstance(record, Mapping) else "?"
        if key is None:
            yield failed("countersignature", rel, "does not verify over the manifest")
        elif role == OFFICER_ROLE or key == officer:
            yield failed(
                "countersignature",
                rel,
                f"{role} key {key} is the officer's: not a countersignature",
            )
        else:
            found[key] = rel
            trusted = "trusted" if key in options.trusted else "not among the keys you trust"
            yield passed("countersignature", rel, f"{role}, key {key} ({trusted})")
    yield from _trusted(options, found)
    if options.expect_keys:
        ok = officer in options.expect_keys
        yield Check(
            "officer key",
            OFFICER_SIGNATURE,
            ok,
            f"key {officer} {'is' if ok else 'is not'} the one expected",
        )


def _trusted(options: Options, found: Mapping[str, str]) -> Iterator[Check]:
    for key in options.trusted:
        if key in found:
            continue
        yield failed("countersignature", "signatures/", f"no countersignature by trusted key {key}")


def fingerprint_of(text: str) -> str | None:
    """A full fingerprint as typed (spaces, colons and case do not matter), or None."""
    cleaned = "".join(ch for ch in text.lower() if ch not in " :")
    if len(cleaned) != 64 or any(ch not in "0123456789abcdef" for ch in cleaned):
        return None
    return cleaned


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
