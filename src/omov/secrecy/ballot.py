"""An encrypted ballot and its proof that the voter knows the encryption's randomness.

Without the proof, a voter could copy another voter's ciphertext, or re-encrypt it, and
cast it as their own: the copy decrypts to the same ranking, which both skews the count and
(by watching the tally move) can reveal how the copied voter voted (the replay attack on
Helios, Cortier and Smyth 2013, §3). The proof is a Schnorr proof of knowledge of r with
α = g^r (Schnorr 1991, §2; made non-interactive by Fiat and Shamir 1986), whose challenge
hashes the contest, the election key and the whole ciphertext, so it holds for this
ciphertext in this contest only. Copying a ballot whole gives an α already on the board,
which casting refuses; re-encrypting one needs the r of the original, which the copier
does not have.

The browser computes the same proof (``static/omov/ballot.js``); both sides hash the same
transcript, framed as ``group.hash_to_scalar`` frames it.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from omov.secrecy.elgamal import Ciphertext, encrypt
from omov.secrecy.encoding import encode
from omov.secrecy.errors import GroupError, ProofError
from omov.secrecy.group import (
    ZERO,
    Element,
    Scalar,
    add,
    base_power,
    divide,
    hash_to_scalar,
    is_element,
    mul,
    power,
    random_scalar,
    read_element,
    read_scalar,
)

DOMAIN = b"omov/ballot/v1"


@dataclass(frozen=True)
class EncryptedBallot:
    """A ciphertext with the proof of knowledge (challenge e, response s) of its r."""

    ciphertext: Ciphertext
    challenge: Scalar
    response: Scalar

    def as_bytes(self) -> bytes:
        """α ‖ β ‖ e ‖ s: 128 bytes, the form the browser posts (hex) and the board lists."""
        return self.ciphertext.as_bytes() + self.challenge + self.response

    @classmethod
    def from_bytes(cls, raw: bytes) -> EncryptedBallot:
        if len(raw) != 128:
            raise ProofError("an encrypted ballot is 128 bytes: α, β, challenge, response")
        try:
            return cls(
                Ciphertext.from_bytes(raw[:64]), read_scalar(raw[64:96]), read_scalar(raw[96:])
            )
        except GroupError as e:
            raise ProofError(f"an encrypted ballot is malformed: {e}") from None


def tracker(ballot: EncryptedBallot) -> str:
    """The voter's tracker: the first 80 bits of SHA-256(α ‖ β) in base32, in groups of four
    (Helios's smart ballot tracker, Benaloh 2006; the form of ``omov.ledger``'s trackers).
    Anyone can recompute it from the ciphertext on the board; it tells nothing of the
    ranking. 80 bits: a second ciphertext with the same tracker costs 2^80 hashes."""
    digest = hashlib.sha256(ballot.ciphertext.as_bytes()).digest()[:10]
    text = base64.b32encode(digest).decode()
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def _challenge(contest: str, key: Element, c: Ciphertext, commitment: Element) -> Scalar:
    return hash_to_scalar(DOMAIN, contest.encode(), key, c.alpha, c.beta, commitment)


def prove(contest: str, key: Element, c: Ciphertext, r: Scalar) -> EncryptedBallot:
    """Schnorr 1991: commit t = g^w, challenge e = H(contest, y, α, β, t), respond s = w + e·r."""
    w = random_scalar()
    e = _challenge(contest, key, c, base_power(w))
    return EncryptedBallot(c, e, add(w, mul(e, r)))


def encrypt_ballot(
    contest: str, key: Element, ranking: tuple[int, ...], n_candidates: int
) -> EncryptedBallot:
    """What the browser does, for the path without JavaScript: encode, encrypt, prove."""
    c, r = encrypt(encode(ranking, n_candidates), key)
    return prove(contest, key, c, r)


def proof_holds(contest: str, key: Element, ballot: EncryptedBallot) -> bool:
    """Recompute t = g^s·α^(−e) and check that it hashes to e."""
    try:
        t = divide(base_power(ballot.response), power(ballot.ciphertext.alpha, ballot.challenge))
    except GroupError:
        return False
    return _challenge(contest, key, ballot.ciphertext, t) == ballot.challenge


def ballot_received(contest: str, key: Element, raw: bytes) -> EncryptedBallot | None:
    """A ballot as a browser posted it (α ‖ β ‖ e ‖ s), read and its proof checked for
    ``contest`` and ``key``: the ballot, or None if the proof does not hold; ``ProofError``
    if it is malformed. The same outcome as ``from_bytes`` then ``proof_holds``, for about
    three quarters of their CPU: the server runs this on every browser's cast.

    α is not checked apart, as ``from_bytes`` checks it: ``power(α, e)`` makes libsodium's
    checks of ``is_element`` itself (a canonical encoding, no small order, in the order-q
    subgroup) and refuses an α that fails them, and each check costs about as much as
    raising to a power. Only a zero challenge, which ``power`` refuses whatever α is, needs
    α checked on its own, to tell a malformed ballot from a failed proof."""
    if len(raw) != 128:
        raise ProofError("an encrypted ballot is 128 bytes: α, β, challenge, response")
    try:
        beta, challenge, response = (
            read_element(raw[32:64]),
            read_scalar(raw[64:96]),
            read_scalar(raw[96:]),
        )
    except GroupError as e:
        raise ProofError(f"an encrypted ballot is malformed: {e}") from None
    alpha = Element(raw[:32])
    try:
        alpha_e = power(alpha, challenge)
    except GroupError as e:
        if challenge == ZERO and is_element(alpha):
            return None  # proof_holds: g^s·α^(−0) cannot be computed; the proof fails
        raise ProofError(f"an encrypted ballot is malformed: {e}") from None
    ballot = EncryptedBallot(Ciphertext(alpha, beta), challenge, response)
    try:
        t = divide(base_power(response), alpha_e)
    except GroupError:
        return None
    return ballot if _challenge(contest, key, ballot.ciphertext, t) == challenge else None
