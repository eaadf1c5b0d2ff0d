"""``omov verify``: check a results bundle offline, one line per check.

The bundle is read once, strictly (``evidence``); then each step of ``STEPS``, a pure
function ``(evidence, options) -> checks``, says what holds. Every step runs even when an
earlier one fails, so a tampered bundle shows everything that no longer holds. A failure
names the file, the check and what differs; nothing a bundle holds gives a traceback or
blocks. Only a directory that is not an omov bundle of this format version at all is
refused with one ``BundleError`` line. To add a check, write a step and add it to
``STEPS``; read its files from ``evidence.files``. An encrypted contest's proofs are
checked once as the evidence is read (they are the costly part: ``workers`` processes
share them), and ``steps_secrecy`` reports them.
"""

from __future__ import annotations

from pathlib import Path

from omov.ledger.verify import (
    steps_board,
    steps_count,
    steps_facts,
    steps_files,
    steps_keys,
    steps_log,
    steps_secrecy,
)
from omov.ledger.verify.check import Check, Options, SavedHead, Step, failed
from omov.ledger.verify.evidence import Evidence, open_bundle, read_evidence

STEPS: tuple[Step, ...] = (
    steps_files.reading,
    steps_files.manifest,
    steps_keys.signatures,
    steps_log.heads,
    steps_log.entries,
    steps_log.saved_heads,
    steps_facts.rulebook,
    steps_facts.marker,
    steps_facts.candidates,
    steps_board.board,
    steps_facts.electorate,
    steps_secrecy.trustees,
    steps_secrecy.key_generation,
    steps_secrecy.ballot_proofs,
    steps_secrecy.shuffles,
    steps_secrecy.decryption,
    steps_secrecy.decrypted_board,
    steps_count.recount,
    steps_count.blt,
    steps_board.tracker,
)
"""The checks ``omov verify`` runs, in the order it prints them."""


MALFORMED = (KeyError, TypeError, ValueError, IndexError, AttributeError, ArithmeticError)
"""What a step's reading of a value of the wrong shape raises (a key missing, a list where
a number belongs): the step fails, and the others still run."""


def run_steps(evidence: Evidence, options: Options) -> list[Check]:
    return [check for step in STEPS for check in _run(step, evidence, options)]


def _run(step: Step, evidence: Evidence, options: Options) -> list[Check]:
    try:
        return list(step(evidence, options))
    except MALFORMED as error:
        name = step.__name__.replace("_", " ")
        fault = f"{type(error).__name__}: {str(error)[:60]}"
        return [failed(name, "", f"the bundle holds a value of the wrong shape ({fault})")]


def verify_bundle(
    directory: Path,
    *,
    tracker: str | None = None,
    expect_keys: tuple[str, ...] = (),
    trusted: tuple[str, ...] = (),
    saved_heads: tuple[SavedHead, ...] = (),
    workers: int = 1,
) -> list[Check]:
    options = Options(tracker, tuple(expect_keys), tuple(trusted), tuple(saved_heads))
    return run_steps(read_evidence(directory, workers), options)


__all__ = [
    "STEPS",
    "Check",
    "Evidence",
    "Options",
    "SavedHead",
    "open_bundle",
    "read_evidence",
    "run_steps",
    "verify_bundle",
]
