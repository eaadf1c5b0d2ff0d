"""Reading the transparency log for the public pages."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.core.paginator import Page, Paginator

from omov.ledger.keys import grouped_fingerprint
from omov.ledger.log import Log
from omov.ledger.merkle import MerkleTree
from omov.web.balloting.selectors import ballot_box, receipt_included
from omov.web.contests.models import Contest, ContestState
from omov.web.trust.models import BallotLeaf, LogEntry, LogName, OrganisationKey, TreeHeadRecord

AFTER_CLOSE = (ContestState.BALLOT_CLOSED, ContestState.COUNTED, ContestState.PUBLISHED)


def contest_log_id(contest: Contest) -> str:
    return contest.stream


def contest_log(contest: Contest) -> Log:
    """The contest's log as ``omov.ledger`` sees it, rebuilt from the stored entries."""
    data = LogEntry.objects.filter(contest=contest).order_by("index").values_list("data", flat=True)
    return Log(contest_log_id(contest), (d.encode() for d in data))


def ballot_log_id(contest: Contest) -> str:
    return f"{contest.stream}/ballots"


def ballot_log(contest: Contest) -> Log:
    leaves = BallotLeaf.objects.filter(contest=contest).order_by("index")
    data = leaves.values_list("data", flat=True)
    return Log(ballot_log_id(contest), (d.encode() for d in data))


def consistency_proof(*, contest: Contest, log: str, old: int, new: int) -> list[str] | None:
    """The proof that the log of ``new`` entries extends that of ``old`` (base64 hashes, as
    ``omov ledger check --proof`` reads them); None if the sizes do not fit the log.

    The endpoint is public, so a proof, which cannot change once both sizes exist (the log
    only grows), is computed once and kept in the cache, under a key naming the two sizes'
    last leaves (so another database's contest of the same number is never served it)."""
    rows = LogEntry if log == LogName.CONTEST else BallotLeaf
    ends = rows.objects.filter(contest=contest, index__in=(old - 1, new - 1))
    last_leaves = dict(ends.values_list("index", "leaf_hash"))
    if not 0 < old <= new or {old - 1, new - 1} - set(last_leaves):
        return None
    key = f"omov-proof-{contest.pk}-{log}-{old}-{new}-{last_leaves[old - 1]}-{last_leaves[new - 1]}"
    proof: list[str] | None = cache.get(key)
    if proof is None:
        leaves = rows.objects.filter(contest=contest, index__lt=new).order_by("index")
        proof = _proof_from_leaf_hashes(leaves.values_list("leaf_hash", flat=True), old)
        cache.set(key, proof, timeout=None)
    return proof


def _proof_from_leaf_hashes(leaf_hashes: Iterable[str], old: int) -> list[str]:
    """The consistency proof from ``old`` to all of ``leaf_hashes`` (hex, as stored): the
    tree is built from them, so no entry is read or hashed again."""
    tree = MerkleTree()
    tree.extend_hashes([bytes.fromhex(h) for h in leaf_hashes])
    return [base64.b64encode(h).decode() for h in tree.consistency_proof(old)]


def heads_json(*, contest: Contest) -> dict[str, list[dict[str, Any]]]:
    """Every signed head, as the bundle's ``ledger/heads.json`` holds them; each one is what
    ``omov ledger check`` reads, so observers can save them one by one."""
    records = TreeHeadRecord.objects.filter(contest=contest).order_by("id")
    heads: dict[str, list[dict[str, Any]]] = {LogName.CONTEST: [], LogName.BALLOTS: []}
    for record in records:
        heads[record.log].append(json.loads(record.signed))
    return heads


def head_json(*, contest: Contest, log: str, number: int) -> dict[str, Any] | None:
    heads = heads_json(contest=contest).get(log, [])
    return heads[number] if 0 <= number < len(heads) else None


def latest_heads(*, contest: Contest) -> list[dict[str, Any]]:
    """The latest head of each log, with its number in the list (for its own URL)."""
    latest = []
    for log, heads in heads_json(contest=contest).items():
        if heads:
            latest.append({"log": log, "number": len(heads) - 1, "head": heads[-1]})
    return latest


def key_fingerprint(*, contest: Contest) -> str | None:
    key = OrganisationKey.objects.filter(organisation=contest.organisation).first()
    return None if key is None else key.fingerprint


def key_shown(*, contest: Contest) -> dict[str, str] | None:
    fingerprint = key_fingerprint(contest=contest)
    if fingerprint is None:
        return None
    return {"full": fingerprint, "grouped": grouped_fingerprint(fingerprint)}


def log_size(*, contest: Contest) -> int:
    return LogEntry.objects.filter(contest=contest).count()


BOARD_PAGE = 1000
"""Trackers a page of the board lists (Labour 2016 had ~500,000 ballots: one page of them
all would be tens of megabytes of HTML)."""
RANGE_CHARACTERS = 2
"""The board is also served in ranges, the trackers that begin with the same two
characters (32 x 32 ranges of base32): the browser checks a voter's tracker against its
range, so the server learns only the range, one of 1,024, never the tracker."""
TRACKER_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def board_page(*, contest: Contest, number: str | int | None) -> Page[str] | None:
    """A page of the trackers, sorted (no order of casting), once the ballot is closed;
    else None. A page number out of range gives the nearest page."""
    if contest.state not in AFTER_CLOSE:
        return None
    receipts = ballot_box(contest=contest).values_list("receipt", flat=True)
    return Paginator(receipts, BOARD_PAGE).get_page(number)


def board_range(*, contest: Contest, prefix: str) -> list[str] | None:
    """The trackers that begin with ``prefix`` (``RANGE_CHARACTERS`` of base32), sorted,
    once the ballot is closed; None before, or for a prefix that is not a range."""
    if contest.state not in AFTER_CLOSE:
        return None
    if len(prefix) != RANGE_CHARACTERS or not set(prefix) <= TRACKER_ALPHABET:
        return None
    in_range = ballot_box(contest=contest).filter(receipt__startswith=prefix)
    return list(in_range.values_list("receipt", flat=True))


def tracker_listed(*, contest: Contest, tracker: str) -> bool | None:
    """Whether the board lists ``tracker`` (as a voter types it), once the ballot is
    closed; else None. One indexed lookup: the no-JavaScript check asks the server."""
    if contest.state not in AFTER_CLOSE:
        return None
    return receipt_included(contest=contest, receipt=tracker)
