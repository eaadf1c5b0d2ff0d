"""Seeded mutations of an encrypted contest's transcript (the ballot box and the trustees'
messages): every one is caught by ``transcript_faults``, the check ``omov trustee check``
runs. The mutators change a ballot's ciphertext or proof, a mix's outputs (drop, duplicate,
replace, swap, flip a bit) or any value of its proof of shuffle, a decryption share's
factors or proof, a dealing's commitments or proof, or a confirmation's keys; an insider
trustee re-signs what they changed, so the signatures hold and only the proofs can tell.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Callable
from dataclasses import replace

import pytest

from omov.secrecy.ballot import EncryptedBallot, encrypt_ballot
from omov.secrecy.keyfile import TrusteeKey
from omov.secrecy.messages import Message, MessageKind, Roster
from omov.secrecy.tally import BallotBox, mix_chain, transcript_faults
from omov.secrecy.trustee import confirm, deal, decrypt, introduce, keygen_outcome, mix

pytestmark = pytest.mark.slow

CONTEST = "mutations"
MUTATIONS = 240


@pytest.fixture(scope="module")
def transcript() -> tuple[BallotBox, list[Message], dict[int, TrusteeKey]]:
    keys = {i: TrusteeKey.new(CONTEST, i, 3, 2) for i in (1, 2, 3)}
    messages = [introduce(k) for k in keys.values()]
    roster = Roster.from_introductions(messages)
    messages += [deal(k, roster) for k in keys.values()]
    for i, k in list(keys.items()):
        keys[i], confirmation = confirm(k, roster, messages)
        messages.append(confirmation)
    key, _ = keygen_outcome(roster, messages)
    rankings = [(0, 1), (2,), (1, 2, 0), (3,), (0,), (2, 3)]
    box = BallotBox(CONTEST, key, 4, tuple(encrypt_ballot(CONTEST, key, r, 4) for r in rankings))
    messages.append(mix(keys[3], key, box.ciphertexts))
    messages.append(mix(keys[1], key, list(mix_chain(box, roster, messages, 0)[-1].outputs)))
    last = list(mix_chain(box, roster, messages)[-1].outputs)
    messages += [decrypt(keys[1], last), decrypt(keys[2], last)]
    assert transcript_faults(box, messages) == []
    return box, messages, keys


Mutation = Callable[
    [BallotBox, list[Message], dict[int, TrusteeKey], random.Random],
    tuple[BallotBox, list[Message]],
]


def _flip(text: str, rng: random.Random) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
    return base64.b64encode(bytes(raw)).decode()


def _resigned(m: Message, keys: dict[int, TrusteeKey], body: dict[str, object]) -> Message:
    return Message.sign(keys[m.trustee], m.kind, body)


def _change(kind: MessageKind, field: str, edit: Callable[[str, random.Random], str]) -> Mutation:
    def mutate(box, messages, keys, rng):  # type: ignore[no-untyped-def]
        targets = [n for n, m in enumerate(messages) if m.kind is kind]
        n = rng.choice(targets)
        m = messages[n]
        body = dict(m.body)
        if field.startswith("proof."):
            proof = dict(body["proof"])
            proof[field[6:]] = edit(proof[field[6:]], rng)
            body["proof"] = proof
        else:
            body[field] = edit(body[field], rng)
        changed = list(messages)
        changed[n] = _resigned(m, keys, body)
        return box, changed

    return mutate


def _reorder(op: str) -> Callable[[str, random.Random], str]:
    def edit(text: str, rng: random.Random) -> str:
        raw = base64.b64decode(text)
        cts = [raw[i : i + 64] for i in range(0, len(raw), 64)]
        i, j = rng.sample(range(len(cts)), 2)
        if op == "drop":
            del cts[i]
        elif op == "duplicate":
            cts[j] = cts[i]
        elif op == "swap":
            cts[i], cts[j] = cts[j], cts[i]
        elif op == "replace":
            cts[i] = bytes(reversed(cts[i][:32])) + cts[i][32:]
        return base64.b64encode(b"".join(cts)).decode()

    return edit


def _ballot(part: slice) -> Mutation:
    def mutate(box, messages, keys, rng):  # type: ignore[no-untyped-def]
        n = rng.randrange(len(box.ballots))
        raw = bytearray(box.ballots[n].as_bytes())
        raw[rng.randrange(part.start, part.stop)] ^= 1 << rng.randrange(8)
        try:
            changed = EncryptedBallot.from_bytes(bytes(raw))
        except Exception:  # not even a ballot (not a point, a scalar past q): refused on reading
            return box, messages
        ballots = list(box.ballots)
        ballots[n] = changed
        return replace(box, ballots=tuple(ballots)), messages

    return mutate


MUTATORS: dict[str, Mutation] = {
    "ballot α": _ballot(slice(0, 32)),
    "ballot β": _ballot(slice(32, 64)),
    "ballot proof": _ballot(slice(64, 128)),
    "mix: drop": _change(MessageKind.MIXED, "ciphertexts", _reorder("drop")),
    "mix: duplicate": _change(MessageKind.MIXED, "ciphertexts", _reorder("duplicate")),
    "mix: swap": _change(MessageKind.MIXED, "ciphertexts", _reorder("swap")),
    "mix: replace": _change(MessageKind.MIXED, "ciphertexts", _reorder("replace")),
    "mix: flip": _change(MessageKind.MIXED, "ciphertexts", _flip),
    **{
        f"mix proof: {f}": _change(MessageKind.MIXED, f"proof.{f}", _flip)
        for f in ("c", "c_hat", "t", "t_hat", "s", "s_hat", "s_prime")
    },
    "share: factors": _change(MessageKind.DECRYPTED, "factors", _flip),
    "share: proof": _change(MessageKind.DECRYPTED, "proof", _flip),
    "dealing: commitments": _change(MessageKind.DEALT, "commitments", _flip),
    "dealing: proof": _change(MessageKind.DEALT, "proof", _flip),
    "confirmation: key": _change(MessageKind.CONFIRMED, "verification_key", _flip),
}


def test_every_seeded_mutation_of_the_proofs_is_caught(
    transcript: tuple[BallotBox, list[Message], dict[int, TrusteeKey]],
) -> None:
    box, messages, keys = transcript
    rng = random.Random(17)
    names = sorted(MUTATORS)
    missed, checked = [], 0
    for n in range(MUTATIONS):
        name = names[n % len(names)]
        changed_box, changed = MUTATORS[name](box, messages, keys, rng)
        if changed_box == box and changed == messages:
            continue  # a ballot flipped into bytes that are no ballot: refused as it is read
        checked += 1
        if not transcript_faults(changed_box, changed):
            missed.append(name)
    assert missed == []
    assert checked >= MUTATIONS * 9 // 10  # the refused-on-reading ballots are a few
