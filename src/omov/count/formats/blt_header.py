"""The lines of a BLT file before its ballots: ``candidates seats``, then any withdrawn
candidates and bracketed option lines, as ERS, OpenSTV and Droop write them::

    13 4
    -4 -9                  withdrawn candidates, as negative ids (ERS, OpenSTV, Droop)
    [withdrawn 4 9]        the same, as Droop's option line
    [tie 3 2 1 ...]        the order in which lots fall, every candidate once (Droop)
    [nick a b c ...]       a short name for each candidate, in id order, which the ballot
                           lines and the other option lines may use instead of ids (Droop)
    [droop ...]            Droop's own counting options: reported, not applied
    [undeclared ...]       Droop's undeclared write-ins: reported, not applied

An option line is one line from ``[`` to ``]``. Any other option name, a line that does
not close, or an option that names a candidate twice, none at all or one outside the
contest is an error naming its line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from omov.count.errors import BallotFileError

if TYPE_CHECKING:
    from omov.count.formats.runs import Text

BOM = b"\xef\xbb\xbf"
"""The UTF-8 byte-order mark Windows editors put at the start of a file."""
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

APPLIED = ("nick", "tie", "withdrawn")
REPORTED = {
    "droop": "gives Droop's own counting options; omov counts by --method and its options",
    "undeclared": "names Droop's undeclared write-ins; omov counts them as any candidate",
}


@dataclass(frozen=True)
class BltHeader:
    n_candidates: int
    seats: int
    withdrawn: frozenset[int]
    ballots_start: int
    """Byte offset of the first ballot line."""
    first_ballot_line: int
    tie_order: tuple[int, ...] = ()
    """``[tie]``: candidate ids in the order lots fall (empty: none declared)."""
    nicknames: Mapping[str, int] = field(default_factory=dict)
    """``[nick]``: nickname -> candidate id (empty: none declared)."""
    notes: tuple[str, ...] = ()
    """Option lines read but not applied, in words for the report."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "nicknames", MappingProxyType(dict(self.nicknames)))


def next_line(data: Text, offset: int, line_no: int) -> tuple[int, list[bytes], int]:
    """The next non-empty line from ``offset``: its number, its tokens, and where it ends."""
    while offset < len(data):
        stop = data.find(b"\n", offset)
        stop = len(data) if stop < 0 else stop + 1
        line_no += 1
        tokens = data[offset:stop].split()
        if tokens:
            return line_no, tokens, stop
        offset = stop
    return line_no, [], offset


def parse_header(path: Path, data: Text) -> BltHeader:
    """The header of ``data`` (a leading UTF-8 byte-order mark is passed over)."""
    first_bytes = data[:4]  # a mapped file has no startswith
    if first_bytes.startswith(UTF16_BOMS):
        raise BallotFileError(path, 1, "the file is UTF-16; BLT is read as UTF-8")
    start = len(BOM) if first_bytes.startswith(BOM) else 0
    first_line, first, offset = next_line(data, start, 0)
    if len(first) != 2 or not all(t.isdigit() for t in first):
        raise BallotFileError(
            path, first_line, "the first line must be 'candidates seats' (two whole numbers)"
        )
    n_candidates, seats = int(first[0]), int(first[1])
    if n_candidates < 1 or seats < 1:
        raise BallotFileError(path, first_line, "candidates and seats must be at least 1")
    options = _Options(path, n_candidates)
    line_no = first_line
    while True:
        number, tokens, after = next_line(data, offset, line_no)
        if tokens and tokens[0].startswith(b"["):
            options.option(number, data[offset:after])
        elif tokens and tokens[0].startswith(b"-"):
            options.withdrawn_ids(number, tokens)
        else:
            break
        offset, line_no = after, number
    return options.header(seats, offset, line_no + 1)


class _Options:
    """The withdrawn and option lines, read in order; names resolved once all are read
    (a ``[nick]`` line may come after the lines that use its nicknames)."""

    def __init__(self, path: Path, n: int) -> None:
        self.path = path
        self.n = n
        self.withdrawn: dict[int, int] = {}
        """Candidate id -> the line that withdrew it."""
        self.pending: list[tuple[int, str, list[str]]] = []
        self.nicknames: dict[str, int] = {}
        self.notes: list[str] = []

    def withdrawn_ids(self, line: int, tokens: list[bytes]) -> None:
        for token in tokens:
            if not (token.startswith(b"-") and token[1:].isdigit()):
                raise BallotFileError(self.path, line, f"withdrawn candidate {token!r} is not -id")
            self._withdraw(line, int(token[1:]) - 1)

    def _withdraw(self, line: int, candidate: int) -> None:
        if not 0 <= candidate < self.n:
            raise BallotFileError(
                self.path, line, f"withdrawn candidate {candidate + 1} is outside 1..{self.n}"
            )
        if candidate in self.withdrawn:
            raise BallotFileError(self.path, line, f"candidate {candidate + 1} is withdrawn twice")
        self.withdrawn[candidate] = line

    def option(self, line: int, raw: bytes) -> None:
        try:
            text = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise BallotFileError(self.path, line, "an option line is not valid UTF-8") from None
        if not text.endswith("]") or text.count("[") != 1 or text.count("]") != 1:
            raise BallotFileError(
                self.path, line, "an option line is one '[name ...]' on a line of its own"
            )
        words = text[1:-1].split()
        if not words:
            raise BallotFileError(self.path, line, "an empty option line '[]'")
        name, values = words[0], words[1:]
        if name in REPORTED:
            self.notes.append(f"line {line}: [{name} ...] {REPORTED[name]}: not applied")
        elif name == "nick":
            self._nick(line, values)
        elif name in APPLIED:
            self.pending.append((line, name, values))
        else:
            known = ", ".join(sorted([*APPLIED, *REPORTED]))
            raise BallotFileError(self.path, line, f"unknown option [{name}]; known: {known}")

    def _nick(self, line: int, values: list[str]) -> None:
        if self.nicknames:
            raise BallotFileError(self.path, line, "a second [nick] line")
        if len(values) != self.n or len(set(values)) != self.n:
            raise BallotFileError(
                self.path, line, f"[nick] must give {self.n} different nicknames, one a candidate"
            )
        for value in values:
            if value.isdigit() or value == "-" or "=" in value:
                raise BallotFileError(
                    self.path, line, f"nickname {value!r} would read as an id, '-' or a=b"
                )
        self.nicknames = {value: candidate for candidate, value in enumerate(values)}

    def candidate(self, line: int, value: str) -> int:
        """A candidate named by id (from 1) or by nickname."""
        if value.isascii() and value.isdigit():
            if 1 <= int(value) <= self.n:
                return int(value) - 1
            raise BallotFileError(self.path, line, f"candidate {value} is outside 1..{self.n}")
        if value in self.nicknames:
            return self.nicknames[value]
        raise BallotFileError(
            self.path, line, f"{value!r} is neither a candidate id nor a nickname"
        )

    def header(self, seats: int, ballots_start: int, first_ballot_line: int) -> BltHeader:
        tie_order: tuple[int, ...] = ()
        for line, name, values in self.pending:
            ids = [self.candidate(line, value) for value in values]
            if name == "withdrawn":
                if not ids:
                    raise BallotFileError(self.path, line, "[withdrawn] names no candidate")
                for candidate in ids:
                    self._withdraw(line, candidate)
            elif tie_order:
                raise BallotFileError(self.path, line, "a second [tie] line")
            elif sorted(ids) != list(range(self.n)):
                raise BallotFileError(
                    self.path, line, f"[tie] must list each of the {self.n} candidates once"
                )
            else:
                tie_order = tuple(ids)
        return BltHeader(
            n_candidates=self.n,
            seats=seats,
            withdrawn=frozenset(self.withdrawn),
            ballots_start=ballots_start,
            first_ballot_line=first_ballot_line,
            tie_order=tie_order,
            nicknames=self.nicknames,
            notes=tuple(self.notes),
        )


def ids_for_nicknames(
    path: Path, section: bytes, first_line: int, nicknames: Mapping[str, int]
) -> bytes:
    """The ballot lines of ``section`` with each nickname replaced by its candidate id, line
    for line (so line numbers hold). Ids, '-' and the weight and closing 0 stay as they are."""
    try:
        lines = section.decode("utf-8").split("\n")
    except UnicodeDecodeError as error:
        bad_line = first_line + section.count(b"\n", 0, error.start)
        raise BallotFileError(path, bad_line, "a ballot line is not valid UTF-8") from None
    out = []
    for line_no, line in enumerate(lines, start=first_line):
        tokens = line.split()
        ranks = [
            "=".join(_id(path, line_no, part, nicknames) for part in token.split("="))
            for token in tokens[1:-1]
        ]
        out.append(" ".join(tokens[:1] + ranks + tokens[-1:] if len(tokens) > 1 else tokens))
    return "\n".join(out).encode("utf-8")


def _id(path: Path, line: int, part: str, nicknames: Mapping[str, int]) -> str:
    if (part.isascii() and part.isdigit()) or part in ("", "-"):
        return part  # the numeric reader checks ids, blanks and a=b as for any file
    if part in nicknames:
        return str(nicknames[part] + 1)
    raise BallotFileError(path, line, f"{part!r} is neither a candidate id nor a [nick] nickname")
