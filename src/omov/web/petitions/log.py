"""The petition's log in the database, its signed heads and its published count.

Entries are those of ``omov.ledger.petition`` (opened, reviewed, moderated, the signature
leaves at close, closed), appended in order; each batch's last row keeps the tree's right
edge, so an append reads one row, however long the log. Heads are signed with the
organisation's key (``omov.web.trust.services.organisation_key``), the one that signs its
results bundles. The bundle is written from the rows as they are: ``omov verify`` recounts
it offline.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from django.core.cache import cache
from django.utils.translation import gettext

from omov.ledger.heads import SignedTreeHead, TreeHead, sign_root
from omov.ledger.log import Log
from omov.ledger.merkle import RightEdge, leaf_hash
from omov.ledger.petition import PetitionPublication, write_petition_bundle
from omov.web.contests.rulebooks import stored_text
from omov.web.petitions.errors import PetitionError
from omov.web.petitions.models import Petition, PetitionHead, PetitionLogEntry, PetitionState
from omov.web.trust.services import organisation_key

BATCH = 5_000


def log_append(petition: Petition, entries: Sequence[bytes]) -> RightEdge:
    """Append ``entries`` to the petition's log (the caller holds the petition's lock);
    the tree's right edge after them."""
    last = PetitionLogEntry.objects.filter(petition=petition).order_by("-index").first()
    edge = RightEdge() if last is None else RightEdge.from_text(last.index + 1, last.right_edge)
    rows = []
    for data in entries:
        leaf = leaf_hash(data)
        edge = edge.appended(leaf)
        rows.append(
            PetitionLogEntry(
                petition=petition,
                index=edge.size - 1,
                kind=json.loads(data)["kind"],
                data=data.decode(),
                leaf_hash=leaf.hex(),
            )
        )
    if rows:
        rows[-1].right_edge = edge.to_text()
    PetitionLogEntry.objects.bulk_create(rows, batch_size=BATCH)
    return edge


def head_sign(petition: Petition, edge: RightEdge, checkpoint: str) -> PetitionHead:
    head = TreeHead(petition.log_id, edge.size, edge.root(), checkpoint)
    signed = sign_root(head, organisation_key(organisation=petition.organisation))
    return PetitionHead.objects.create(
        petition=petition,
        size=edge.size,
        checkpoint=checkpoint,
        signed=json.dumps(signed.to_json()),
    )


def petition_log(petition: Petition) -> Log:
    rows = PetitionLogEntry.objects.filter(petition=petition).order_by("index")
    return Log(petition.log_id, (data.encode() for data in rows.values_list("data", flat=True)))


def signed_heads(petition: Petition) -> tuple[SignedTreeHead, ...]:
    rows = PetitionHead.objects.filter(petition=petition).order_by("id")
    return tuple(SignedTreeHead.from_json(json.loads(r.signed)) for r in rows)


def bundle_write(petition: Petition, directory: Path) -> Path:
    """Write the signed count of a closed petition into the new ``directory``."""
    if petition.state != PetitionState.CLOSED:
        raise PetitionError(gettext("The signed count is published when the petition closes."))
    publication = PetitionPublication(
        petition_log(petition),
        signed_heads(petition),
        petition.title,
        petition.text,
        stored_text(petition.rulebook.typed),
        petition.rulebook.key,
    )
    key = organisation_key(organisation=petition.organisation)
    return write_petition_bundle(publication, directory, key)


def bundle_zip(petition: Petition) -> bytes:
    """The signed count as one zip, built once (a closed petition no longer changes)."""
    name = f"omov-petition-zip-{petition.pk}"
    cached = cache.get(name)
    if cached is None:
        with tempfile.TemporaryDirectory(prefix="omov-petition-") as folder:
            root = bundle_write(petition, Path(folder) / "bundle")
            buffer = io.BytesIO()
            top = f"petition-{petition.pk}-count"
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in sorted(root.rglob("*")):
                    if path.is_file():
                        archive.write(path, f"{top}/{path.relative_to(root).as_posix()}")
            cached = buffer.getvalue()
        cache.set(name, cached, timeout=None)
    return bytes(cached)
