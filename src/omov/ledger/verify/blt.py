"""The bundle's BLT files, read strictly: exactly the form the bundle writer gives.

BLT readers differ (comments, equal rankings, spaces, skipped ranks), so a lenient reader
would let one file say one thing to omov and another to OpenSTV. A bundle's BLT is refused
unless it is: ``N S`` (candidates, seats); the withdrawn candidates as ``-i`` ids in rising
order on one line, if any; one line per ranking, ``W c1 ... ck 0`` with a weight from 1,
candidate ids from 1 to N, each at most once; ``0``; N quoted names; the quoted title;
every line ending in one newline and nothing else. Numbers are parsed in bulk (NumPy), so
a million lines take a fraction of a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from omov.ledger.errors import BundleError

DIGITS = np.arange(48, 58, dtype=np.uint8)


@dataclass(frozen=True)
class StrictBlt:
    seats: int
    withdrawn: frozenset[int]
    rankings: npt.NDArray[np.int16]
    """One row per ballot line: candidate indices, then ``len(names)`` (the stop) to the end."""
    weights: npt.NDArray[np.int64]
    names: tuple[str, ...]
    title: str


def read_strict_blt(data: bytes) -> StrictBlt:
    if not data.endswith(b"\n"):
        raise BundleError("the last line does not end in a newline")
    lines = data.split(b"\n", 2)
    header = _numbers(lines[0] + b"\n")
    if len(header) != 2 or header[0] < 1 or header[1] < 1:
        raise BundleError("line 1 is not 'CANDIDATES SEATS'")
    n, seats = int(header[0]), int(header[1])
    rest = data[len(lines[0]) + 1 :]
    withdrawn: frozenset[int] = frozenset()
    if rest.startswith(b"-"):
        line, _, rest = rest.partition(b"\n")
        withdrawn = _withdrawn(line, n)
    if rest.startswith(b"0\n"):
        end = 0
    elif (found := rest.find(b"\n0\n")) >= 0:
        end = found + 1
    else:
        raise BundleError("no line '0' ends the ballots")
    rankings, weights = _ballots(rest[:end], n)
    names = rest[end + 2 :].split(b"\n")[:-1]
    if len(names) != n + 1:
        raise BundleError(f"after the ballots come {n} names and a title, and nothing else")
    texts = [_quoted(line) for line in names]
    return StrictBlt(seats, withdrawn, rankings, weights, tuple(texts[:-1]), texts[-1])


def _withdrawn(line: bytes, n: int) -> frozenset[int]:
    parts = line.split(b" ")
    ids = []
    for part in parts:
        if not (part.startswith(b"-") and part[1:].isdigit() and part[1:2] != b"0"):
            raise BundleError("the withdrawn line is not '-i -j ...'")
        ids.append(int(part[1:]))
    if ids != sorted(set(ids)) or not all(1 <= i <= n for i in ids):
        raise BundleError("the withdrawn ids are not distinct candidates in rising order")
    return frozenset(i - 1 for i in ids)


def _quoted(line: bytes) -> str:
    if len(line) < 2 or line[:1] != b'"' or line[-1:] != b'"' or b'"' in line[1:-1]:
        raise BundleError("a name or the title is not one quoted line")
    try:
        return line[1:-1].decode("utf-8")
    except UnicodeDecodeError:
        raise BundleError("a name or the title is not UTF-8") from None


POWERS = 10 ** np.arange(10, dtype=np.int64)


def _numbers(block: bytes) -> npt.NDArray[np.int64]:
    return _tokens(block)[0]


def _tokens(block: bytes) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.intp]]:
    """The whole numbers of lines 'a b c\\n...' (single spaces, no leading zeros), and the
    line each stands on."""
    chars = np.frombuffer(block, dtype=np.uint8)
    digit = (chars >= 48) & (chars <= 57)
    newline = chars == 10
    if not (digit | newline | (chars == 32)).all():
        raise BundleError("a ballot line holds other than digits and single spaces")
    if chars.size == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.intp)
    before = np.concatenate(([False], digit[:-1]))
    if not digit[0] or not before[~digit].all():
        raise BundleError("a ballot line has a doubled, leading or trailing space")
    starts = np.flatnonzero(digit & ~before)
    ends = np.flatnonzero(~digit) - 1  # the last digit of each number
    lengths = ends - starts + 1
    if (lengths > 9).any():
        raise BundleError("a number in a ballot line is too long")
    if ((chars[starts] == 48) & (lengths > 1)).any():
        raise BundleError("a number in a ballot line has a leading zero")
    # Each digit weighed by ten to the number of digits after it in its number (no
    # cumulative sums over the characters: NumPy's on booleans is slow to cast).
    at = np.flatnonzero(digit)
    offsets = np.concatenate(([0], np.cumsum(lengths[:-1])))  # numbers' first digits in ``at``
    place = np.repeat(lengths - 1, lengths) - (np.arange(at.size) - np.repeat(offsets, lengths))
    weighted = (chars[at] - 48).astype(np.int64) * POWERS[place]
    numbers: npt.NDArray[np.int64] = np.add.reduceat(weighted, offsets)
    lines = np.searchsorted(np.flatnonzero(newline), starts)  # newlines before each number
    return numbers, lines


def _ballots(block: bytes, n: int) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int64]]:
    numbers, line_of = _tokens(block)
    zero = numbers == 0
    lines = int(line_of[-1]) + 1 if line_of.size else 0
    first = np.searchsorted(line_of, np.arange(lines))
    last = np.searchsorted(line_of, np.arange(lines), side="right") - 1
    if not zero[last].all() or zero.sum() != lines or (last - first < 1).any():
        raise BundleError("a ballot line is not 'WEIGHT c1 ... ck 0'")
    if (last - first - 1 > n).any():
        raise BundleError(f"a ballot line ranks more than {n} candidates")
    weights = numbers[first]
    if (weights < 1).any():
        raise BundleError("a ballot line's weight is not a whole number from 1")
    marks = np.ones(numbers.size, dtype=bool)
    marks[first], marks[last] = False, False
    if ((numbers[marks] < 1) | (numbers[marks] > n)).any():
        raise BundleError(f"a ballot line names a candidate outside 1..{n}")
    rank = np.arange(numbers.size) - first[line_of] - 1
    rankings = np.full((lines, n + 1), n, dtype=np.int16)
    rankings[line_of[marks], rank[marks]] = numbers[marks] - 1
    if _repeats(rankings, n):
        raise BundleError("a ballot line names a candidate twice")
    return rankings, weights


def _repeats(rankings: npt.NDArray[np.int16], n: int) -> bool:
    ordered = np.sort(rankings, axis=1)
    same = (ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] < n)
    return bool(same.any())
