"""Where each kind of entry may stand in a contest log, and how often (bundle format v2).

A fact the bundle states must come from an entry that a signed head covered at the moment
observers saved it, and from exactly one such entry: if a kind that occurs once could occur
twice, a reader taking the last one would let an officer append a second "ballot closed"
after the close. So each kind has a least and a most number of occurrences, the kinds it
must follow and precede, and the checkpoint whose head must contain it. Three kinds *seal*
a checkpoint: the head of that name is signed right after them (its size is their index
plus one). ``docs/bundle-format.md`` gives the same table in prose.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from omov.ledger.entries import EntryKind
from omov.ledger.heads import Checkpoint, SignedTreeHead

K = EntryKind


@dataclass(frozen=True)
class Rule:
    least: int
    most: int | None
    under: str
    """The checkpoint whose head must contain every entry of this kind."""
    after: EntryKind | None = None
    """Every entry of this kind comes after the (first) entry of that kind."""
    before: EntryKind | None = None
    """... and before the (first) entry of that kind."""


OPENED, CLOSED, PUBLISHED = Checkpoint.BALLOT_OPENED, Checkpoint.BALLOT_CLOSED, Checkpoint.PUBLISHED

RULES: Mapping[EntryKind, Rule] = MappingProxyType(
    {
        K.RULEBOOK_LOADED: Rule(1, 1, OPENED, before=K.NOMINATION),
        K.ENGINE_DECISION: Rule(0, None, PUBLISHED),
        K.NOMINATION: Rule(0, None, OPENED, after=K.RULEBOOK_LOADED, before=K.BALLOT_OPENED),
        K.ROLL_IMPORTED: Rule(1, None, OPENED, after=K.RULEBOOK_LOADED, before=K.ELECTORATE_FROZEN),
        K.ELIGIBILITY_DECIDED: Rule(0, None, OPENED, before=K.ELECTORATE_FROZEN),
        K.VETTING_DECIDED: Rule(0, None, OPENED, before=K.ELECTORATE_FROZEN),
        K.APPEAL_DECIDED: Rule(0, None, OPENED, before=K.ELECTORATE_FROZEN),
        K.ELECTORATE_FROZEN: Rule(1, 1, OPENED, after=K.ROLL_IMPORTED, before=K.BALLOT_OPENED),
        K.CREDENTIALS_ISSUED: Rule(
            1, None, CLOSED, after=K.ELECTORATE_FROZEN, before=K.BALLOT_CLOSED
        ),
        K.BALLOT_OPENED: Rule(1, 1, OPENED, after=K.ELECTORATE_FROZEN),
        K.CANDIDATE_WITHDRAWN: Rule(0, None, PUBLISHED, after=K.BALLOT_OPENED, before=K.COUNT_RUN),
        K.BALLOT_CLOSED: Rule(1, 1, CLOSED, after=K.BALLOT_OPENED),
        K.COUNT_RUN: Rule(1, 1, PUBLISHED, after=K.BALLOT_CLOSED),
        K.RESULTS_PUBLISHED: Rule(1, 1, PUBLISHED, after=K.COUNT_RUN),
    }
)

SEALS: Mapping[str, EntryKind] = MappingProxyType(
    {OPENED: K.BALLOT_OPENED, CLOSED: K.BALLOT_CLOSED, PUBLISHED: K.RESULTS_PUBLISHED}
)
"""Checkpoint -> the entry its head is signed right after."""


def positions(kinds: Sequence[EntryKind]) -> dict[EntryKind, list[int]]:
    found: dict[EntryKind, list[int]] = {kind: [] for kind in EntryKind}
    for index, kind in enumerate(kinds):
        found[kind].append(index)
    return found


def placement_problems(
    kinds: Sequence[EntryKind], heads: Sequence[SignedTreeHead]
) -> Iterator[str]:
    """Every way the log's entries break ``RULES`` and ``SEALS``: one line each, naming the
    entry by its index (the line of ``entries.jsonl`` is the index plus one)."""
    at = positions(kinds)
    sizes = _sealing_sizes(heads)
    yield from _head_problems(heads, at, sizes)
    if kinds and kinds[0] is not K.RULEBOOK_LOADED:
        yield f"entry 0 is {kinds[0]}; the log begins with its rulebook-loaded entry"
    for kind, rule in RULES.items():
        found = at[kind]
        if len(found) < rule.least:
            yield f"no {kind} entry; the log must hold {rule.least}"
        if rule.most is not None and len(found) > rule.most:
            extra = ", ".join(str(i) for i in found[rule.most :])
            yield f"{kind} occurs {len(found)} times (entries {extra} too); it may occur once"
        for index in found:
            yield from _order_problems(kind, index, rule, at, sizes)


def _order_problems(
    kind: EntryKind,
    index: int,
    rule: Rule,
    at: Mapping[EntryKind, list[int]],
    sizes: Mapping[str, int],
) -> Iterator[str]:
    if rule.after is not None and at[rule.after] and index < at[rule.after][0]:
        yield f"entry {index} ({kind}) comes before the {rule.after} entry"
    if rule.before is not None and at[rule.before] and index > at[rule.before][0]:
        yield f"entry {index} ({kind}) comes after the {rule.before} entry"
    size = sizes.get(rule.under)
    if size is not None and index >= size:
        yield f"entry {index} ({kind}) is not under the {rule.under} head (size {size})"


def _sealing_sizes(heads: Sequence[SignedTreeHead]) -> dict[str, int]:
    """Checkpoint -> size of its (first) head, for the three sealing checkpoints."""
    sizes: dict[str, int] = {}
    for head in heads:
        if head.head.checkpoint in SEALS:
            sizes.setdefault(head.head.checkpoint, head.size)
    return sizes


def _head_problems(
    heads: Sequence[SignedTreeHead],
    at: Mapping[EntryKind, list[int]],
    sizes: Mapping[str, int],
) -> Iterator[str]:
    checkpoints = [h.head.checkpoint for h in heads]
    for checkpoint, kind in SEALS.items():
        n = checkpoints.count(checkpoint)
        if n != 1:
            yield f"{n} contest-log heads at {checkpoint}; there is exactly one"
            continue
        if at[kind] and sizes[checkpoint] != at[kind][0] + 1:
            yield (
                f"the {checkpoint} head has size {sizes[checkpoint]}, not the "
                f"{at[kind][0] + 1} entries up to and including the {kind} entry"
            )
    order = [c for c in checkpoints if c in SEALS]
    if order == sorted(set(order), key=list(SEALS).index) and len(order) == len(SEALS):
        return
    if len(order) == len(SEALS):
        yield f"the sealing heads come in the order {', '.join(order)}"
