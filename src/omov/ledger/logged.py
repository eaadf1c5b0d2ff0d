"""The facts of a contest as its log states them: what ``omov verify`` compares the
bundle with, and what ``write_bundle`` writes the bundle's marker from.

A kind that occurs once is read from its first entry (``entry_rules`` refuses a second);
credentials are read from the last credentials-issued entry before the close, and each
section's roll from its last import before the freeze. Every value is checked for its
shape here (names are unique text, counts are whole numbers from 0), so a check that
uses a fact never meets a negative count or a name list holding a number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from omov.ledger.entries import Entry, EntryKind
from omov.ledger.errors import LedgerError

K = EntryKind


class FactError(LedgerError):
    """A log from which the contest's facts cannot be read (missing or malformed entry)."""


@dataclass(frozen=True)
class SectionFigures:
    on_roll: int
    excluded: Mapping[str, int]
    eligible: int


@dataclass(frozen=True)
class LoggedFacts:
    rulebook_edition: str
    rulebook_sha256: str
    title: str
    candidates: tuple[str, ...]
    """On the ballot, in ballot order (ballot-opened)."""
    nominated: frozenset[str]
    """Named by a nomination entry."""
    on_ballot: frozenset[str] | None
    """Put on the ballot by the nominations-closed decision, where the log has one (the
    web app logs it; an incumbent the rulebook puts on the ballot needs no nomination)."""
    sections: tuple[str, ...]
    min_section: int
    trackers: str
    withdrawn: tuple[str, ...]
    """In candidate order."""
    rolls: Mapping[str, int]
    """Section -> rows of its last roll import."""
    electorate: Mapping[str, SectionFigures]
    """Section -> figures at the freeze."""
    vetted: Mapping[str, int]
    """Section -> people excluded by vetting and not restored on appeal."""
    ineligible: Mapping[str, Mapping[str, int]] | None
    """Section -> reason -> people decided ineligible (None if the log decides nobody
    one by one: the web app logs the roll's digest and row count, not each record)."""
    credentials: Mapping[str, int]
    cast: Mapping[str, int]
    ballots: int
    ballot_log_root: str
    method: str
    seats: int
    elected: tuple[str, ...]
    reports: Mapping[str, str]
    board_root: str
    trackers_sha256: str
    published_ballots: int

    @property
    def withdrawn_ids(self) -> frozenset[int]:
        return frozenset(self.candidates.index(name) for name in self.withdrawn)


def logged_facts(entries: Sequence[Entry]) -> LoggedFacts:
    """The contest's facts, or ``FactError`` naming the first entry that does not give them."""
    at, first = _first_of_each(entries)
    opened, closed, run = first[K.BALLOT_OPENED], first[K.BALLOT_CLOSED], first[K.COUNT_RUN]
    published, loaded = first[K.RESULTS_PUBLISHED], first[K.RULEBOOK_LOADED]
    candidates = _names(opened["candidates"], "ballot-opened candidates")
    withdrawn = {
        _text(e["candidate"], "candidate-withdrawn") for e in _all(entries, K.CANDIDATE_WITHDRAWN)
    }
    if not withdrawn <= set(candidates):
        raise FactError("a candidate-withdrawn entry names no candidate on the ballot")
    before_close = entries[: at[K.BALLOT_CLOSED]]
    issued = [e for e in before_close if e.kind is K.CREDENTIALS_ISSUED]
    return LoggedFacts(
        rulebook_edition=_text(loaded["edition"], "rulebook-loaded edition"),
        rulebook_sha256=_text(loaded["sha256"], "rulebook-loaded sha256"),
        title=_text(opened["title"], "ballot-opened title"),
        candidates=candidates,
        nominated=frozenset(
            _text(e["candidate"], "nomination") for e in _all(entries, K.NOMINATION)
        ),
        on_ballot=_on_ballot(entries[: at[K.BALLOT_OPENED]]),
        sections=_names(opened["sections"], "ballot-opened sections"),
        min_section=_count(opened["min_section"], "ballot-opened min_section"),
        trackers=_text(opened["trackers"], "ballot-opened trackers"),
        withdrawn=tuple(c for c in candidates if c in withdrawn),
        rolls=_rolls(entries[: at[K.ELECTORATE_FROZEN]]),
        electorate=_frozen(first[K.ELECTORATE_FROZEN]["sections"]),
        vetted=_vetted(entries),
        ineligible=_ineligible(entries),
        credentials=_counts(issued[-1]["issued"], "credentials-issued") if issued else {},
        cast=_counts(closed["cast"], "ballot-closed cast"),
        ballots=_count(closed["ballots"], "ballot-closed ballots"),
        ballot_log_root=_text(closed["ballot_log_root"], "ballot-closed root"),
        method=_text(run["method"], "count-run method"),
        seats=_count(run["seats"], "count-run seats"),
        elected=_names(run["elected"], "count-run elected"),
        reports={k: _text(v, "count-run reports") for k, v in _mapping(run["reports"]).items()},
        board_root=_text(published["board_root"], "results-published board_root"),
        trackers_sha256=_text(published["trackers_sha256"], "results-published trackers"),
        published_ballots=_count(published["ballots"], "results-published ballots"),
    )


ONCE = (
    K.RULEBOOK_LOADED,
    K.ELECTORATE_FROZEN,
    K.BALLOT_OPENED,
    K.BALLOT_CLOSED,
    K.COUNT_RUN,
    K.RESULTS_PUBLISHED,
)


def _first_of_each(
    entries: Sequence[Entry],
) -> tuple[dict[EntryKind, int], dict[EntryKind, Entry]]:
    """Kind -> index of its first entry, and that entry."""
    at: dict[EntryKind, int] = {}
    for index, entry in enumerate(entries):
        at.setdefault(entry.kind, index)
    missing = [str(kind) for kind in ONCE if kind not in at]
    if missing:
        raise FactError(f"the log has no {', '.join(missing)} entry")
    return at, {kind: entries[index] for kind, index in at.items()}


def _all(entries: Sequence[Entry], kind: EntryKind) -> list[Entry]:
    return [e for e in entries if e.kind is kind]


NOMINATIONS_CLOSED = "nominations.closed"


def _on_ballot(before_open: Sequence[Entry]) -> frozenset[str] | None:
    decided = [
        e
        for e in _all(before_open, K.ENGINE_DECISION)
        if e["decision"] == NOMINATIONS_CLOSED and "on_ballot" in e.fields
    ]
    if not decided:
        return None
    return frozenset(_names(decided[-1]["on_ballot"], "nominations-closed on_ballot"))


def _rolls(before_freeze: Sequence[Entry]) -> dict[str, int]:
    rows: dict[str, int] = {}
    for entry in _all(before_freeze, K.ROLL_IMPORTED):
        rows[_text(entry["section"], "roll-imported section")] = _count(entry["rows"], "rows")
    return rows


def _frozen(value: Any) -> dict[str, SectionFigures]:
    figures = {}
    for section, raw in _mapping(value).items():
        record = _mapping(raw)
        if set(record) != {"on_roll", "excluded", "eligible"}:
            raise FactError(f"electorate-frozen {section!r}: on_roll, excluded, eligible")
        on_roll = _count(record["on_roll"], f"electorate-frozen {section!r} on_roll")
        excluded = _counts(record["excluded"], f"electorate-frozen {section!r} excluded")
        eligible = _count(record["eligible"], f"electorate-frozen {section!r} eligible")
        if on_roll - sum(excluded.values()) != eligible:
            raise FactError(f"electorate-frozen {section!r}: on the roll minus excluded")
        figures[section] = SectionFigures(on_roll, excluded, eligible)
    return figures


def _people(entries: Sequence[Entry]) -> dict[str, tuple[str, str | None]]:
    """Person -> (section, why excluded or None), replaying decisions and appeals in order."""
    state: dict[str, tuple[str, str | None]] = {}
    for entry in entries:
        if entry.kind is K.VETTING_DECIDED:
            why = "vetted" if entry["excluded"] is True else None
            state[str(entry["person"])] = (str(entry["section"]), why)
        elif entry.kind is K.ELIGIBILITY_DECIDED:
            why = None if entry["eligible"] is True else str(entry["reason"])
            state[str(entry["person"])] = (str(entry["section"]), why)
        elif entry.kind is K.APPEAL_DECIDED and entry["upheld"] is True:
            person = str(entry["person"])
            if person in state:
                state[person] = (state[person][0], None)
    return state


def _vetted(entries: Sequence[Entry]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for section, why in _people(entries).values():
        if why == "vetted":
            counts[section] = counts.get(section, 0) + 1
    return counts


def _ineligible(entries: Sequence[Entry]) -> dict[str, dict[str, int]] | None:
    if not any(e.kind is K.ELIGIBILITY_DECIDED for e in entries):
        return None
    counts: dict[str, dict[str, int]] = {}
    for section, why in _people(entries).values():
        if why is not None and why != "vetted":
            by_reason = counts.setdefault(section, {})
            by_reason[why] = by_reason.get(why, 0) + 1
    return counts


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise FactError(f"{what} is not text")
    return value


def _count(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise FactError(f"{what} is not a whole number from 0")
    return value


def _mapping(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise FactError("a field that holds an object holds something else")
    return value


def _counts(value: Any, what: str) -> dict[str, int]:
    return {str(k): _count(v, f"{what} {k!r}") for k, v in _mapping(value).items()}


def _names(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise FactError(f"{what} is not a list of names")
    if len(set(value)) != len(value):
        raise FactError(f"{what} names someone twice")
    return tuple(value)
