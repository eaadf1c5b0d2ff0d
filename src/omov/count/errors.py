"""Errors of the count core. Each carries a one-line message a returning officer can act on."""

from __future__ import annotations

from pathlib import Path


class CountError(Exception):
    """Base class: anything the count core refuses, with a message fit to print as it is."""


class BallotError(CountError):
    """Ballots that cannot be read into a ballot set."""


class BallotFileError(BallotError):
    """A ballot file that is malformed, named with the line (or row) where reading failed."""

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.reason = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class MethodError(CountError):
    """A counting method asked for something it cannot do (unknown method, bad seats or options)."""
