"""Trustees' messages and key files: signed by the roster's keys, sealed shares checked,
key files that open only with their passphrase and header."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import nacl.public
import pytest

from omov.secrecy.ballot import encrypt_ballot
from omov.secrecy.errors import ProofError, TrusteeKeyError
from omov.secrecy.group import random_scalar
from omov.secrecy.keyfile import TrusteeKey
from omov.secrecy.messages import Message, MessageKind, Roster, ciphertexts_digest
from omov.secrecy.records import b64
from omov.secrecy.tally import (
    BallotBox,
    ballot_faults,
    decryption_shares,
    mix_chain,
    mix_faults,
    rankings,
    share_faults,
)
from omov.secrecy.trustee import confirm, deal, decrypt, introduce, keygen_outcome, mix

CONTEST = "trustee-contest"


def keygen(n: int = 3, k: int = 2) -> tuple[list[TrusteeKey], list[Message], Roster]:
    keys = [TrusteeKey.new(CONTEST, i, n, k) for i in range(1, n + 1)]
    messages = [introduce(key) for key in keys]
    roster = Roster.from_introductions(messages)
    messages += [deal(key, roster) for key in keys]
    finished = []
    for key in keys:
        done, message = confirm(key, roster, messages)
        finished.append(done)
        messages.append(message)
    return finished, messages, roster


def test_a_whole_election_from_keygen_to_rankings() -> None:
    keys, messages, roster = keygen()
    election_key, verification = keygen_outcome(roster, messages)
    ballots = [encrypt_ballot(CONTEST, election_key, r, 4) for r in [(0, 1), (3,), (2, 1, 0)]]
    box = BallotBox(CONTEST, election_key, 4, tuple(ballots))
    assert BallotBox.from_record(box.as_record()) == box
    messages.append(mix(keys[1], election_key, box.ciphertexts))
    chain = mix_chain(box, roster, messages, minimum=0)
    messages.append(mix(keys[2], election_key, list(chain[-1].outputs)))
    chain = mix_chain(box, roster, messages)
    assert [m.mixer for m in chain] == [2, 3]
    assert ballot_faults(box) == []
    assert mix_faults(box, chain) == []
    last = list(chain[-1].outputs)
    messages += [decrypt(keys[0], last), decrypt(keys[2], last)]
    shares = decryption_shares(roster, messages, last)
    assert share_faults(CONTEST, shares, verification, last) == []
    assert sorted(rankings(box, last, shares, 2)) == sorted([(0, 1), (3,), (2, 1, 0)])


def test_one_mixer_is_not_enough_and_a_trustee_mixes_once() -> None:
    keys, messages, roster = keygen()
    election_key, _ = keygen_outcome(roster, messages)
    box = BallotBox(CONTEST, election_key, 2, (encrypt_ballot(CONTEST, election_key, (0,), 2),))
    first = mix(keys[0], election_key, box.ciphertexts)
    with pytest.raises(ProofError, match="1 mixes where at least 2"):
        mix_chain(box, roster, [*messages, first])
    again = mix(
        keys[0], election_key, list(mix_chain(box, roster, [*messages, first], 0)[-1].outputs)
    )
    with pytest.raises(ProofError, match="trustee 1 mixed twice"):
        mix_chain(box, roster, [*messages, first, again])


def test_a_dealer_whose_sealed_share_is_wrong_is_named() -> None:
    keys = [TrusteeKey.new(CONTEST, i, 3, 2) for i in (1, 2, 3)]
    intros = [introduce(k) for k in keys]
    roster = Roster.from_introductions(intros)
    dealt = [deal(k, roster) for k in keys]
    # Trustee 2 seals a share for trustee 1 that is not on its committed polynomial.
    forged_share = nacl.public.SealedBox(nacl.public.PublicKey(roster.box_keys[1])).encrypt(
        random_scalar()
    )
    body = {**dealt[1].body, "shares": {**dealt[1].body["shares"], "1": b64(forged_share)}}
    dealt[1] = Message.sign(keys[1], MessageKind.DEALT, body)
    with pytest.raises(TrusteeKeyError, match="trustee 2's share does not match"):
        confirm(keys[0], roster, intros + dealt)


def test_a_message_under_another_key_is_refused() -> None:
    _, messages, roster = keygen(2, 2)
    impostor = TrusteeKey.new(CONTEST, 2, 2, 2)
    box = BallotBox(CONTEST, keygen_outcome(roster, messages)[0], 2, ())
    forged = Message.sign(impostor, MessageKind.MIXED, {"inputs": ciphertexts_digest([])})
    with pytest.raises(ProofError, match="claims trustee 2 under another key"):
        mix_chain(box, roster, [*messages, forged])
    tampered = replace(messages[-1], body={**messages[-1].body, "election_key": b64(bytes(32))})
    with pytest.raises(ProofError, match="signature does not hold"):
        roster.check(tampered)
    assert Message.from_json(messages[-1].to_json()) == messages[-1]


def test_the_key_file_opens_only_with_its_passphrase_and_header(tmp_path: Path) -> None:
    key = replace(TrusteeKey.new(CONTEST, 1, 3, 2), strength="interactive")
    path = tmp_path / "t1.key"
    key.save(path, b"pass")
    assert path.stat().st_mode & 0o777 == 0o600
    assert b"pass" not in path.read_bytes()
    assert b64(key.coefficients[0]) not in path.read_text()
    assert TrusteeKey.load(path, b"pass") == key
    with pytest.raises(TrusteeKeyError, match="passphrase is wrong"):
        TrusteeKey.load(path, b"other")
    record = json.loads(path.read_text())
    record["trustee"] = 2  # a header changed on disk
    path.write_text(json.dumps(record))
    with pytest.raises(TrusteeKeyError, match="passphrase is wrong or the file was changed"):
        TrusteeKey.load(path, b"pass")
    path.write_text("not json")
    with pytest.raises(TrusteeKeyError, match="not a trustee key file"):
        TrusteeKey.load(path, b"pass")
