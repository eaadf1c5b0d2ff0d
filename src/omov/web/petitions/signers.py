"""Who signed, as the log and the unique index know them: a keyed hash, never the person."""

from __future__ import annotations

import hashlib
import hmac

from omov.web.petitions.models import Petition


def signer_of(petition: Petition, klass: str, identity: str) -> str:
    """The keyed hash a person signs as: their identity (a member's identity key on the
    roll, a non-member's normalised email) under this petition's own key."""
    message = f"{klass}\x1f{identity}".encode()
    return hmac.new(bytes.fromhex(petition.key), message, hashlib.sha256).hexdigest()
