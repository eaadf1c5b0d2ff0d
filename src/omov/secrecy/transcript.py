"""Every check of an encrypted contest, over all its ballot boxes, as one outcome.

``omov trustee check`` and ``omov verify`` both run this (``check_transcript``), then
report it their own way: the trustee CLI as one line, the verifier as one check per stage
and box. The stages are those of ``omov.secrecy.tally``, in the order the contest ran:

1. the key generation: every dealing's Feldman commitments and proof of knowledge, and
   every confirmation (``trustee.keygen_outcome``);
2. per box: its key is the one the trustees made, each ballot's proof of knowledge, no
   ballot copied (``tally.ballot_faults``);
3. per box: its mixes, chained and signed by distinct trustees, at least two, each proof of
   shuffle over the previous output (``tally.mix_chain``, ``tally.mix_faults``);
4. per box: k decryption shares of the last mix, each Chaum–Pedersen proof
   (``tally.decryption_shares``, ``tally.share_faults``); then the rankings they decrypt.

A stage whose inputs failed is not run (a mix of ballots whose proofs fail proves
nothing); its faults say so. Nothing here raises on a bad transcript.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from omov.secrecy.errors import SecrecyError
from omov.secrecy.group import Element
from omov.secrecy.messages import Message, Roster
from omov.secrecy.tally import (
    BallotBox,
    ballot_faults,
    decryption_shares,
    mix_chain,
    mix_faults,
    rankings,
    share_faults,
)
from omov.secrecy.trustee import keygen_outcome

Ranking = tuple[int, ...] | None
NOT_CHECKED = "not checked: the ballots or the mixes before it fail"


@dataclass(frozen=True)
class BoxOutcome:
    """One box's stages: its faults per stage (empty: it holds) and what it decrypts to
    (None unless every stage held)."""

    label: str
    ballots: int
    ballot_faults: tuple[str, ...]
    mixers: tuple[int, ...]
    mix_faults: tuple[str, ...]
    decrypters: tuple[int, ...]
    share_faults: tuple[str, ...]
    rankings: tuple[Ranking, ...] | None

    @property
    def faults(self) -> tuple[str, ...]:
        return self.ballot_faults + self.mix_faults + self.share_faults


@dataclass(frozen=True)
class TranscriptOutcome:
    keygen_faults: tuple[str, ...]
    trustees: int
    threshold: int
    boxes: tuple[BoxOutcome, ...]

    @property
    def faults(self) -> list[str]:
        return [*self.keygen_faults, *(f for box in self.boxes for f in box.faults)]


def check_transcript(
    boxes: Mapping[str, BallotBox], messages: Sequence[Message], workers: int = 1
) -> TranscriptOutcome:
    """Check the key generation once, then every box (by its published label) in order."""
    try:
        roster = Roster.from_introductions(messages)
        key, verification = keygen_outcome(roster, messages)
    except SecrecyError as error:
        return TranscriptOutcome((f"key generation: {error}",), 0, 0, ())
    checked = tuple(
        _box(label, box, roster, key, verification, messages, workers)
        for label, box in boxes.items()
    )
    return TranscriptOutcome((), roster.trustees, roster.threshold, checked)


def _box(
    label: str,
    box: BallotBox,
    roster: Roster,
    key: Element,
    verification: Mapping[int, Element],
    messages: Sequence[Message],
    workers: int,
) -> BoxOutcome:
    outcome = BoxOutcome(label, len(box.ballots), (), (), (), (), (), None)
    if box.contest != roster.contest:
        wrong = f"the box is of {box.contest!r}, the trustees of {roster.contest!r}"
        return replace(outcome, ballot_faults=(wrong,))
    if box.election_key != key:
        return replace(
            outcome, ballot_faults=("the box is under another key than the trustees made",)
        )
    outcome = replace(outcome, ballot_faults=tuple(ballot_faults(box)))
    try:
        chain = mix_chain(box, roster, messages)
    except SecrecyError as error:
        return replace(outcome, mix_faults=(f"mixes: {error}",))
    outcome = replace(
        outcome,
        mixers=tuple(m.mixer for m in chain),
        mix_faults=tuple(mix_faults(box, chain, workers)),
    )
    if outcome.ballot_faults or outcome.mix_faults:
        return replace(outcome, share_faults=(NOT_CHECKED,))
    last = list(chain[-1].outputs)
    try:
        shares = decryption_shares(roster, messages, last)
    except SecrecyError as error:
        return replace(outcome, share_faults=(f"decryption: {error}",))
    faults = tuple(share_faults(box.contest, shares, dict(verification), last, workers))
    papers = None if faults else tuple(rankings(box, last, shares, roster.threshold, workers))
    return replace(
        outcome,
        decrypters=tuple(s.trustee for s in shares),
        share_faults=faults,
        rankings=papers,
    )
