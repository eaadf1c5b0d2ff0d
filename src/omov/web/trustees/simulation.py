"""Trustees played by the server, for the demo and the tests only.

Each simulated trustee's key is its own object, and with a ``directory`` its own key file
(encrypted at rest, as ``omov trustee`` keeps them), loaded for each step and saved after
it: no step of one trustee reads another's key. Every message goes through
``trustee_message_record``, exactly as an officer's upload of a real trustee's message
would, so the contest runs the same checks and writes the same log either way. A real
contest's trustees run ``omov trustee`` on their own machines instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from django.utils.translation import gettext

from omov.secrecy.keyfile import TrusteeKey
from omov.secrecy.messages import ciphertexts_digest
from omov.secrecy.tally import mix_chain
from omov.secrecy.trustee import confirm, deal, decrypt, introduce, mix
from omov.web.contests.models import Contest
from omov.web.errors import ContestError
from omov.web.trustees.selectors import (
    ballot_boxes,
    contest_binding,
    election_key,
    published_messages,
    roster_of,
    trustee_setup,
)
from omov.web.trustees.services import trustee_message_record


@dataclass
class SimulatedTrustees:
    contest: Contest
    directory: Path | None = None
    passphrase: bytes = b"demo trustee"
    _held: dict[int, TrusteeKey] = field(default_factory=dict)

    def _path(self, trustee: int) -> Path:
        assert self.directory is not None
        return self.directory / f"contest-{self.contest.pk}-trustee-{trustee}.key"

    def _load(self, trustee: int) -> TrusteeKey:
        if self.directory is None:
            return self._held[trustee]
        return TrusteeKey.load(self._path(trustee), self.passphrase)

    def _keep(self, key: TrusteeKey) -> None:
        if self.directory is None:
            self._held[key.trustee] = key
        else:
            self.directory.mkdir(parents=True, exist_ok=True)
            key.save(self._path(key.trustee), self.passphrase)

    def _record(self, text: str) -> None:
        trustee_message_record(contest=self.contest, text=text)

    def make_key(self) -> None:
        """The whole key generation: introductions, dealings, confirmations."""
        n, k = trustee_setup(self.contest)
        binding = contest_binding(self.contest)
        for i in range(1, n + 1):
            key = replace(TrusteeKey.new(binding, i, n, k), strength="demo")
            self._keep(key)
            self._record(introduce(key).to_json())
        roster = roster_of(published_messages(self.contest), n)
        assert roster is not None
        for i in range(1, n + 1):
            self._record(deal(self._load(i), roster).to_json())
        published = published_messages(self.contest)
        for i in range(1, n + 1):
            finished, message = confirm(self._load(i), roster, published)
            self._keep(finished)
            self._record(message.to_json())

    def mix_and_decrypt(self) -> None:
        """Two mixes of every box (trustees n and n−1), then shares of trustees 1..k."""
        n, k = trustee_setup(self.contest)
        key = election_key(self.contest)
        if key is None:
            raise ContestError(gettext("the trustees have not made the election key"))
        for box in ballot_boxes(self.contest).values():
            for mixer in (n, n - 1):
                published = published_messages(self.contest)
                roster = roster_of(published, n)
                assert roster is not None
                chain = mix_chain(box, roster, published, minimum=0)
                inputs = list(chain[-1].outputs) if chain else box.ciphertexts
                self._record(mix(self._load(mixer), key, inputs).to_json())
            published = published_messages(self.contest)
            roster = roster_of(published, n)
            assert roster is not None
            last = list(mix_chain(box, roster, published)[-1].outputs)
            assert ciphertexts_digest(last)
            for trustee in range(1, k + 1):
                self._record(decrypt(self._load(trustee), last).to_json())
