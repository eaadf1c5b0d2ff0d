"""The Merkle tree against the RFC 6962 reference vectors, and against its own proofs."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from omov.ledger.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    RightEdge,
    leaf_hash,
    root,
    verify_consistency,
    verify_inclusion,
)


def _b64(value: str) -> bytes:
    return base64.b64decode(value)


@pytest.fixture(scope="module")
def vectors(data_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((data_dir / "merkle-rfc6962" / "vectors.json").read_text())
    return data


def test_every_tree_head_of_the_reference_leaves(vectors: dict[str, Any]) -> None:
    leaves = [bytes.fromhex(h) for h in vectors["leaves_hex"]]
    expected = vectors["roots_hex_by_size"]
    assert len(expected) == 9
    tree = MerkleTree()
    assert tree.root().hex() == expected[0] == EMPTY_ROOT.hex()
    for n in range(1, len(leaves) + 1):
        tree.append(leaves[n - 1])
        assert tree.root().hex() == expected[n]
        assert root(leaves[:n]).hex() == expected[n]
        for m in range(n + 1):
            assert tree.root(m).hex() == expected[m]


def test_every_inclusion_case_as_want_err_says(vectors: dict[str, Any]) -> None:
    cases = vectors["inclusion"]
    assert len(cases) == 98
    for case in cases:
        proof = [_b64(p) for p in case["proof"] or []]
        ok = verify_inclusion(
            case["leafIdx"], case["treeSize"], _b64(case["leafHash"]), proof, _b64(case["root"])
        )
        assert ok is not case["wantErr"], case["file"]


def test_every_consistency_case_as_want_err_says(vectors: dict[str, Any]) -> None:
    cases = vectors["consistency"]
    assert len(cases) == 98
    for case in cases:
        proof = [_b64(p) for p in case["proof"] or []]
        ok = verify_consistency(
            case["size1"], case["size2"], _b64(case["root1"]), _b64(case["root2"]), proof
        )
        assert ok is not case["wantErr"], case["file"]


def test_the_vectors_accept_some_cases_and_reject_others(vectors: dict[str, Any]) -> None:
    """Guard against a verifier that says no to everything passing the vector tests."""
    for kind in ("inclusion", "consistency"):
        wants = {case["wantErr"] for case in vectors[kind]}
        assert wants == {True, False}


def test_proofs_from_our_tree_verify_for_every_size_and_index() -> None:
    entries = [f"entry {i}".encode() for i in range(40)]
    tree = MerkleTree()
    for n, entry in enumerate(entries, start=1):
        tree.append(entry)
        for m in range(n):
            proof = tree.inclusion_proof(m)
            assert verify_inclusion(m, n, leaf_hash(entries[m]), proof, tree.root())
            assert not verify_inclusion(m, n, leaf_hash(b"forged"), proof, tree.root())
        for old in range(1, n + 1):
            proof = tree.consistency_proof(old)
            assert verify_consistency(old, n, tree.root(old), tree.root(), proof)


def test_a_proof_from_our_tree_matches_a_reference_proof(vectors: dict[str, Any]) -> None:
    leaves = [bytes.fromhex(h) for h in vectors["leaves_hex"]]
    tree = MerkleTree(leaf_hash(x) for x in leaves)
    for case in vectors["consistency"]:
        if not case["wantErr"] and 0 < case["size1"] < case["size2"] <= 8:
            ours = tree.consistency_proof(case["size1"], case["size2"])
            assert [base64.b64encode(p).decode() for p in ours] == case["proof"]
    for case in vectors["inclusion"]:
        if not case["wantErr"] and case["treeSize"] <= 8 and case["proof"]:
            ours = tree.inclusion_proof(case["leafIdx"], case["treeSize"])
            assert [base64.b64encode(p).decode() for p in ours] == case["proof"]


def test_appending_in_bulk_builds_the_same_tree_as_one_by_one() -> None:
    entries = [f"ballot {i}".encode() for i in range(1000)]
    one_by_one = MerkleTree(leaf_hash(e) for e in entries)
    bulk = MerkleTree()
    for start, end in [(0, 1), (1, 7), (7, 300), (300, 301), (301, 1000)]:
        bulk.extend_hashes([leaf_hash(e) for e in entries[start:end]])
        assert bulk.root() == one_by_one.root(end) == root(entries[:end])
    assert bulk.consistency_proof(300) == one_by_one.consistency_proof(300)
    assert bulk.inclusion_proof(999) == one_by_one.inclusion_proof(999)


def test_a_right_edge_grows_as_the_reference_tree_does(vectors: dict[str, Any]) -> None:
    leaves = [bytes.fromhex(h) for h in vectors["leaves_hex"]]
    edge = RightEdge()
    assert edge.root().hex() == vectors["roots_hex_by_size"][0]
    for n, leaf in enumerate(leaves, start=1):
        edge = edge.appended(leaf_hash(leaf))
        assert edge.root().hex() == vectors["roots_hex_by_size"][n]


def test_a_right_edge_is_the_trees_edge_at_every_size() -> None:
    """Appended leaf by leaf, stored as text and read back (as the web app keeps it), the
    edge gives the tree's root at every size, and the tree's own edge is the same."""
    tree, edge = MerkleTree(), RightEdge()
    for i in range(300):
        h = leaf_hash(f"event {i}".encode())
        tree.append_hash(h)
        edge = RightEdge.from_text(edge.size, edge.to_text()).appended(h)
        assert edge.size == tree.size == i + 1
        assert len(edge.hashes) == bin(edge.size).count("1")
        assert edge.root() == tree.root()
        assert tree.right_edge() == edge


def test_a_right_edge_that_does_not_fit_its_size_is_refused() -> None:
    h = leaf_hash(b"x")
    with pytest.raises(ValueError, match="1 bit"):
        RightEdge(3, (h,))  # 3 leaves are two subtrees (2 + 1)
    with pytest.raises(ValueError, match="32 bytes"):
        RightEdge(1, (b"short",))
