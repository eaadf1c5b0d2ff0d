"""An append-only transparency log: entries as Merkle leaves, with heads and proofs.

The log knows nothing of storage: the web app keeps entries in an append-only table and
rebuilds a ``Log`` from them in order; a bundle keeps them one canonical entry per line
(``entries.jsonl``). Both give the same tree heads, so a head signed by the server can be
checked against the published file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from omov.ledger.entries import Entry, parse_entry
from omov.ledger.errors import EntryError, LedgerError
from omov.ledger.merkle import MerkleTree, RightEdge, leaf_hash


class Log:
    """Entries in order, and the Merkle tree over them."""

    def __init__(self, log_id: str, entries: Iterable[bytes] = ()) -> None:
        self.log_id = log_id
        self._entries: list[bytes] = []
        self._parsed: dict[int, Entry] = {}
        self._tree = MerkleTree()
        for data in entries:
            self.append_bytes(data)

    # -- writing ---------------------------------------------------------------------
    def append(self, entry: Entry) -> int:
        """Add a decision; returns its index (its leaf number). The entry is kept as well
        as its bytes, so reading it back (the bundle's marker does) parses nothing."""
        index = self.append_bytes(entry.to_bytes())
        self._parsed[index] = entry
        return index

    def append_bytes(self, data: bytes) -> int:
        self._entries.append(data)
        return self._tree.append_hash(leaf_hash(data))

    def extend_bytes(self, entries: list[bytes]) -> None:
        """Append many raw entries at once (the ballot log at scale)."""
        self._entries.extend(entries)
        self._tree.extend_hashes([leaf_hash(e) for e in entries])

    # -- reading ---------------------------------------------------------------------
    @property
    def size(self) -> int:
        return self._tree.size

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._entries)

    def entry(self, index: int) -> Entry:
        if index not in self._parsed:
            self._parsed[index] = parse_entry(self._entries[index])
        return self._parsed[index]

    def right_edge(self) -> RightEdge:
        """What it takes to append to this log elsewhere (``merkle.RightEdge``)."""
        return self._tree.right_edge()

    def root(self, size: int | None = None) -> bytes:
        return self._tree.root(size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        return self._tree.inclusion_proof(index, size)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        return self._tree.consistency_proof(old_size, new_size)

    # -- files -----------------------------------------------------------------------
    def to_jsonl(self) -> bytes:
        return b"".join(data + b"\n" for data in self._entries)

    @classmethod
    def from_jsonl(cls, log_id: str, text: bytes, *, source: str = "entries") -> Log:
        """Read a log file, refusing any line that is not a canonical entry."""
        if text and not text.endswith(b"\n"):
            raise LedgerError(f"{source}: the last line is cut short (no newline)")
        lines = text.split(b"\n")[:-1] if text else []
        log = cls(log_id, lines)
        for number in range(1, len(lines) + 1):
            try:
                log.entry(number - 1)
            except EntryError as error:
                raise LedgerError(f"{source}:{number}: {error}") from None
        return log

    @classmethod
    def read(cls, log_id: str, path: Path) -> Log:
        try:
            text = path.read_bytes()
        except OSError as error:
            raise LedgerError(f"{path}: cannot read ({error.strerror})") from None
        return cls.from_jsonl(log_id, text, source=str(path))
