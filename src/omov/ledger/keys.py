"""Ed25519 keys: one per organisation role, encrypted at rest, known by fingerprint.

A private key file is PKCS#8 PEM encrypted with the passphrase
(``BestAvailableEncryption``), so a copied disk does not give away the signing key.
A fingerprint is the SHA-256 of the raw public key: what the results page shows and what
an observer pins with ``omov verify --expect-key`` (whole: a key whose fingerprint begins
with the same 16 bits takes some 65,000 tries, seconds, to make).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from omov.ledger.errors import SignatureError


def fingerprint(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()


def grouped_fingerprint(fp: str) -> str:
    """The whole fingerprint in groups of four, for people to read and copy
    (``omov verify --expect-key`` takes it with or without the spaces)."""
    return " ".join(fp[i : i + 4] for i in range(0, len(fp), 4))


@dataclass(frozen=True)
class PublicKey:
    raw: bytes

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.raw)

    @property
    def b64(self) -> str:
        return base64.b64encode(self.raw).decode()

    @classmethod
    def from_b64(cls, text: str) -> PublicKey:
        try:
            raw = base64.b64decode(text, validate=True)
        except ValueError:
            raise SignatureError("a public key is not base64") from None
        if len(raw) != 32:
            raise SignatureError("an Ed25519 public key is 32 bytes")
        return cls(raw)

    def to_pem(self) -> bytes:
        return Ed25519PublicKey.from_public_bytes(self.raw).public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def verify(self, signature: bytes, message: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


class SigningKey:
    """An Ed25519 private key and what is known of it publicly."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        raw = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.public = PublicKey(raw)

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @property
    def fingerprint(self) -> str:
        return self.public.fingerprint

    def sign(self, message: bytes) -> bytes:
        return self._private.sign(message)

    def to_pem(self, passphrase: bytes) -> bytes:
        if not passphrase:
            raise SignatureError("a signing key is kept encrypted: give a passphrase")
        return self._private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase),
        )

    def save(self, path: Path, passphrase: bytes) -> None:
        pem = self.to_pem(passphrase)
        partial = path.with_name(f".{path.name}.partial")
        partial.write_bytes(pem)
        partial.chmod(0o600)
        partial.replace(path)

    @classmethod
    def from_pem(cls, pem: bytes, passphrase: bytes, *, source: str = "key") -> SigningKey:
        try:
            private = serialization.load_pem_private_key(pem, password=passphrase or None)
        except (ValueError, TypeError):
            raise SignatureError(f"{source}: wrong passphrase, or not a PEM private key") from None
        if not isinstance(private, Ed25519PrivateKey):
            raise SignatureError(f"{source}: not an Ed25519 key")
        return cls(private)

    @classmethod
    def load(cls, path: Path, passphrase: bytes) -> SigningKey:
        try:
            pem = path.read_bytes()
        except OSError as error:
            raise SignatureError(f"{path}: cannot read the key ({error.strerror})") from None
        return cls.from_pem(pem, passphrase, source=str(path))


def public_key_file(path: Path) -> PublicKey:
    """The public key in a file: PEM (``omov bundle keygen`` writes ``KEY.pub``) or the raw
    key in base64, as the bundle's signature records and tree heads carry it."""
    from omov.ledger.verify.files import read_regular

    data = read_regular(path)  # never follows a link or waits on a pipe
    if isinstance(data, str):
        raise SignatureError(f"{path}: {data}")
    if data.lstrip().startswith(b"-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(data)
        except (ValueError, TypeError):
            raise SignatureError(f"{path}: not a PEM public key") from None
        if not isinstance(key, Ed25519PublicKey):
            raise SignatureError(f"{path}: not an Ed25519 public key")
        return PublicKey(
            key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )
    try:
        return PublicKey.from_b64(data.decode("ascii").strip())
    except (UnicodeDecodeError, SignatureError):
        raise SignatureError(f"{path}: not a public key (PEM, or base64 of 32 bytes)") from None
