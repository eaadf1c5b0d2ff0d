"""JSON read the strict way: one meaning per document, or a one-line refusal.

Python's ``json`` keeps the last of two equal keys, reads ``NaN`` and ``Infinity``, takes
integers of any size and recurses as deep as the text goes. Each of those lets one file
say two things to two readers (a channel to smuggle data past a reviewer) or stops the
verifier with a traceback, so a bundle's JSON is refused unless every key of an object is
unique, every number is finite and within 2^63, and arrays and objects nest at most
``MAX_DEPTH`` deep.
"""

from __future__ import annotations

import json
from typing import Any

from omov.ledger.errors import BundleError

MAX_DEPTH = 32
LIMIT = 2**63


class _RefusedError(ValueError):
    """Raised inside the parser's hooks; turned into a ``BundleError`` by ``loads``."""


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _RefusedError(f"the key {key!r} appears twice in one object")
        result[key] = value
    return result


def _constant(name: str) -> Any:
    raise _RefusedError(f"{name} is not a number JSON allows")


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > 19:
        raise _RefusedError(f"the number {text[:24]}… is out of range")
    value = int(text)
    if not -LIMIT < value < LIMIT:
        raise _RefusedError(f"the number {value} is out of range")
    return value


def _real(text: str) -> float:
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")) or abs(value) >= LIMIT:
        raise _RefusedError(f"the number {text[:24]} is out of range")
    return value


def loads(data: bytes, *, source: str) -> Any:
    """The one value ``data`` holds, or ``BundleError('source: what is wrong')``."""
    if _depth(data) > MAX_DEPTH:
        raise BundleError(f"{source}: JSON nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(
            data.decode("utf-8"),
            object_pairs_hook=_unique,
            parse_constant=_constant,
            parse_int=_integer,
            parse_float=_real,
        )
    except _RefusedError as refused:
        raise BundleError(f"{source}: {refused}") from None
    except UnicodeDecodeError:
        raise BundleError(f"{source}: not UTF-8 text") from None
    except (ValueError, RecursionError) as error:
        raise BundleError(f"{source}: not JSON ({str(error)[:80]})") from None


def loads_canonical(data: bytes, *, source: str) -> Any:
    """The value of a document that must be in RFC 8785 canonical form (a log entry).

    Canonical form already has one meaning per document: re-encoding the value must give
    the same bytes, which a repeated key, ``NaN``, an integer past 2^53 or any spacing
    would not. So this parses with the plain (fast) ``json`` and checks that, instead of
    running the hooks of ``loads`` on every object: a log holds tens of thousands."""
    import rfc8785

    if _depth(data) > MAX_DEPTH:
        raise BundleError(f"{source}: JSON nested deeper than {MAX_DEPTH} levels")
    try:
        value = json.loads(data)
        canonical = bytes(rfc8785.dumps(value))
    except (ValueError, RecursionError, UnicodeDecodeError):
        raise BundleError(f"{source}: not JSON") from None
    except Exception:  # rfc8785 refuses NaN, huge integers, lone surrogates: not canonical
        canonical = b""
    if canonical != data:
        raise BundleError(f"{source}: not in canonical JSON (RFC 8785) form")
    return value


def _depth(data: bytes) -> int:
    """The deepest nesting of brackets outside strings (a scan, before ``json`` recurses).
    A document with few brackets in all cannot nest deeper than their number: no scan."""
    if data.count(b"[") + data.count(b"{") <= MAX_DEPTH:
        return 0
    depth = deepest = 0
    in_string = escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest
