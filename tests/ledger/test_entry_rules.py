"""Every entry kind, duplicated, missing or placed after its head, is refused: even when the
officer rewrites the log and signs every head and the manifest again, so that the heads
are consistent with the log and the manifest with the files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from omov.ledger.entries import EntryKind
from omov.ledger.entry_rules import RULES
from omov.ledger.keys import SigningKey
from omov.ledger.verify import verify_bundle
from tests.ledger.rewrite import copy, edit_entry, entries, entry_bytes, kinds, rewrite_log

K = EntryKind
Lines = list[bytes]


def _at(lines: Lines, kind: EntryKind) -> int:
    return kinds(lines).index(kind)


def _moved_after(lines: Lines, kind: EntryKind, after: EntryKind) -> Lines:
    """The first ``kind`` entry taken out and put right after the ``after`` entry."""
    moved = lines.pop(_at(lines, kind))
    lines.insert(_at(lines, after) + 1, moved)
    return lines


def _duplicated(lines: Lines, kind: EntryKind, after: EntryKind | None = None) -> Lines:
    """A second ``kind`` entry, right after the first or after ``after``."""
    copy_ = lines[_at(lines, kind)]
    where = _at(lines, after) + 1 if after else _at(lines, kind) + 1
    lines.insert(where, copy_)
    return lines


def _removed(lines: Lines, kind: EntryKind) -> Lines:
    return [line for line, k in zip(lines, kinds(lines), strict=True) if k is not kind]


def _inserted(lines: Lines, line: bytes, after: EntryKind) -> Lines:
    lines.insert(_at(lines, after) + 1, line)
    return lines


PERSON = "ab" * 32
CASES: dict[EntryKind, tuple[str, Callable[[Lines], Lines]]] = {
    K.RULEBOOK_LOADED: ("duplicate", lambda ls: _duplicated(ls, K.RULEBOOK_LOADED)),
    K.ENGINE_DECISION: ("after its head", lambda ls: [*ls, ls[_at(ls, K.ENGINE_DECISION)]]),
    K.NOMINATION: ("after its head", lambda ls: _moved_after(ls, K.NOMINATION, K.BALLOT_OPENED)),
    K.ROLL_IMPORTED: ("missing", lambda ls: _removed(ls, K.ROLL_IMPORTED)),
    K.ELIGIBILITY_DECIDED: (
        "after its head",
        lambda ls: _moved_after(ls, K.ELIGIBILITY_DECIDED, K.BALLOT_CLOSED),
    ),
    K.VETTING_DECIDED: (
        "after its head",
        lambda ls: _inserted(
            ls,
            entry_bytes(
                K.VETTING_DECIDED, person=PERSON, section="all", excluded=True, grounds="x"
            ),
            K.BALLOT_OPENED,
        ),
    ),
    K.APPEAL_DECIDED: (
        "after its head",
        lambda ls: _inserted(
            ls, entry_bytes(K.APPEAL_DECIDED, person=PERSON, upheld=True, reason="x"), K.COUNT_RUN
        ),
    ),
    K.ELECTORATE_FROZEN: (
        "duplicate after publication",
        lambda ls: _duplicated(ls, K.ELECTORATE_FROZEN, after=K.RESULTS_PUBLISHED),
    ),
    K.CREDENTIALS_ISSUED: (
        "after its head",
        lambda ls: _inserted(
            ls,
            edit_entry(ls[_at(ls, K.CREDENTIALS_ISSUED)], issued={"all": 10**6}),
            K.BALLOT_CLOSED,
        ),
    ),
    K.BALLOT_OPENED: ("duplicate", lambda ls: _duplicated(ls, K.BALLOT_OPENED, K.BALLOT_CLOSED)),
    K.CANDIDATE_WITHDRAWN: (
        "after its head",
        lambda ls: _inserted(
            ls, entry_bytes(K.CANDIDATE_WITHDRAWN, candidate="Begum"), K.COUNT_RUN
        ),
    ),
    K.BALLOT_CLOSED: (
        "duplicate with one ballot more, after the close",
        lambda ls: _inserted(
            ls,
            edit_entry(
                ls[_at(ls, K.BALLOT_CLOSED)], ballots=parse_ballots(ls) + 1, cast={"all": 1}
            ),
            K.BALLOT_CLOSED,
        ),
    ),
    K.COUNT_RUN: ("missing", lambda ls: _removed(ls, K.COUNT_RUN)),
    K.RESULTS_PUBLISHED: ("duplicate", lambda ls: _duplicated(ls, K.RESULTS_PUBLISHED)),
}


def parse_ballots(lines: Lines) -> int:
    from omov.ledger.entries import parse_entry

    return int(parse_entry(lines[_at(lines, K.BALLOT_CLOSED)])["ballots"])


def test_every_kind_has_a_case() -> None:
    assert set(CASES) == set(EntryKind) == set(RULES)


@pytest.mark.parametrize("kind", list(CASES), ids=str)
def test_each_kind_out_of_place_is_refused_though_the_officer_signs_again(
    kind: EntryKind, bundle_dir: Path, tmp_path: Path, officer: SigningKey
) -> None:
    what, mutate = CASES[kind]
    target = copy(bundle_dir, tmp_path / "b")
    # The engine-decision case keeps the published head where it was (after the entry
    # the head seals); everything else is signed again right after its sealing entry.
    sizes = {"published": len(entries(target))} if kind is K.ENGINE_DECISION else None
    rewrite_log(target, officer, mutate(entries(target)), sizes)
    checks = verify_bundle(target)
    failed = [c for c in checks if not c.ok]
    on_log = [c for c in failed if c.file == "ledger/entries.jsonl"]
    assert on_log, f"{kind} {what}: not refused: {[c.line() for c in failed]}"
    assert any(str(kind) in c.message or "head covers" in c.message for c in on_log), [
        c.line() for c in on_log
    ]
    # The officer's rewrite is self-consistent: the manifest, the officer's signature and
    # the heads' signatures all hold; only the entry rules (and what follows) refuse it.
    assert not [c for c in failed if c.name in ("manifest", "signature", "tree heads")]
