"""From the ballot box to rankings: the mixes in order, then the decryption, each step
checked from what was published alone (the roster's signed messages).

Every function here is a check anyone can run, returning its faults as one-line strings
that name the trustee and the check; an empty list is a pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from omov.secrecy.ballot import EncryptedBallot, proof_holds
from omov.secrecy.decryption import DecryptionShare, combine, share_holds
from omov.secrecy.elgamal import Ciphertext
from omov.secrecy.encoding import decode
from omov.secrecy.errors import ProofError
from omov.secrecy.group import Element
from omov.secrecy.messages import Message, MessageKind, Roster, ciphertexts_digest
from omov.secrecy.mix import Mix
from omov.secrecy.records import b64, element, unb64
from omov.secrecy.shuffle_check import check_shuffle
from omov.secrecy.trustee import mix_of, share_of

BOX_FORMAT = "omov-ballot-box/1"
MIN_MIXERS = 2


@dataclass(frozen=True)
class BallotBox:
    """The encrypted ballots as the board lists them at close, for the first mixer."""

    contest: str
    election_key: Element
    candidates: int
    ballots: tuple[EncryptedBallot, ...]

    @property
    def ciphertexts(self) -> list[Ciphertext]:
        return [b.ciphertext for b in self.ballots]

    def as_record(self) -> dict[str, Any]:
        return {
            "format": BOX_FORMAT,
            "contest": self.contest,
            "election_key": b64(self.election_key),
            "candidates": self.candidates,
            "ballots": b64(b"".join(b.as_bytes() for b in self.ballots)),
        }

    @classmethod
    def from_record(cls, record: object, source: str = "the ballot box") -> BallotBox:
        if not isinstance(record, dict) or record.get("format") != BOX_FORMAT:
            raise ProofError(f"{source}: not a ballot box ({BOX_FORMAT})")
        raw = unb64(record.get("ballots"), f"{source}: ballots")
        if len(raw) % 128:
            raise ProofError(f"{source}: the ballots are not whole 128-byte records")
        contest, candidates = record.get("contest"), record.get("candidates")
        if not isinstance(contest, str) or not isinstance(candidates, int):
            raise ProofError(f"{source}: no contest or number of candidates")
        ballots = tuple(
            EncryptedBallot.from_bytes(raw[i : i + 128]) for i in range(0, len(raw), 128)
        )
        return cls(
            contest, element(record.get("election_key"), f"{source}: key"), candidates, ballots
        )


def ballot_faults(box: BallotBox) -> list[str]:
    """Each ballot's proof of knowledge holds, and no α appears twice (a copied ballot)."""
    faults = []
    seen: set[bytes] = set()
    for position, b in enumerate(box.ballots, start=1):
        if not proof_holds(box.contest, box.election_key, b):
            faults.append(f"ballot {position}: its proof of knowledge does not hold")
        if b.ciphertext.alpha in seen:
            faults.append(f"ballot {position}: a copy of an earlier ballot")
        seen.add(b.ciphertext.alpha)
    return faults


def mix_chain(
    box: BallotBox, roster: Roster, messages: Sequence[Message], minimum: int = MIN_MIXERS
) -> list[Mix]:
    """The mixes of this box in the order they chain (each one's input is the previous
    one's output), signed by distinct trustees, at least ``minimum`` of them (fewer while
    mixing). Mixes of other boxes (a contest mixes each published section on its own) are
    passed over; two mixes of one input are refused."""
    mixes = [m for m in messages if m.kind is MessageKind.MIXED]
    chain: list[Mix] = []
    current = ciphertexts_digest(box.ciphertexts)
    while True:
        following = [m for m in mixes if m.body.get("inputs") == current]
        if not following:
            break
        if len(following) > 1:
            raise ProofError("two mixes take the same input")
        roster.check(following[0])
        done = mix_of(following[0])
        if any(earlier.mixer == done.mixer for earlier in chain):
            raise ProofError(f"trustee {done.mixer} mixed twice")
        chain.append(done)
        current = ciphertexts_digest(done.outputs)
    if len(chain) < minimum:
        raise ProofError(f"{len(chain)} mixes where at least {minimum} trustees must mix")
    return chain


def mix_faults(box: BallotBox, chain: Sequence[Mix], workers: int = 1) -> list[str]:
    """Each mix's proof of shuffle over the previous mix's output, in order."""
    faults = []
    inputs = box.ciphertexts
    for done in chain:
        failure = check_shuffle(box.contest, box.election_key, inputs, done, workers)
        if failure is not None:
            faults.append(f"mixer {done.mixer} (trustee {done.mixer}): {failure}")
        inputs = list(done.outputs)
    return faults


def decryption_shares(
    roster: Roster, messages: Sequence[Message], last: Sequence[Ciphertext], minimum: int = 0
) -> list[DecryptionShare]:
    """The shares of ``last`` (the last mix's output), one per trustee, signed by them; at
    least ``minimum`` of them (the roster's threshold unless told otherwise)."""
    digest = ciphertexts_digest(last)
    shares = []
    for m in messages:
        if m.kind is MessageKind.DECRYPTED and m.body.get("inputs") == digest:
            roster.check(m)
            shares.append(share_of(m))
    if len({s.trustee for s in shares}) != len(shares):
        raise ProofError("a trustee published two decryption shares of one mix")
    needed = minimum or roster.threshold
    if len(shares) < needed:
        raise ProofError(f"{len(shares)} decryption shares where {needed} are needed")
    return sorted(shares, key=lambda s: s.trustee)


def share_faults(
    contest: str,
    shares: Sequence[DecryptionShare],
    verification_keys: dict[int, Element],
    last: Sequence[Ciphertext],
    workers: int = 1,
) -> list[str]:
    return [
        f"trustee {s.trustee}'s decryption share: its Chaum–Pedersen proof does not hold"
        for s in shares
        if not share_holds(contest, s, verification_keys[s.trustee], last, workers)
    ]


def rankings(
    box: BallotBox,
    last: Sequence[Ciphertext],
    shares: Sequence[DecryptionShare],
    threshold: int,
    workers: int = 1,
) -> list[tuple[int, ...] | None]:
    """The decrypted rankings (None for a paper that decrypts to no ranking), from the
    first ``threshold`` checked shares."""
    plain = combine(last, shares[:threshold], workers)
    return [decode(m, box.candidates) for m in plain]


def transcript_faults(box: BallotBox, messages: Sequence[Message], workers: int = 1) -> list[str]:
    """Every check of an encrypted contest over one ballot box and the trustees' messages
    (``omov.secrecy.transcript``), as one-line faults; an empty list is a pass."""
    from omov.secrecy.transcript import check_transcript

    return check_transcript({"": box}, messages, workers).faults
