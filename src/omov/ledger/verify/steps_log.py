"""The contest log and its heads: signatures, consistency, where each entry stands, and
the heads observers saved while the contest ran (``--head``).

A bundle's own heads are the officer's word: an officer holding the key can rewrite the
log and sign new heads over it. What the officer cannot rewrite is a head somebody else
saved earlier; a saved head must be one the bundle's log still gives.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

from omov.ledger.bundle import ENTRIES, HEADS
from omov.ledger.entry_rules import placement_problems
from omov.ledger.heads import SignedTreeHead, head_matches_log, heads_consistent
from omov.ledger.log import Log
from omov.ledger.verify.check import Check, Options, SavedHead, failed, passed
from omov.ledger.verify.evidence import Evidence, Heads
from omov.ledger.verify.steps_keys import officer_key


def ballot_log_id(contest_log_id: str) -> str:
    return f"{contest_log_id}/ballots"


def heads(evidence: Evidence, options: Options) -> Iterator[Check]:
    found, log = evidence.heads, evidence.log
    if found is None or log is None:
        return
    yield from _signed_by_officer(found, officer_key(evidence))
    yield from _contest_heads(log, found.contest)
    yield from _ballot_heads(evidence, found)


def _signed_by_officer(found: Heads, officer: str | None) -> Iterator[Check]:
    for name, group in (("contest", found.contest), ("ballot", found.ballots)):
        for i, head in enumerate(group):
            where = f"{name} head {i} ({head.head.checkpoint}, size {head.size})"
            if not head.signature_holds():
                yield failed("tree heads", HEADS, f"{where}: the signature does not verify")
            elif officer is not None and head.key_fingerprint != officer:
                yield failed(
                    "tree heads",
                    HEADS,
                    f"{where} is signed by {head.key_fingerprint}, not the officer",
                )


def _contest_heads(log: Log, heads: Sequence[SignedTreeHead]) -> Iterator[Check]:
    if not heads:
        yield failed("log consistency", HEADS, "no signed tree head of the contest log")
        return
    problems = []
    for i, head in enumerate(heads):
        if head.head.log_id != log.log_id:
            problems.append(f"head {i} is of log {head.head.log_id!r}, not {log.log_id!r}")
        elif (wrong := head_matches_log(head, log)) is not None:
            problems.append(f"head {i} ({head.head.checkpoint}): {wrong}")
    for i, (old, new) in enumerate(itertools.pairwise(heads)):
        fits = old.size <= new.size <= log.size
        proof = log.consistency_proof(old.size, new.size) if fits else []
        if (wrong := heads_consistent(old, new, proof)) is not None:
            problems.append(f"heads {i} and {i + 1}: {wrong}")
    if heads[-1].size != log.size:
        problems.append(f"the last signed head covers {heads[-1].size} of {log.size} entries")
    for problem in problems:
        yield failed("log consistency", ENTRIES, problem)
    if not problems:
        yield passed(
            "log consistency",
            ENTRIES,
            f"{len(heads)} signed heads, consistent with each other and the {log.size} entries",
        )


def _ballot_heads(evidence: Evidence, found: Heads) -> Iterator[Check]:
    heads, facts = found.ballots, evidence.facts
    wanted = ballot_log_id(found.log_id)
    checkpoints = [h.head.checkpoint for h in heads]
    problems = []
    if any(h.head.log_id != wanted for h in heads):
        problems.append(f"a ballot-log head is not of the log {wanted!r}")
    if len(heads) < 2 or checkpoints[0] != "ballot-opened" or checkpoints[-1] != "ballot-closed":
        problems.append("the ballot log's heads run from ballot-opened to ballot-closed")
    elif heads[0].size != 0:
        problems.append(f"the ballot log held {heads[0].size} ballots when the ballot opened")
    if set(checkpoints[1:-1]) - {"while-open"} or checkpoints.count("ballot-closed") > 1:
        problems.append("a ballot-log head between open and close is not a while-open one")
    sizes = [h.size for h in heads]
    if sizes != sorted(sizes):
        problems.append("the ballot log's signed sizes go backwards")
    if facts is not None and heads:
        last = heads[-1]
        if (last.size, last.root.hex()) != (facts.ballots, facts.ballot_log_root):
            problems.append("the last ballot-log head differs from the ballot-closed entry")
    for problem in problems:
        yield failed("ballot log", HEADS, problem)
    if not problems:
        yield passed(
            "ballot log", HEADS, f"{len(heads)} signed heads, {sizes[-1]} ballots at close"
        )


def entries(evidence: Evidence, options: Options) -> Iterator[Check]:
    """Each kind of entry as often and where ``docs/bundle-format.md`` says."""
    if evidence.log is None or evidence.heads is None:
        return
    kinds = [entry.kind for entry in evidence.entries]
    problems = list(placement_problems(kinds, evidence.heads.contest))
    for problem in problems:
        yield failed("log entries", ENTRIES, problem)
    if not problems:
        yield passed(
            "log entries",
            ENTRIES,
            f"{len(kinds)} entries, each kind where and as often as it may be",
        )


def saved_heads(evidence: Evidence, options: Options) -> Iterator[Check]:
    """Each head an observer saved must be the officer's, and still given by the bundle."""
    if not options.saved_heads:
        return
    officer = officer_key(evidence)
    for saved in options.saved_heads:
        yield _saved_head(evidence, saved, officer)


def _saved_head(evidence: Evidence, saved: SavedHead, officer: str | None) -> Check:
    head, log, found = saved.head, evidence.log, evidence.heads
    what = f"the head saved in {saved.source} ({head.head.checkpoint}, size {head.size})"
    if not head.signature_holds():
        return failed("saved head", HEADS, f"{what}: its signature does not verify")
    if head.key_fingerprint != officer:
        return failed("saved head", HEADS, f"{what} is signed by another key than the bundle's")
    if log is None or found is None:
        return failed("saved head", ENTRIES, f"{what}: the bundle's log cannot be read")
    if head.head.log_id == log.log_id:
        wrong = head_matches_log(head, log)
        if wrong is not None:
            return failed("saved head", ENTRIES, f"{what}: the log was rewritten: {wrong}")
        return passed("saved head", ENTRIES, f"{what}: the bundle's log extends it")
    if head.head.log_id == ballot_log_id(log.log_id):
        same = [h for h in found.ballots if h.size == head.size]
        if not same:
            return failed(
                "saved head", HEADS, f"{what}: the bundle has no ballot-log head to match"
            )
        if same[0].root != head.root:
            return failed("saved head", HEADS, f"{what}: the ballot log was rewritten")
        return passed("saved head", HEADS, f"{what}: the bundle carries the same ballot-log head")
    return failed("saved head", HEADS, f"{what} is of log {head.head.log_id!r}, not this contest's")
