"""A trustee's key file: what the trustee alone holds, encrypted at rest under a passphrase.

The file is JSON with a public header (contest, trustee index, n, k, public keys) in the
clear and the secrets sealed with XChaCha20-Poly1305 (libsodium's AEAD) under a key derived
from the passphrase by Argon2id (libsodium's ``crypto_pwhash``); the header is the AEAD's
associated data, so a header changed on disk makes the file fail to open. The secrets are
the trustee's Ed25519 signing seed (every message they publish is signed), their X25519
key (the other trustees' shares reach them sealed to it), the polynomial they deal and,
once the key generation finishes, their share x_j of the election key.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import nacl.bindings as sodium
import nacl.exceptions
import nacl.public
import nacl.pwhash.argon2id as argon2id
import nacl.signing

from omov.secrecy.errors import ProofError, TrusteeKeyError
from omov.secrecy.group import Scalar
from omov.secrecy.records import b64, scalars, unb64

FORMAT = "omov-trustee-key/1"
STRENGTHS = {
    # Only for keys whose passphrase is public anyway: the demo's simulated trustees.
    "demo": (argon2id.OPSLIMIT_MIN, argon2id.MEMLIMIT_MIN),
    "interactive": (argon2id.OPSLIMIT_INTERACTIVE, argon2id.MEMLIMIT_INTERACTIVE),
    "moderate": (argon2id.OPSLIMIT_MODERATE, argon2id.MEMLIMIT_MODERATE),
    "sensitive": (argon2id.OPSLIMIT_SENSITIVE, argon2id.MEMLIMIT_SENSITIVE),
}


@dataclass(frozen=True)
class TrusteeKey:
    contest: str
    trustee: int
    trustees: int
    threshold: int
    signing_seed: bytes
    box_secret: bytes
    coefficients: tuple[Scalar, ...]
    share: Scalar | None = None
    strength: str = field(default="moderate", compare=False)

    @classmethod
    def new(cls, contest: str, trustee: int, trustees: int, threshold: int) -> TrusteeKey:
        from omov.secrecy.dkg import new_polynomial

        if not 1 <= threshold <= trustees or not 1 <= trustee <= trustees:
            raise TrusteeKeyError(
                f"trustee {trustee} of {trustees} with {threshold} to decrypt is not a valid set-up"
            )
        return cls(
            contest,
            trustee,
            trustees,
            threshold,
            os.urandom(32),
            bytes(nacl.public.PrivateKey.generate()),
            new_polynomial(threshold),
        )

    @property
    def signing_key(self) -> nacl.signing.SigningKey:
        return nacl.signing.SigningKey(self.signing_seed)

    @property
    def box_key(self) -> nacl.public.PrivateKey:
        return nacl.public.PrivateKey(self.box_secret)

    def with_share(self, share: Scalar) -> TrusteeKey:
        return replace(self, share=share)

    def header(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "contest": self.contest,
            "trustee": self.trustee,
            "trustees": self.trustees,
            "threshold": self.threshold,
            "signing_key": b64(bytes(self.signing_key.verify_key)),
            "box_key": b64(bytes(self.box_key.public_key)),
        }

    def save(self, path: Path, passphrase: bytes) -> None:
        ops, mem = STRENGTHS[self.strength]
        salt = os.urandom(argon2id.SALTBYTES)
        nonce = os.urandom(24)
        header = self.header()
        secrets = {
            "signing_seed": b64(self.signing_seed),
            "box_secret": b64(self.box_secret),
            "coefficients": b64(b"".join(self.coefficients)),
            "share": None if self.share is None else b64(self.share),
        }
        sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
            json.dumps(secrets).encode(),
            _aad(header),
            nonce,
            argon2id.kdf(32, passphrase, salt, opslimit=ops, memlimit=mem),
        )
        record = {
            **header,
            "kdf": {"name": "argon2id", "ops": ops, "mem": mem, "salt": b64(salt)},
            "nonce": b64(nonce),
            "sealed": b64(sealed),
        }
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(record, indent=1) + "\n")
        tmp.chmod(0o600)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, passphrase: bytes) -> TrusteeKey:
        try:
            record = json.loads(path.read_text())
        except OSError as e:
            raise TrusteeKeyError(f"{path}: cannot read ({e.strerror})") from None
        except ValueError:
            raise TrusteeKeyError(f"{path}: not a trustee key file (not JSON)") from None
        if not isinstance(record, dict) or record.get("format") != FORMAT:
            raise TrusteeKeyError(f"{path}: not a trustee key file ({FORMAT})")
        try:
            header = {k: record[k] for k in cls._header_keys()}
            kdf = record["kdf"]
            key = argon2id.kdf(
                32, passphrase, unb64(kdf["salt"], "salt"), opslimit=kdf["ops"], memlimit=kdf["mem"]
            )
            plain = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
                unb64(record["sealed"], "sealed"),
                _aad(header),
                unb64(record["nonce"], "nonce"),
                key,
            )
        except nacl.exceptions.CryptoError:
            raise TrusteeKeyError(
                f"{path}: the passphrase is wrong or the file was changed"
            ) from None
        except (KeyError, TypeError, ProofError):
            raise TrusteeKeyError(f"{path}: a trustee key file with missing fields") from None
        secrets = json.loads(plain)
        strength = next(
            (n for n, v in STRENGTHS.items() if v == (kdf["ops"], kdf["mem"])), "moderate"
        )
        return cls(
            header["contest"],
            header["trustee"],
            header["trustees"],
            header["threshold"],
            unb64(secrets["signing_seed"], "signing seed"),
            unb64(secrets["box_secret"], "box secret"),
            tuple(scalars(secrets["coefficients"], "coefficients")),
            None if secrets["share"] is None else scalars(secrets["share"], "share")[0],
            strength,
        )

    @staticmethod
    def _header_keys() -> tuple[str, ...]:
        return ("format", "contest", "trustee", "trustees", "threshold", "signing_key", "box_key")


def _aad(header: dict[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
