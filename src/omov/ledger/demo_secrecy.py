"""The demo contest's encrypted ballots: trustees, ciphertexts, two mixes and the shares.

``omov.ledger.demo`` plays a contest through the ledger; with ``encrypted=True`` it plays
the ballots' secrecy through this module the way the web app does (``omov.web.trustees``):
the rulebook's n trustees make the key before the ballot opens, every ballot is encrypted
with its proof (its tracker is its ciphertext's), and after the close two trustees mix each
published section's box and k decrypt it. Each message is a log entry
(``encrypted.trustee_entry``), so the bundle carries what ``omov verify`` checks. The
trustees' keys stay in the simulation (a test plays an insider trustee with them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import numpy.typing as npt

from omov.count import BallotSet
from omov.ledger.encrypted import DECRYPTED, KEY_MADE, EncryptedBallots, trustee_entry
from omov.ledger.entries import Entry, EntryKind, make_entry
from omov.secrecy import parallel
from omov.secrecy.ballot import EncryptedBallot, encrypt_ballot, tracker
from omov.secrecy.elgamal import Ciphertext
from omov.secrecy.group import Element
from omov.secrecy.keyfile import TrusteeKey
from omov.secrecy.messages import Message, Roster
from omov.secrecy.records import b64
from omov.secrecy.tally import BallotBox, mix_chain
from omov.secrecy.trustee import confirm, deal, decrypt, introduce, keygen_outcome, mix

MixStep = Callable[[TrusteeKey, Element, Sequence[Ciphertext]], Message]
"""A mixer's step (``trustee.mix``; a test swaps in a cheating mixer)."""


@dataclass
class DemoTrustees:
    contest: str
    rule: str
    keys: dict[int, TrusteeKey]
    election_key: Element
    messages: list[Message] = field(default_factory=list)

    def entries(self, since: int = 0) -> list[Entry]:
        return [trustee_entry(m, self.rule) for m in self.messages[since:]]


def make_key(
    contest: str, rule: str, trustees: int, threshold: int
) -> tuple[DemoTrustees, list[Entry]]:
    """The key generation of ``trustees`` trustees, ``threshold`` to decrypt
    (introductions, dealings, confirmations), and its log entries."""
    keys = {i: TrusteeKey.new(contest, i, trustees, threshold) for i in range(1, trustees + 1)}
    messages = [introduce(k) for k in keys.values()]
    roster = Roster.from_introductions(messages)
    messages += [deal(k, roster) for k in keys.values()]
    for i, k in list(keys.items()):
        keys[i], confirmation = confirm(k, roster, messages)
        messages.append(confirmation)
    key, _ = keygen_outcome(roster, messages)
    made = make_entry(
        EntryKind.ENGINE_DECISION,
        decision=KEY_MADE,
        rule=rule,
        election_key=b64(key),
        trustees=trustees,
        threshold=threshold,
    )
    played = DemoTrustees(contest, rule, keys, key, messages)
    return played, [*played.entries(), made]


def encrypt_all(
    trustees: DemoTrustees,
    rankings: Sequence[tuple[int, ...]],
    candidates: int,
    workers: int = 1,
) -> list[EncryptedBallot]:
    """What each voter's browser does: encode, encrypt, prove."""
    extra = (trustees.contest, trustees.election_key, candidates)
    return parallel.concat(parallel.run(_encrypt, [list(rankings)], extra, workers))


def _encrypt(
    rankings: list[tuple[int, ...]], contest: str, key: Element, candidates: int
) -> list[EncryptedBallot]:
    return [encrypt_ballot(contest, key, r, candidates) for r in rankings]


def cast_rankings(ballots: BallotSet, order: npt.NDArray[np.intp]) -> list[tuple[int, ...]]:
    """Each cast ballot's ranking (``order[k]``: the k-th ballot's unique-ranking row), up
    to its first stop code: what a voter encrypts."""
    n = len(ballots.candidates)
    unique = [tuple(c for c in row[: _stop(row, n)]) for row in ballots.rankings.tolist()]
    return [unique[row] for row in order.tolist()]


def _stop(row: list[int], n: int) -> int:
    return next((i for i, c in enumerate(row) if not 0 <= c < n), len(row))


def boxes_of(
    trustees: DemoTrustees,
    sealed: Sequence[EncryptedBallot],
    published: BallotSet,
    row_order: npt.NDArray[np.intp],
) -> dict[str, BallotBox]:
    """One box per published section (``row_order[k]``: the k-th ballot's row in
    ``published``), its ballots in tracker order, as the web app's."""
    found: dict[str, list[EncryptedBallot]] = {}
    for k, row in enumerate(row_order.tolist()):
        label = (
            published.section_names[published.section_ids[row]]
            if published.section_names
            else "all"
        )
        found.setdefault(label, []).append(sealed[k])
    n = len(published.candidates)
    return {
        label: BallotBox(
            trustees.contest, trustees.election_key, n, tuple(sorted(box, key=tracker))
        )
        for label, box in sorted(found.items())
    }


def mix_and_decrypt(
    trustees: DemoTrustees,
    boxes: Mapping[str, BallotBox],
    mixer: MixStep | None = None,
    workers: int = 1,
) -> tuple[EncryptedBallots, list[Entry]]:
    """Trustees n then n−1 mix each box (``mixer``: ``trustee.mix`` unless a test
    cheats), 1 to k decrypt its last mix; the log entries."""
    mixer = mixer or partial(mix, workers=workers)
    since = len(trustees.messages)
    roster = Roster.from_introductions(trustees.messages)
    for box in boxes.values():
        n, k = len(trustees.keys), trustees.keys[1].threshold
        for m in (n, n - 1):
            chain = mix_chain(box, roster, trustees.messages, minimum=0)
            inputs = list(chain[-1].outputs) if chain else box.ciphertexts
            trustees.messages.append(mixer(trustees.keys[m], trustees.election_key, inputs))
        last = list(mix_chain(box, roster, trustees.messages)[-1].outputs)
        trustees.messages += [decrypt(trustees.keys[j], last, workers) for j in range(1, k + 1)]
    papers = sum(len(box.ballots) for box in boxes.values())
    decrypted = make_entry(
        EntryKind.ENGINE_DECISION,
        decision=DECRYPTED,
        rule=trustees.rule,
        papers=papers,
        boxes=sorted(boxes),
    )
    published = EncryptedBallots(dict(boxes), tuple(trustees.messages))
    return published, [*trustees.entries(since), decrypted]
