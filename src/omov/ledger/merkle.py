"""The Merkle tree of RFC 9162 (Certificate Transparency v2; same tree as RFC 6962).

Leaf hash = SHA-256(0x00 || entry), node hash = SHA-256(0x01 || left || right); the
empty tree's head is SHA-256 of nothing. The domain-separation prefixes stop a node from
passing as a leaf. ``MerkleTree`` keeps every *complete* subtree hash level by level, so
appending is amortised O(1) and a proof costs O(log² n) hashes whatever the log's size.

Verification follows RFC 9162 sections 2.1.3.2 and 2.1.4.2 step by step, plus the edge
rules of the reference implementation behind the test vectors (equal sizes need an empty
proof and equal roots; a proof from the empty tree proves nothing).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly below ``n`` (n >= 2): where RFC 9162 splits a tree."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of_hashes(leaves: Sequence[bytes]) -> bytes:
    """Tree head over leaf hashes, bottom-up: an unpaired last node moves up unchanged,
    which gives the same tree as RFC 9162's split at the largest power of two."""
    if not leaves:
        return EMPTY_ROOT
    level = list(leaves)
    while len(level) > 1:
        paired = parents(level)
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def parents(level: Sequence[bytes]) -> list[bytes]:
    """Node hashes of consecutive pairs (a trailing odd node is left out). One join and
    slices instead of a function call per node: this loop is the cost of a large tree."""
    joined = b"".join(level[: len(level) // 2 * 2])
    sha = hashlib.sha256
    width = 2 * HASH_SIZE
    return [sha(b"\x01" + joined[i : i + width]).digest() for i in range(0, len(joined), width)]


def leaf_hashes_of_rows(raw: bytes, row_size: int) -> list[bytes]:
    """Leaf hashes of fixed-width entries laid end to end in ``raw``."""
    sha = hashlib.sha256
    return [sha(b"\x00" + raw[i : i + row_size]).digest() for i in range(0, len(raw), row_size)]


def root(entries: Iterable[bytes]) -> bytes:
    """Tree head of the given leaf entries (their data, not their hashes)."""
    return root_of_hashes([leaf_hash(e) for e in entries])


@dataclass(frozen=True)
class RightEdge:
    """The complete subtrees along the right edge of a tree of ``size`` leaves, largest
    first: one for each 1 bit of ``size`` (a tree of 6 leaves: the subtrees of leaves 0-3
    and 4-5). They are all it takes to append a leaf and compute the root, so a log stored
    elsewhere grows by O(log n) hashes an entry, without its earlier entries being read."""

    size: int = 0
    hashes: tuple[bytes, ...] = ()

    def __post_init__(self) -> None:
        if self.size < 0 or len(self.hashes) != self.size.bit_count():
            raise ValueError("a right edge holds one subtree for each 1 bit of its size")
        if any(len(h) != HASH_SIZE for h in self.hashes):
            raise ValueError("a subtree hash is 32 bytes")

    def appended(self, leaf: bytes) -> RightEdge:
        """The edge with one more leaf (its hash): equal subtrees at the end pair up, as two
        1 bits carry when the size is incremented."""
        hashes, carry, below = list(self.hashes), leaf, self.size
        while below & 1:
            carry = node_hash(hashes.pop(), carry)
            below >>= 1
        return RightEdge(self.size + 1, (*hashes, carry))

    def root(self) -> bytes:
        """RFC 9162's root: each subtree is the left child of the tree of those after it."""
        if not self.hashes:
            return EMPTY_ROOT
        top = self.hashes[-1]
        for subtree in reversed(self.hashes[:-1]):
            top = node_hash(subtree, top)
        return top

    def to_text(self) -> str:
        """The hashes in hex, comma-separated (the size is the entry's index plus one)."""
        return ",".join(h.hex() for h in self.hashes)

    @classmethod
    def from_text(cls, size: int, text: str) -> RightEdge:
        return cls(size, tuple(bytes.fromhex(h) for h in text.split(",") if h))


class MerkleTree:
    """An append-only tree over leaf hashes, with the proofs of RFC 9162."""

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[list[bytes]] = [[]]
        for h in leaf_hashes:
            self.append_hash(h)

    @property
    def size(self) -> int:
        return len(self._levels[0])

    def append(self, entry: bytes) -> int:
        """Add one entry; returns its index."""
        return self.append_hash(leaf_hash(entry))

    def append_hash(self, h: bytes) -> int:
        if len(h) != HASH_SIZE:
            raise ValueError("a leaf hash is 32 bytes")
        index = self.size
        self._levels[0].append(h)
        level = 0
        # Each time a level's node count becomes even, a complete parent exists.
        while len(self._levels[level]) % 2 == 0:
            if len(self._levels) == level + 1:
                self._levels.append([])
            pair = self._levels[level][-2:]
            self._levels[level + 1].append(node_hash(pair[0], pair[1]))
            level += 1
        return index

    def extend_hashes(self, hashes: Sequence[bytes]) -> None:
        """Append many leaf hashes at once; the same tree as appending them one by one."""
        if any(len(h) != HASH_SIZE for h in hashes):
            raise ValueError("a leaf hash is 32 bytes")
        self._levels[0].extend(hashes)
        level = 0
        while len(self._levels[level]) >= 2:
            if len(self._levels) == level + 1:
                self._levels.append([])
            below, above = self._levels[level], self._levels[level + 1]
            done = 2 * len(above)
            above.extend(parents(below[done:]))
            level += 1

    def leaf(self, index: int) -> bytes:
        return self._levels[0][index]

    def right_edge(self) -> RightEdge:
        """The complete subtrees along this tree's right edge (``RightEdge``)."""
        hashes, start = [], 0
        for level in reversed(range(self.size.bit_length())):
            if self.size >> level & 1:
                hashes.append(self._levels[level][start >> level])
                start += 1 << level
        return RightEdge(self.size, tuple(hashes))

    def root(self, size: int | None = None) -> bytes:
        """Tree head of the first ``size`` leaves (default: all of them)."""
        n = self.size if size is None else size
        if not 0 <= n <= self.size:
            raise ValueError(f"the log has {self.size} entries, not {n}")
        return EMPTY_ROOT if n == 0 else self._subtree(0, n)

    def _subtree(self, lo: int, hi: int) -> bytes:
        width = hi - lo
        if width & (width - 1) == 0 and lo % width == 0:
            return self._levels[width.bit_length() - 1][lo // width]
        k = _split(width)
        return node_hash(self._subtree(lo, lo + k), self._subtree(lo + k, hi))

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[0:size]) of RFC 9162 2.1.3.1."""
        n = self.size if size is None else size
        if not 0 <= index < n <= self.size:
            raise ValueError(f"no entry {index} in a log of {n} entries")
        return self._path(index, 0, n)

    def _path(self, m: int, lo: int, hi: int) -> list[bytes]:
        if hi - lo == 1:
            return []
        k = _split(hi - lo)
        if m < k:
            return [*self._path(m, lo, lo + k), self._subtree(lo + k, hi)]
        return [*self._path(m - k, lo + k, hi), self._subtree(lo, lo + k)]

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """PROOF(old_size, D[0:new_size]) of RFC 9162 2.1.4.1."""
        n = self.size if new_size is None else new_size
        if not 0 <= old_size <= n <= self.size:
            raise ValueError(f"cannot prove {old_size} -> {n} in a log of {self.size} entries")
        if old_size in (0, n):
            return []
        return self._subproof(old_size, 0, n, True)

    def _subproof(self, m: int, lo: int, hi: int, whole: bool) -> list[bytes]:
        n = hi - lo
        if m == n:
            return [] if whole else [self._subtree(lo, hi)]
        k = _split(n)
        if m <= k:
            return [*self._subproof(m, lo, lo + k, whole), self._subtree(lo + k, hi)]
        return [*self._subproof(m - k, lo + k, hi, False), self._subtree(lo, lo + k)]


def _all_hashes(*values: bytes) -> bool:
    return all(len(v) == HASH_SIZE for v in values)


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root_hash: bytes
) -> bool:
    """True if ``proof`` shows the leaf hash ``leaf`` at ``index`` in the tree ``root_hash``."""
    if not 0 <= index < size or not _all_hashes(leaf, root_hash, *proof):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root_hash


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """True if ``proof`` shows the tree ``new_root`` only extends the tree ``old_root``."""
    if old_size <= 0 or new_size < old_size:
        # An empty old tree is consistent with anything, so a proof from it proves nothing.
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof or not _all_hashes(old_root, new_root, *proof):
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0
