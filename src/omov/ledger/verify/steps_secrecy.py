"""An encrypted contest: every proof, from the ballots as cast to the board that is counted.

The proofs were checked once, as the evidence was read (``omov.secrecy.transcript``, the
check ``omov trustee check`` runs); these steps say what held, stage by stage and box by
box, in the order the contest ran: the trustees' messages are the log's, the key
generation, each ballot's proof (and the trackers are the ciphertexts'), each mix in
order, each decryption share, and the decrypted papers are the board the recount counts.
A failure names the box, the trustee (the mixer) and the check.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence

from omov.ledger.board import Board
from omov.ledger.bundle import BALLOTS, ENTRIES, TRACKERS
from omov.ledger.encrypted import BOXES, TRUSTEES, EncryptedBallots
from omov.ledger.verify.check import Check, Options, failed, passed
from omov.ledger.verify.evidence import Evidence
from omov.secrecy.ballot import tracker as ciphertext_tracker
from omov.secrecy.records import b64
from omov.secrecy.transcript import BoxOutcome, Ranking, TranscriptOutcome

SHOWN = 3
"""Faults shown per check; the rest are counted (10^5 bad proofs are not 10^5 lines)."""


def _joined(faults: Sequence[str]) -> str:
    more = len(faults) - SHOWN
    return "; ".join(faults[:SHOWN]) + (f"; and {more} more" if more > 0 else "")


def trustees(evidence: Evidence, options: Options) -> Iterator[Check]:
    """The bundle's trustee messages are exactly the log's, in its order; a contest whose
    log records no trustees says so (its ballots were not encrypted)."""
    logged, found = evidence.trustees, evidence.encrypted
    if not logged.encrypted:
        if found is None:
            yield passed(
                "ballot secrecy",
                ENTRIES,
                "not an encrypted contest: the log records no trustees, so whoever ran the "
                "count saw every ranking",
            )
        else:
            yield failed("ballot secrecy", TRUSTEES, "the log records no trustees for these")
        return
    if found is None:
        if not any(c.name == "ballot secrecy" for c in evidence.problems):
            yield failed(
                "ballot secrecy", TRUSTEES, "the log records trustees; the file is missing"
            )
        return
    bundled = tuple((m.kind.value, m.trustee, m.digest) for m in found.messages)
    if bundled != logged.messages:
        yield failed("trustee messages", TRUSTEES, _first_difference(bundled, logged.messages))
    else:
        yield passed(
            "trustee messages", TRUSTEES, f"{len(bundled)} messages, each the log's, in order"
        )


def _first_difference(
    bundled: tuple[tuple[str, int, str], ...], logged: tuple[tuple[str, int, str], ...]
) -> str:
    for n, (a, b) in enumerate(zip(bundled, logged, strict=False), start=1):
        if a != b:
            return (
                f"message {n} is trustee {a[1]}'s {a[0]}; the log's is trustee {b[1]}'s "
                f"{b[0]}, or of another SHA-256"
            )
    return f"{len(bundled)} messages where the log records {len(logged)}"


def key_generation(evidence: Evidence, options: Options) -> Iterator[Check]:
    outcome = evidence.transcript
    if outcome is None or evidence.encrypted is None:
        return
    if outcome.keygen_faults:
        yield failed("key generation", TRUSTEES, _joined(outcome.keygen_faults))
        return
    setup = evidence.setup
    if setup is not None and (outcome.trustees, outcome.threshold) != (
        setup.trustees,
        setup.threshold,
    ):
        yield failed(
            "key generation",
            TRUSTEES,
            f"{outcome.trustees} trustees, {outcome.threshold} to decrypt, where the "
            f"rulebook names {setup.trustees}, {setup.threshold} to decrypt",
        )
        return
    key = _election_key(evidence.encrypted)
    if key is not None and evidence.trustees.election_key != key:
        yield failed(
            "key generation", ENTRIES, "the election.key-made entry holds another election key"
        )
        return
    yield passed(
        "key generation",
        TRUSTEES,
        f"{outcome.trustees} trustees' commitments and proofs hold, {outcome.threshold} "
        "to decrypt, as the rulebook names; the log's election key is theirs",
    )


def _election_key(found: EncryptedBallots) -> str | None:
    keys = {b64(box.election_key) for box in found.boxes.values()}
    return keys.pop() if len(keys) == 1 else None


def ballot_proofs(evidence: Evidence, options: Options) -> Iterator[Check]:
    """Each ballot's proof of knowledge; the boxes are the board's sections, as many
    ballots each; the trackers are the hashes of the boxes' ciphertexts."""
    outcome, found, board = evidence.transcript, evidence.encrypted, evidence.board
    if outcome is None or found is None:
        return
    for box in outcome.boxes:
        if box.ballot_faults:
            yield failed("ballot proofs", BOXES, f"box {box.label!r}: {_joined(box.ballot_faults)}")
    if not outcome.keygen_faults and not any(b.ballot_faults for b in outcome.boxes):
        total = sum(b.ballots for b in outcome.boxes)
        yield passed("ballot proofs", BOXES, f"{total} ballots, each proof of knowledge holds")
    if board is not None:
        yield from _boxes_are_the_board(found, board)


def _boxes_are_the_board(found: EncryptedBallots, board: Board) -> Iterator[Check]:
    sizes = _board_sections(board)
    boxes = {label: len(box.ballots) for label, box in found.boxes.items()}
    if boxes != sizes:
        yield failed("ballot proofs", BOXES, f"the boxes hold {boxes}; the board {sizes}")
    trackers = sorted(ciphertext_tracker(b) for box in found.boxes.values() for b in box.ballots)
    if trackers != list(board.trackers):
        yield failed(
            "trackers", TRACKERS, "the trackers are not the hashes of the boxes' ciphertexts"
        )
    else:
        yield passed("trackers", BOXES, f"each of {len(trackers)} trackers hashes a ciphertext")


def _board_sections(board: Board) -> dict[str, int]:
    counts = Counter(board.section_ids.tolist())
    return {name: counts[i] for i, name in enumerate(board.section_names) if counts[i]}


def shuffles(evidence: Evidence, options: Options) -> Iterator[Check]:
    """Each box's mixes, in order: the message names the box, the mixer and the check."""
    outcome = evidence.transcript
    if outcome is None:
        return
    for box in outcome.boxes:
        if box.mix_faults:
            yield failed("shuffle", TRUSTEES, f"box {box.label!r}: {_joined(box.mix_faults)}")
        elif not box.ballot_faults:
            yield passed(
                "shuffle",
                TRUSTEES,
                f"box {box.label!r}: {len(box.mixers)} mixes in order (mixers: trustees "
                f"{', '.join(map(str, box.mixers))}), each proof of shuffle holds",
            )


def decryption(evidence: Evidence, options: Options) -> Iterator[Check]:
    outcome = evidence.transcript
    if outcome is None:
        return
    for box in outcome.boxes:
        if box.share_faults:
            yield failed("decryption", TRUSTEES, f"box {box.label!r}: {_joined(box.share_faults)}")
        else:
            yield passed(
                "decryption",
                TRUSTEES,
                f"box {box.label!r}: shares of trustees {', '.join(map(str, box.decrypters))}, "
                "each Chaum–Pedersen proof holds",
            )


def decrypted_board(evidence: Evidence, options: Options) -> Iterator[Check]:
    """The papers the shares decrypt are, box by box, the board's rankings (the board's
    order is its random ids', so they are compared as multisets)."""
    outcome, board = evidence.transcript, evidence.board
    if outcome is None or board is None or _unchecked(outcome):
        return
    counted = _board_rankings(board)
    bad = [box.label for box in outcome.boxes if _papers(box) != counted.get(box.label, Counter())]
    if bad or set(counted) - {box.label for box in outcome.boxes}:
        yield failed(
            "decrypted board",
            BALLOTS,
            f"the board's rankings are not what the boxes decrypt to (sections {bad or 'unmixed'})",
        )
        return
    total = sum(len(box.rankings or ()) for box in outcome.boxes)
    yield passed("decrypted board", BALLOTS, f"the board is the {total} decrypted papers")


def _unchecked(outcome: TranscriptOutcome) -> bool:
    return bool(outcome.keygen_faults) or any(box.rankings is None for box in outcome.boxes)


def _papers(box: BoxOutcome) -> Counter[tuple[int, ...]]:
    rankings: Sequence[Ranking] = box.rankings or ()
    return Counter(r or () for r in rankings)


def _board_rankings(board: Board) -> dict[str, Counter[tuple[int, ...]]]:
    """Per published section, each row's ranking up to its first stop code."""
    n = len(board.candidates)
    found: dict[str, Counter[tuple[int, ...]]] = {}
    for section, row in zip(board.section_ids.tolist(), board.rankings.tolist(), strict=True):
        ranking = []
        for cell in row:
            if cell >= n or cell < 0:
                break
            ranking.append(cell)
        found.setdefault(board.section_names[section], Counter())[tuple(ranking)] += 1
    return found
