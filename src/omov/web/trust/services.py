"""The transparency log's services: append entries, extend the ballot log, sign heads,
keep the organisation's key, and write the results bundle.

``log_entry_append`` runs inside the audit event's transaction (the caller holds the
contest lock), so an event and its ledger entry are written together or not at all.
Casting writes nothing here: ballots join their own log only at checkpoints, in batches
sorted by random id, so neither log shows who voted when or in what order.
"""

from __future__ import annotations

import base64
import io
import json
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import rfc8785
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext

from omov.ledger.bundle import write_bundle
from omov.ledger.heads import Checkpoint, SignedTreeHead, TreeHead, sign_root
from omov.ledger.keys import SigningKey
from omov.ledger.log import Log
from omov.ledger.merkle import RightEdge, leaf_hash
from omov.web.audit.models import AuditEvent
from omov.web.balloting.models import Ballot
from omov.web.contests.models import Contest, ContestState, Organisation
from omov.web.contests.services import contest_lock
from omov.web.errors import ContestError
from omov.web.trust.entries import entry_for_event
from omov.web.trust.models import BallotLeaf, LogEntry, LogName, OrganisationKey, TreeHeadRecord
from omov.web.trust.publication import (
    cast_per_section,
    opening_facts,
    publication_build,
)
from omov.web.trust.selectors import ballot_log, ballot_log_id, contest_log, contest_log_id


# -- the organisation's key -----------------------------------------------------------
def _passphrase() -> bytes:
    passphrase = str(getattr(settings, "OMOV_KEY_PASSPHRASE", ""))
    if not passphrase:
        raise ContestError(gettext("set OMOV_KEY_PASSPHRASE: the signing key is kept encrypted"))
    return passphrase.encode()


@transaction.atomic
def organisation_key(*, organisation: Organisation) -> SigningKey:
    """The organisation's Ed25519 key, generated (and stored encrypted) when first needed."""
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    stored = OrganisationKey.objects.filter(organisation=organisation).first()
    if stored is not None:
        return SigningKey.from_pem(bytes(stored.encrypted_pem), _passphrase(), source="key")
    key = SigningKey.generate()
    OrganisationKey.objects.create(
        organisation=organisation,
        encrypted_pem=key.to_pem(_passphrase()),
        fingerprint=key.fingerprint,
    )
    return key


# -- the contest log ------------------------------------------------------------------
def log_entry_append(
    *, event: AuditEvent, facts: dict[str, Any] | None = None, checkpoint: str | None = None
) -> LogEntry | None:
    """Make ``event`` the next leaf of its contest's log; chain the event to the tree before
    it (``previous_hash`` is the root of the log it extends). Organisation events have no
    contest log. ``facts``: what the entry commits to that its service computed (the ballot
    log's root at close...); ``checkpoint``: sign the contest log's head after it.

    The new root comes from the right edge stored with the last entry, so an append costs
    the same however long the log is (a vetting drive appends an entry per decision)."""
    if not event.stream.startswith("contest:"):
        return None
    contest = Contest.objects.filter(pk=int(event.stream.split(":", 1)[1])).first()
    if contest is None:
        return None
    edge = _contest_log_edge(contest)
    ledger_entry = entry_for_event(contest, event, facts or {})
    data = ledger_entry.to_bytes()
    previous = edge.root().hex()
    edge = edge.appended(leaf_hash(data))
    entry = LogEntry.objects.create(
        contest=contest,
        index=edge.size - 1,
        event=event,
        kind=ledger_entry.kind.value,
        data=data.decode(),
        leaf_hash=leaf_hash(data).hex(),
        root=edge.root().hex(),
        right_edge=edge.to_text(),
    )
    AuditEvent.objects.filter(pk=event.pk, previous_hash="").update(previous_hash=previous)
    if checkpoint is not None:
        head = TreeHead(contest_log_id(contest), edge.size, edge.root(), checkpoint)
        _record(contest, LogName.CONTEST, head)
    return entry


def log_entries_prepared(*, stream: str, events: Sequence[AuditEvent]) -> list[LogEntry]:
    """The log entries of several new events of one contest's stream, in order, unsaved (the
    caller saves the events, then these): each event's ``previous_hash`` is set to the root
    it extends, as ``log_entry_append`` would fill it. Only for kinds at which no checkpoint
    falls due and no facts are computed first (vetting decisions: their entries carry only
    their payloads)."""
    if not stream.startswith("contest:") or not events:
        return []
    contest = Contest.objects.get(pk=int(stream.split(":", 1)[1]))
    edge = _contest_log_edge(contest)
    entries = []
    for event in events:
        ledger_entry = entry_for_event(contest, event, {})
        data = ledger_entry.to_bytes()
        event.previous_hash = edge.root().hex()
        edge = edge.appended(leaf_hash(data))
        entries.append(
            LogEntry(
                contest=contest,
                index=edge.size - 1,
                kind=ledger_entry.kind.value,
                data=data.decode(),
                leaf_hash=leaf_hash(data).hex(),
                root=edge.root().hex(),
                right_edge=edge.to_text(),
            )
        )
    return entries


def log_entries_save(*, entries: Sequence[LogEntry], events: Sequence[AuditEvent]) -> None:
    """Save the entries ``log_entries_prepared`` made, once their events are saved."""
    if not entries:
        return
    for entry, event in zip(entries, events, strict=True):
        entry.event = event
    LogEntry.objects.bulk_create(entries)


def _contest_log_edge(contest: Contest) -> RightEdge:
    last = LogEntry.objects.filter(contest=contest).order_by("-index").first()
    return _edge_after(last, lambda: contest_log(contest))


def _edge_after(last: LogEntry | BallotLeaf | None, rebuilt: Callable[[], Log]) -> RightEdge:
    """A log's right edge as it stands: kept with its ``last`` row, or (for a log whose last
    row was written before edges were kept) taken from the log ``rebuilt`` from its rows."""
    if last is None:
        return RightEdge()
    if last.right_edge:
        return RightEdge.from_text(last.index + 1, last.right_edge)
    return rebuilt().right_edge()


def ballot_log_opened(*, contest: Contest) -> dict[str, Any]:
    """At opening: sign the ballot log's (empty) head; what the ballot-opened entry commits
    to, before any ballot is cast. The caller records the entry with these facts and the
    ``Checkpoint.BALLOT_OPENED`` head of the contest log."""
    _sign_ballot_log(contest, _ballot_log_edge(contest), Checkpoint.BALLOT_OPENED)
    return opening_facts(contest)


def ballot_log_sealed(*, contest: Contest) -> dict[str, Any]:
    """At close: log the ballots cast since the last checkpoint and sign the ballot log's
    closing head; what the ballot-closed entry commits to (its size, root and the ballots
    per section). The caller records the entry with these facts and the
    ``Checkpoint.BALLOT_CLOSED`` head of the contest log."""
    edge = ballot_log_extend(contest=contest)
    _sign_ballot_log(contest, edge, Checkpoint.BALLOT_CLOSED)
    return {
        "ballots": edge.size,
        "ballot_log_root": edge.root().hex(),
        "cast": cast_per_section(contest),
    }


# -- the ballot log -------------------------------------------------------------------
def ballot_leaf(ballot_id: uuid.UUID, section: str, ciphertext: bytes) -> bytes:
    """A ballot as its log holds it: id, section and the encrypted ballot (base64)."""
    sealed = base64.b64encode(ciphertext).decode()
    return bytes(rfc8785.dumps({"ballot": ballot_id.hex, "section": section, "ciphertext": sealed}))


def ballot_log_extend(*, contest: Contest) -> RightEdge:
    """Append the ballots cast since the last checkpoint, sorted by their random id, so the
    log shows only in which batch a ballot came, never the order inside it; the log's right
    edge after them.

    Only the new ballots are read (the database finds them), and the new leaves are hashed
    onto the edge kept with the last batch: a checkpoint costs what its batch costs, not
    what the whole log does. That matters because it holds the contest's lock, which
    casting waits for."""
    edge = _ballot_log_edge(contest)
    logged = BallotLeaf.objects.filter(contest=contest, ballot=OuterRef("id"))
    new = sorted(
        Ballot.objects.filter(contest=contest)
        .exclude(Exists(logged))
        .values_list("id", "section", "ciphertext"),
        key=lambda row: row[0].bytes,
    )
    leaves = []
    for ballot_id, section, ciphertext in new:
        data = ballot_leaf(ballot_id, section, bytes(ciphertext))
        edge = edge.appended(leaf_hash(data))
        leaves.append(
            BallotLeaf(
                contest=contest,
                index=edge.size - 1,
                ballot=ballot_id,
                data=data.decode(),
                leaf_hash=leaf_hash(data).hex(),
            )
        )
    if leaves:
        leaves[-1].right_edge = edge.to_text()
    BallotLeaf.objects.bulk_create(leaves)
    return edge


def _ballot_log_edge(contest: Contest) -> RightEdge:
    last = BallotLeaf.objects.filter(contest=contest).order_by("-index").first()
    return _edge_after(last, lambda: ballot_log(contest))


CHECKPOINT_MIN_DEFAULT = 100


def checkpoint_minimum(contest: Contest) -> int:
    """The rulebook's smallest batch a while-open head may cover (rulebooks loaded before
    it was stored get the schema's default)."""
    return contest.rulebook.typed.checkpoint_min_ballots or CHECKPOINT_MIN_DEFAULT


@transaction.atomic
def checkpoint_sign(*, contest: Contest, minimum: int = 1) -> TreeHeadRecord | None:
    """While the ballot is open: log the new ballots and sign a head, if at least
    ``minimum`` ballots came since the last one, and never fewer than the rulebook's
    ``checkpoint_min_ballots``: a head over a batch of a few ballots, matched with the
    database's transaction ids, would put each of those voters in a batch of a few."""
    contest = contest_lock(contest=contest, expected=(ContestState.BALLOT_OPEN,))
    logged = BallotLeaf.objects.filter(contest=contest).count()
    waiting = Ballot.objects.filter(contest=contest).count() - logged
    if waiting < max(1, minimum, checkpoint_minimum(contest)):
        return None
    return _sign_ballot_log(contest, ballot_log_extend(contest=contest), Checkpoint.WHILE_OPEN)


def _sign_ballot_log(contest: Contest, edge: RightEdge, checkpoint: str) -> TreeHeadRecord:
    head = TreeHead(ballot_log_id(contest), edge.size, edge.root(), checkpoint)
    return _record(contest, LogName.BALLOTS, head)


def _record(contest: Contest, name: str, unsigned: TreeHead) -> TreeHeadRecord:
    """Sign ``unsigned`` with the organisation's key and keep it."""
    head = sign_root(unsigned, organisation_key(organisation=contest.organisation))
    return TreeHeadRecord.objects.create(
        contest=contest,
        log=name,
        size=head.size,
        checkpoint=unsigned.checkpoint,
        signed=json.dumps(head.to_json()),
    )


def signed_heads(contest: Contest, name: str) -> list[SignedTreeHead]:
    records = TreeHeadRecord.objects.filter(contest=contest, log=name).order_by("id")
    return [SignedTreeHead.from_json(json.loads(r.signed)) for r in records]


# -- the results bundle ---------------------------------------------------------------
def bundle_write(*, contest: Contest, directory: Path) -> Path:
    """Write the signed results bundle of a published contest into a new ``directory``."""
    contest = Contest.objects.get(pk=contest.pk)
    if contest.state != ContestState.PUBLISHED:
        raise ContestError(gettext("the results bundle is written once the results are published"))
    publication = publication_build(
        contest,
        contest_log(contest),
        signed_heads(contest, LogName.CONTEST),
        signed_heads(contest, LogName.BALLOTS),
    )
    write_bundle(publication, directory, organisation_key(organisation=contest.organisation))
    return directory


def bundle_zip(*, contest: Contest) -> bytes:
    """The bundle as one zip, its files under ``contest-N-bundle/``. A published contest no
    longer changes, so the zip is built once per process and kept (the download is public)."""
    key = f"omov-bundle-zip-{contest.pk}"
    cached = cache.get(key)
    if cached is None:
        cached = _bundle_zip(contest)
        cache.set(key, cached, timeout=None)
    return bytes(cached)


def _bundle_zip(contest: Contest) -> bytes:
    with tempfile.TemporaryDirectory(prefix="omov-bundle-") as folder:
        root = bundle_write(contest=contest, directory=Path(folder) / "bundle")
        buffer = io.BytesIO()
        top = f"contest-{contest.pk}-bundle"
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    archive.write(path, f"{top}/{path.relative_to(root).as_posix()}")
        return buffer.getvalue()
