"""A trustee's steps, each turning their key file and what others published into the next
signed message: introduce, deal, confirm (the key generation, ``omov.secrecy.dkg``), mix
(``omov.secrecy.shuffle``) and decrypt (``omov.secrecy.decryption``). And the public side:
what anyone can check of those messages with the roster alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import nacl.exceptions
import nacl.public

from omov.secrecy import dkg
from omov.secrecy.decryption import DecryptionShare, decryption_share
from omov.secrecy.elgamal import Ciphertext
from omov.secrecy.errors import ProofError, TrusteeKeyError
from omov.secrecy.group import Element, Scalar, base_power, read_scalar
from omov.secrecy.keyfile import TrusteeKey
from omov.secrecy.messages import Message, MessageKind, Roster, ciphertexts_digest
from omov.secrecy.mix import Mix
from omov.secrecy.records import b64, element, elements, pack, scalars, unb64
from omov.secrecy.schnorr import SchnorrProof
from omov.secrecy.shuffle import shuffle


def introduce(key: TrusteeKey) -> Message:
    body = {
        "trustees": key.trustees,
        "threshold": key.threshold,
        "box_key": b64(bytes(key.box_key.public_key)),
    }
    return Message.sign(key, MessageKind.INTRODUCED, body)


def deal(key: TrusteeKey, roster: Roster) -> Message:
    """Step 1: commitments, proof of knowledge, and each other trustee's share sealed to them."""
    _same_setup(key, roster)
    dealing = dkg.deal(key.contest, key.trustee, key.coefficients)
    shares = {
        str(j): b64(
            nacl.public.SealedBox(nacl.public.PublicKey(roster.box_keys[j])).encrypt(
                dkg.share_for(key.coefficients, j)
            )
        )
        for j in range(1, roster.trustees + 1)
        if j != key.trustee
    }
    body = {
        "commitments": pack(dealing.commitments),
        "proof": pack(dealing.proof),
        "shares": shares,
    }
    return Message.sign(key, MessageKind.DEALT, body)


def dealing_of(message: Message) -> dkg.Dealing:
    e, s = scalars(message.body.get("proof"), f"trustee {message.trustee}'s proof")
    commitments = elements(
        message.body.get("commitments"), f"trustee {message.trustee}'s commitments"
    )
    return dkg.Dealing(message.trustee, tuple(commitments), SchnorrProof(e, s))


def dealings(roster: Roster, messages: Sequence[Message]) -> dict[int, dkg.Dealing]:
    """Every dealer's dealing, signed by them and checked (Feldman commitments, Schnorr
    proof); a one-line ``ProofError`` naming the first dealer that fails."""
    found: dict[int, dkg.Dealing] = {}
    for m in messages:
        if m.kind is MessageKind.DEALT:
            roster.check(m)
            if m.trustee in found:
                raise ProofError(f"trustee {m.trustee} dealt twice")
            found[m.trustee] = dealing_of(m)
    faults = dkg.check_dealings(roster.contest, found, roster.trustees, roster.threshold)
    if faults:
        raise ProofError(faults[0])
    return found


def confirm(
    key: TrusteeKey, roster: Roster, messages: Sequence[Message]
) -> tuple[TrusteeKey, Message]:
    """Step 2: open the shares sealed to this trustee, check each against its dealer's
    commitments, keep x_j, and publish the keys it gives (a trustee whose share fails names
    the dealer and stops)."""
    _same_setup(key, roster)
    checked = dealings(roster, messages)
    box = nacl.public.SealedBox(key.box_key)
    own: list[Scalar] = []
    for m in messages:
        if m.kind is not MessageKind.DEALT:
            continue
        if m.trustee == key.trustee:
            share = dkg.share_for(key.coefficients, key.trustee)
        else:
            try:
                sealed = unb64(m.body["shares"][str(key.trustee)], "a sealed share")
                share = read_scalar(box.decrypt(sealed))
            except (KeyError, TypeError, nacl.exceptions.CryptoError, ProofError):
                raise TrusteeKeyError(
                    f"trustee {m.trustee} sent no share this key can open for trustee {key.trustee}"
                ) from None
            except Exception as e:  # GroupError from read_scalar
                raise TrusteeKeyError(
                    f"trustee {m.trustee}'s share is not a scalar ({e})"
                ) from None
        if not dkg.share_holds(checked[m.trustee], key.trustee, share):
            raise TrusteeKeyError(f"trustee {m.trustee}'s share does not match their commitments")
        own.append(share)
    secret = dkg.secret_share(own)
    all_dealings = [checked[i] for i in sorted(checked)]
    body = {
        "election_key": b64(dkg.election_key(all_dealings)),
        "verification_key": b64(base_power(secret)),
    }
    return key.with_share(secret), Message.sign(key, MessageKind.CONFIRMED, body)


def keygen_outcome(
    roster: Roster, messages: Sequence[Message]
) -> tuple[Element, dict[int, Element]]:
    """What anyone computes from the dealings: the election key and each trustee's
    verification key, once every trustee confirmed the same key with its own."""
    checked = dealings(roster, messages)
    ordered = [checked[i] for i in sorted(checked)]
    key = dkg.election_key(ordered)
    verification = {j: dkg.verification_key(ordered, j) for j in range(1, roster.trustees + 1)}
    confirmed = {m.trustee: m for m in messages if m.kind is MessageKind.CONFIRMED}
    for j in range(1, roster.trustees + 1):
        if j not in confirmed:
            raise ProofError(f"trustee {j} has not confirmed the key generation")
        m = confirmed[j]
        roster.check(m)
        if element(m.body.get("election_key"), "an election key") != key:
            raise ProofError(f"trustee {j} confirmed another election key")
        if element(m.body.get("verification_key"), "a verification key") != verification[j]:
            raise ProofError(f"trustee {j}'s verification key does not match the commitments")
    return key, verification


def mix(
    key: TrusteeKey, election_key: Element, inputs: Sequence[Ciphertext], workers: int = 1
) -> Message:
    done = shuffle(key.contest, key.trustee, election_key, inputs, workers)
    body = {"inputs": ciphertexts_digest(inputs), **done.as_record()}
    return Message.sign(key, MessageKind.MIXED, body)


def mix_of(message: Message) -> Mix:
    mixed = Mix.from_record(message.body)
    if mixed.mixer != message.trustee:
        raise ProofError(f"trustee {message.trustee}'s mix names mixer {mixed.mixer}")
    return mixed


def decrypt(key: TrusteeKey, inputs: Sequence[Ciphertext], workers: int = 1) -> Message:
    if key.share is None:
        raise TrusteeKeyError(f"trustee {key.trustee}'s key generation has not finished")
    share = decryption_share(key.contest, key.trustee, key.share, inputs, workers)
    body = {
        "inputs": ciphertexts_digest(inputs),
        "factors": pack(share.factors),
        "proof": pack([share.challenge, share.response]),
    }
    return Message.sign(key, MessageKind.DECRYPTED, body)


def share_of(message: Message) -> DecryptionShare:
    who = f"trustee {message.trustee}'s decryption share"
    e, s = scalars(message.body.get("proof"), f"{who}: proof")
    factors = elements(message.body.get("factors"), f"{who}: factors")
    return DecryptionShare(message.trustee, tuple(factors), e, s)


def _same_setup(key: TrusteeKey, roster: Roster) -> None:
    if (key.contest, key.trustees, key.threshold) != (
        roster.contest,
        roster.trustees,
        roster.threshold,
    ):
        raise TrusteeKeyError("this key file is for another contest or set-up than the roster")
    if roster.signing_keys.get(key.trustee) != bytes(key.signing_key.verify_key):
        raise TrusteeKeyError(f"the roster's trustee {key.trustee} is not this key file's")
