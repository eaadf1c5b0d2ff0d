"""Mutations of an encrypted bundle's proofs, for the seeded mutation suite.

Each is what insiders can do after the fact: the officer, holding the signing key, writes
the changed file, changes the log's entries to match and signs every head and the
manifest again; where a trustee's message changes, the trustee signs it again with their
own key. Every signature then holds (only a scrutineer's countersignature of the honest
bundle does not), so what tells is the proofs: each mutation returns the file whose check
must fail (``secrecy/ballot-boxes.json`` or ``secrecy/trustees.jsonl``).
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from omov.ledger.encrypted import BOXES, TRUSTEE_DECISION, TRUSTEES
from omov.ledger.entries import parse_entry
from omov.ledger.keys import SigningKey
from omov.secrecy.keyfile import TrusteeKey
from omov.secrecy.messages import Message, MessageKind
from tests.ledger.rewrite import edit_entry, entries, resign_manifest, rewrite_log

Mutation = Callable[[Path, random.Random, SigningKey], str]
Keys = Mapping[int, TrusteeKey]


def _messages(d: Path) -> list[Message]:
    return [Message.from_json(line) for line in (d / TRUSTEES).read_text().splitlines()]


def _publish(d: Path, officer: SigningKey, messages: list[Message | None]) -> str:
    """Write the messages (None: dropped) and make the log's trustee entries say the same."""
    kept = [m for m in messages if m is not None]
    (d / TRUSTEES).write_text("".join(m.to_json() + "\n" for m in kept))
    lines, n = [], 0
    for line in entries(d):
        decision = parse_entry(line).fields.get("decision")
        if isinstance(decision, str) and decision.startswith(TRUSTEE_DECISION):
            message, n = messages[n], n + 1
            if message is None:
                continue
            line = edit_entry(line, sha256=message.digest)
        lines.append(line)
    rewrite_log(d, officer, lines)
    return TRUSTEES


def _flip(text: str, rng: random.Random) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
    return base64.b64encode(bytes(raw)).decode()


def _pick(messages: list[Message], kind: MessageKind, rng: random.Random) -> int:
    return rng.choice([n for n, m in enumerate(messages) if m.kind is kind])


def resigned_change(keys: Keys, kind: MessageKind, field: str) -> Mutation:
    """A trustee changes one value of one of their messages (a bit of a proof, a
    commitment, a decryption factor) and signs it again."""

    def mutate(d: Path, rng: random.Random, officer: SigningKey) -> str:
        messages: list[Message | None] = list(_messages(d))
        n = _pick([m for m in messages if m is not None], kind, rng)
        m = messages[n]
        assert m is not None
        body: dict[str, Any] = json.loads(json.dumps(m.body))
        parent, name = (body["proof"], field[6:]) if field.startswith("proof.") else (body, field)
        parent[name] = _flip(parent[name], rng)
        messages[n] = Message.sign(keys[m.trustee], m.kind, body)
        return _publish(d, officer, messages)

    mutate.__name__ = f"trustee_resigns_{kind.value}_{field}".replace(".", "_").replace("-", "_")
    return mutate


def _cheat(op: str, text: str, rng: random.Random) -> str:
    raw = base64.b64decode(text)
    cts = [raw[i : i + 64] for i in range(0, len(raw), 64)]
    i, j = rng.sample(range(len(cts)), 2)
    if op == "drop":
        del cts[i]
    elif op == "duplicate":
        cts[j] = cts[i]
    elif op == "swap":
        cts[i], cts[j] = cts[j], cts[i]
    else:  # replace one ciphertext by another pair of group elements
        cts[i] = cts[i][32:] + cts[i][:32]
    return base64.b64encode(b"".join(cts)).decode()


def mixer_cheats(keys: Keys, op: str) -> Mutation:
    """A mixer drops, duplicates, swaps or replaces one of its output ciphertexts and
    signs the mix again: the proof of shuffle no longer holds."""

    def mutate(d: Path, rng: random.Random, officer: SigningKey) -> str:
        messages: list[Message | None] = list(_messages(d))
        n = _pick([m for m in messages if m is not None], MessageKind.MIXED, rng)
        m = messages[n]
        assert m is not None
        body = {**m.body, "ciphertexts": _cheat(op, m.body["ciphertexts"], rng)}
        messages[n] = Message.sign(keys[m.trustee], m.kind, body)
        return _publish(d, officer, messages)

    mutate.__name__ = f"mixer_{op}s_a_ciphertext"
    return mutate


def unsigned_change(d: Path, rng: random.Random, officer: SigningKey) -> str:
    """The officer changes a trustee's message without the trustee's key."""
    messages: list[Message | None] = list(_messages(d))
    n = rng.randrange(len(messages))
    m = messages[n]
    assert m is not None
    key = rng.choice(sorted(k for k, v in m.body.items() if isinstance(v, str) and len(v) > 40))
    body = {**m.body, key: _flip(m.body[key], rng)}
    messages[n] = Message(m.kind, m.contest, m.trustee, body, m.signing_key, m.signature)
    return _publish(d, officer, messages)


def message_dropped(d: Path, rng: random.Random, officer: SigningKey) -> str:
    """A mix or a decryption share is left out (and its log entry with it)."""
    messages: list[Message | None] = list(_messages(d))
    kind = rng.choice([MessageKind.MIXED, MessageKind.DECRYPTED])
    messages[_pick([m for m in messages if m is not None], kind, rng)] = None
    return _publish(d, officer, messages)


def _rewrite_box(d: Path, officer: SigningKey, change: Callable[[bytearray], None]) -> str:
    record = json.loads((d / BOXES).read_text())
    box = record["boxes"][0]
    raw = bytearray(base64.b64decode(box["ballots"]))
    change(raw)
    box["ballots"] = base64.b64encode(bytes(raw)).decode()
    (d / BOXES).write_text(json.dumps(record, indent=1))
    resign_manifest(d, officer)
    return BOXES


def ballot_flipped(d: Path, rng: random.Random, officer: SigningKey) -> str:
    """One bit of one cast ballot (its ciphertext or its proof of knowledge) changed."""

    def change(raw: bytearray) -> None:
        raw[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)

    return _rewrite_box(d, officer, change)


def ballot_copied(d: Path, rng: random.Random, officer: SigningKey) -> str:
    """One voter's ballot, proof and all, cast again in place of another's."""

    def change(raw: bytearray) -> None:
        i, j = rng.sample(range(len(raw) // 128), 2)
        raw[128 * j : 128 * (j + 1)] = raw[128 * i : 128 * (i + 1)]

    return _rewrite_box(d, officer, change)


def proof_mutations(keys: Keys) -> list[Mutation]:
    return [
        ballot_flipped,
        ballot_copied,
        *(mixer_cheats(keys, op) for op in ("drop", "duplicate", "swap", "replace")),
        *(
            resigned_change(keys, MessageKind.MIXED, f"proof.{f}")
            for f in ("c", "c_hat", "t", "t_hat", "s", "s_hat", "s_prime")
        ),
        resigned_change(keys, MessageKind.DECRYPTED, "factors"),
        resigned_change(keys, MessageKind.DECRYPTED, "proof"),
        resigned_change(keys, MessageKind.DEALT, "commitments"),
        resigned_change(keys, MessageKind.DEALT, "proof"),
        resigned_change(keys, MessageKind.CONFIRMED, "verification_key"),
        unsigned_change,
        message_dropped,
    ]
