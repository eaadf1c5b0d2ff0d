"""The contest's transparency log in the database, its signed heads, and the results bundle."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from typer.testing import CliRunner

from omov.cli import app
from omov.cli import commands as _commands  # noqa: F401  (registers the commands)
from omov.ledger.entries import EntryKind, parse_entry
from omov.ledger.errors import SignatureError
from omov.ledger.heads import SignedTreeHead, heads_consistent
from omov.ledger.keys import SigningKey
from omov.ledger.log import Log
from omov.ledger.merkle import RightEdge, leaf_hash
from omov.web.audit.models import AuditEvent
from omov.web.audit.services import event_record
from omov.web.balloting.services import ballot_cast, ballot_close
from omov.web.contests.models import Contest
from omov.web.trust.models import BallotLeaf, LogEntry, LogName, OrganisationKey, TreeHeadRecord
from omov.web.trust.selectors import ballot_log, ballot_log_id, consistency_proof
from omov.web.trust.services import checkpoint_sign, contest_log, signed_heads

from .conftest import OpenBallot, ballot_ready, with_batches_of


@pytest.fixture
def open_ballot(db: None) -> OpenBallot:
    """These tests follow the log batch by batch: a rulebook whose batches may be of one."""
    ready = ballot_ready()
    with_batches_of(ready.contest, 1)
    return ready


pytestmark = pytest.mark.django_db


def cast(open_ballot: OpenBallot, how_many: int | None = None) -> list[str]:
    """Cast ``how_many`` of the issued codes (all by default), rankings varied."""
    positions = [c.position for c in open_ballot.candidates]
    codes = list(open_ballot.codes.values())[:how_many]
    return [
        ballot_cast(contest=open_ballot.contest, code=code, ranking=positions[k % 3 :])
        for k, code in enumerate(codes)
    ]


def test_every_contest_event_is_one_leaf_chained_to_the_tree_before(
    open_ballot: OpenBallot,
) -> None:
    contest = open_ballot.contest
    events = list(AuditEvent.objects.filter(stream=contest.stream).order_by("sequence"))
    entries = list(LogEntry.objects.filter(contest=contest).order_by("index"))
    assert [e.event_id for e in entries] == [e.pk for e in events]
    assert [e.index for e in entries] == list(range(len(events)))
    log = Log(contest.stream)
    for event, entry in zip(events, entries, strict=True):
        assert event.previous_hash == log.root().hex()
        log.append_bytes(entry.data.encode())
        assert parse_entry(entry.data.encode()).kind == entry.kind  # canonical, known kind
        assert entry.leaf_hash == leaf_hash(entry.data.encode()).hex()
        assert entry.root == log.root().hex()
    kinds = [e.kind for e in entries]
    assert kinds[0] == EntryKind.RULEBOOK_LOADED
    for kind in ("nomination", "roll-imported", "electorate-frozen", "credentials-issued"):
        assert kind in kinds
    assert kinds[-1] == EntryKind.BALLOT_OPENED
    frozen = json.loads(entries[kinds.index("electorate-frozen")].data)
    assert {s: f["eligible"] for s, f in frozen["sections"].items()} == {
        "affiliated-supporters": 4,
        "members": 4,
        "registered-supporters": 4,
    }
    opened = json.loads(entries[-1].data)
    names = list(contest.candidates.filter(on_ballot=True).order_by("position"))
    assert opened["candidates"] == [c.name for c in names]
    assert (opened["trackers"], opened["min_section"]) == ("inclusion", 10)


def test_each_entry_keeps_the_right_edge_of_the_log_it_ends(open_ballot: OpenBallot) -> None:
    contest = open_ballot.contest
    entries = list(LogEntry.objects.filter(contest=contest).order_by("index"))
    log = Log(contest.stream)
    for entry in entries:
        log.append_bytes(entry.data.encode())
        assert RightEdge.from_text(entry.index + 1, entry.right_edge) == log.right_edge()


def _rewrite_last_edge(contest: Contest, text: str, model: type = LogEntry) -> None:
    """Change the last row's stored edge behind the append-only guards (a test's doing: on
    PostgreSQL the trigger is switched off for this transaction only)."""
    last = model.objects.filter(contest=contest).order_by("-index").first()
    assert last is not None
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"UPDATE {table} SET right_edge = %s WHERE id = %s", [text, last.pk])
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def _note(contest: Contest) -> LogEntry:
    event_record(stream=contest.stream, kind="test.note", payload={"note": "appended"})
    entry = LogEntry.objects.filter(contest=contest).order_by("-index").first()
    assert entry is not None
    return entry


def test_the_next_root_is_computed_from_the_stored_edge(open_ballot: OpenBallot) -> None:
    """An append reads the last entry's edge, not the log: a wrong edge of the right shape
    gives a wrong next root (so the edge is what is used; the log itself is the check)."""
    contest = open_ballot.contest
    size = LogEntry.objects.filter(contest=contest).count()
    wrong = RightEdge(size, tuple(leaf_hash(b"%d" % i) for i in range(size.bit_count())))
    _rewrite_last_edge(contest, wrong.to_text())
    entry = _note(contest)
    assert entry.root == wrong.appended(bytes.fromhex(entry.leaf_hash)).root().hex()
    assert entry.root != contest_log(contest).root().hex()


def test_a_log_whose_last_entry_has_no_edge_is_rebuilt_once(open_ballot: OpenBallot) -> None:
    """Entries written before edges were kept have none: the next append rebuilds the edge
    from the log, and keeps it from then on."""
    contest = open_ballot.contest
    _rewrite_last_edge(contest, "")
    first, second = _note(contest), _note(contest)
    log = contest_log(contest)
    assert first.root == log.root(first.index + 1).hex()
    assert second.root == log.root().hex()
    assert second.right_edge == log.right_edge().to_text()


def test_the_log_names_nobody(open_ballot: OpenBallot) -> None:
    """Members and nominators appear as keyed hashes, never by number or name."""
    contest = open_ballot.contest
    data = "".join(LogEntry.objects.filter(contest=contest).values_list("data", flat=True))
    assert "MP 1" not in data
    assert "nomination" in data
    for reference in contest.electors.values_list("reference", flat=True):
        assert reference not in data


def test_casting_writes_nothing_to_either_log(open_ballot: OpenBallot) -> None:
    before = (LogEntry.objects.count(), BallotLeaf.objects.count(), TreeHeadRecord.objects.count())
    cast(open_ballot)
    after = (LogEntry.objects.count(), BallotLeaf.objects.count(), TreeHeadRecord.objects.count())
    assert after == before


def test_heads_at_open_checkpoint_and_close_only_extend_each_other(
    open_ballot: OpenBallot,
) -> None:
    contest = open_ballot.contest
    cast(open_ballot, 5)
    checkpoint_sign(contest=contest)
    assert checkpoint_sign(contest=contest) is None  # nothing new: no head
    cast_rest = cast_remaining(open_ballot, skip=5)
    ballot_close(contest=contest, reason="the test closes it early")
    ballot_heads = signed_heads(contest, LogName.BALLOTS)
    assert [h.head.checkpoint for h in ballot_heads] == [
        "ballot-opened",
        "while-open",
        "ballot-closed",
    ]
    assert [h.size for h in ballot_heads] == [0, 5, 5 + cast_rest]
    contest_heads = signed_heads(contest, LogName.CONTEST)
    assert [h.head.checkpoint for h in contest_heads] == ["ballot-opened", "ballot-closed"]
    log = contest_log(contest)
    assert contest_heads[-1].size == log.size
    assert contest_heads[-1].root == log.root()
    old, new = contest_heads
    assert heads_consistent(old, new, log.consistency_proof(old.size, new.size)) is None
    assert all(h.signature_holds() for h in [*ballot_heads, *contest_heads])
    closed = json.loads(LogEntry.objects.filter(contest=contest).last().data)  # type: ignore[union-attr]
    assert closed["kind"] == "ballot-closed"
    assert closed["ballots"] == 5 + cast_rest
    assert closed["ballot_log_root"] == ballot_heads[-1].root.hex()


def cast_remaining(open_ballot: OpenBallot, *, skip: int) -> int:
    positions = [c.position for c in open_ballot.candidates]
    codes = list(open_ballot.codes.values())[skip:]
    for code in codes:
        ballot_cast(contest=open_ballot.contest, code=code, ranking=positions[:1])
    return len(codes)


def test_each_ballot_batch_ends_with_the_right_edge_of_the_log(open_ballot: OpenBallot) -> None:
    contest = open_ballot.contest
    cast(open_ballot, 5)
    checkpoint_sign(contest=contest)
    rest = cast_remaining(open_ballot, skip=5)
    checkpoint_sign(contest=contest)
    log = Log(ballot_log_id(contest))
    for leaf in BallotLeaf.objects.filter(contest=contest).order_by("index"):
        log.append_bytes(leaf.data.encode())
        if log.size in (5, 5 + rest):  # the last leaf of a batch
            assert RightEdge.from_text(log.size, leaf.right_edge) == log.right_edge()
        else:
            assert leaf.right_edge == ""
    heads = signed_heads(contest, LogName.BALLOTS)
    assert [(h.size, h.head.root) for h in heads[1:]] == [(5, log.root(5)), (5 + rest, log.root())]


def test_a_checkpoint_appends_to_the_stored_edge(open_ballot: OpenBallot) -> None:
    """A wrong edge of the right shape gives a wrong next head (so the edge is what is
    used); a blank one (a log from before edges were kept) is rebuilt from the leaves."""
    contest = open_ballot.contest
    cast(open_ballot, 5)
    checkpoint_sign(contest=contest)
    wrong = RightEdge(5, (leaf_hash(b"4 leaves"), leaf_hash(b"1 leaf")))
    _rewrite_last_edge(contest, wrong.to_text(), BallotLeaf)
    cast_remaining(open_ballot, skip=10)
    head = checkpoint_sign(contest=contest)
    assert head is not None
    new = BallotLeaf.objects.filter(contest=contest, index__gte=5).order_by("index")
    expected = wrong
    for leaf in new:
        expected = expected.appended(bytes.fromhex(leaf.leaf_hash))
    assert signed_heads(contest, LogName.BALLOTS)[-1].root == expected.root()
    assert expected.root() != ballot_log(contest).root()

    _rewrite_last_edge(contest, "", BallotLeaf)
    for code in list(open_ballot.codes.values())[5:10]:
        ballot_cast(contest=contest, code=code, ranking=[open_ballot.candidates[0].position])
    checkpoint_sign(contest=contest)
    assert signed_heads(contest, LogName.BALLOTS)[-1].root == ballot_log(contest).root()


def test_each_batch_of_the_ballot_log_is_in_random_id_order(open_ballot: OpenBallot) -> None:
    """The ballot log says in which batch a ballot came, never the order inside it."""
    cast(open_ballot, 6)
    checkpoint_sign(contest=open_ballot.contest)
    ids = list(BallotLeaf.objects.order_by("index").values_list("ballot", flat=True))
    assert len(ids) == 6
    assert [i.bytes for i in ids] == sorted(i.bytes for i in ids)


def test_the_periodic_command_signs_every_n_ballots(open_ballot: OpenBallot) -> None:
    cast(open_ballot, 2)
    call_command("ledger_checkpoint", every=3)
    assert BallotLeaf.objects.count() == 0
    cast_remaining(open_ballot, skip=2)
    signed = CliRunner().invoke(app, ["ledger", "checkpoint", "--every", "3"])
    assert signed.exit_code == 0, signed.output
    assert f"signed the ballot log at {len(open_ballot.codes)}" in signed.output
    heads = signed_heads(open_ballot.contest, LogName.BALLOTS)
    assert heads[-1].head.checkpoint == "while-open"
    assert heads[-1].size == len(open_ballot.codes) == BallotLeaf.objects.count()


def test_the_organisation_key_is_encrypted_at_rest(open_ballot: OpenBallot) -> None:
    from django.conf import settings

    stored = OrganisationKey.objects.get(organisation=open_ballot.contest.organisation)
    pem = bytes(stored.encrypted_pem)
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    with pytest.raises(SignatureError):
        SigningKey.from_pem(pem, b"not the passphrase")
    key = SigningKey.from_pem(pem, settings.OMOV_KEY_PASSPHRASE.encode())
    assert key.fingerprint == stored.fingerprint
    head = signed_heads(open_ballot.contest, LogName.CONTEST)[0]
    assert head.key_fingerprint == stored.fingerprint


def test_stored_heads_are_what_observers_read(open_ballot: OpenBallot) -> None:
    for record in TreeHeadRecord.objects.all():
        head = SignedTreeHead.from_json(json.loads(record.signed))
        assert head.size == record.size
        assert head.head.checkpoint == record.checkpoint


def test_observers_check_two_served_heads_with_a_served_proof(
    open_ballot: OpenBallot, tmp_path: Path
) -> None:
    """While the ballot is open, without any bundle: the heads and a consistency proof
    from the public endpoints satisfy ``omov ledger check --proof``."""
    contest = open_ballot.contest
    cast(open_ballot, 3)
    checkpoint_sign(contest=contest)
    cast_remaining(open_ballot, skip=3)
    checkpoint_sign(contest=contest)
    client = Client()
    old = client.get(reverse("ledger-head", args=[contest.pk, "ballots", 1]))
    new = client.get(reverse("ledger-head", args=[contest.pk, "ballots", 2]))
    sizes = {"old": old.json()["size"], "new": new.json()["size"]}
    assert sizes == {"old": 3, "new": len(open_ballot.codes)}
    proof = client.get(reverse("ledger-proof", args=[contest.pk, "ballots"]), sizes)
    for name, response in (("old", old), ("new", new), ("proof", proof)):
        (tmp_path / f"{name}.json").write_bytes(response.content)
    files = [str(tmp_path / f"{n}.json") for n in ("old", "new")]
    runner = CliRunner()
    checked = runner.invoke(
        app, ["ledger", "check", *files, "--proof", str(tmp_path / "proof.json")]
    )
    assert checked.exit_code == 0, checked.output
    assert "extends the log of 3" in checked.output
    swapped = runner.invoke(
        app, ["ledger", "check", files[1], files[0], "--proof", str(tmp_path / "proof.json")]
    )
    assert swapped.exit_code != 0
    too_big = {"old": 3, "new": 999}
    assert (
        client.get(reverse("ledger-proof", args=[contest.pk, "ballots"]), too_big).status_code
        == 404
    )


def test_a_served_proof_is_the_logs_own_and_computed_once(
    open_ballot: OpenBallot, django_assert_num_queries: Any
) -> None:
    """Built from the stored leaf hashes, a proof is the one the log gives; asked again,
    it comes from the cache after one query (the two sizes' last leaves: the endpoint is
    public). Sizes the log does not have give none."""
    contest = open_ballot.contest
    cast(open_ballot)
    checkpoint_sign(contest=contest)
    logs = {LogName.CONTEST: contest_log(contest), LogName.BALLOTS: ballot_log(contest)}
    for name, log in logs.items():
        wanted = [base64.b64encode(h).decode() for h in log.consistency_proof(2, log.size - 1)]
        assert consistency_proof(contest=contest, log=name, old=2, new=log.size - 1) == wanted
        with django_assert_num_queries(1):
            assert consistency_proof(contest=contest, log=name, old=2, new=log.size - 1) == wanted
        for old, new in ((2, log.size + 1), (0, 2), (3, 2)):
            assert consistency_proof(contest=contest, log=name, old=old, new=new) is None


def test_an_event_of_any_shape_becomes_an_entry(open_ballot: OpenBallot) -> None:
    """An event kind the ledger has no name for is an engine decision; its payload keeps
    even keys that clash with the entry's own, and a reference is hashed."""
    from omov.web.audit.services import event_record

    contest = open_ballot.contest
    event = event_record(
        stream=contest.stream,
        kind="something.new",
        payload={
            "kind": "clash",
            "event": "x",
            "decision": "its own",
            "rule": "4.2",
            "reference": "M0001",
            "n": 3,
        },
    )
    entry = parse_entry(event.log_entry.data.encode())
    assert entry.kind == EntryKind.ENGINE_DECISION
    assert entry["decision"] == "something.new"
    assert entry["rule"] == contest.rulebook.key
    assert entry["event_kind"] == "clash"
    assert (entry["event_decision"], entry["event_rule"]) == ("its own", "4.2")
    assert entry["n"] == 3
    assert "M0001" not in event.log_entry.data
    assert len(entry["person"]) == 64


def _publish_and_verify(open_ballot: OpenBallot, tmp_path: Path) -> list[str]:
    from omov.ledger.verify import verify_bundle
    from omov.web.contests.models import Contest, ContestState
    from omov.web.results.services import result_count, result_publish
    from omov.web.trust.services import bundle_write

    contest = open_ballot.contest
    if Contest.objects.get(pk=contest.pk).state == ContestState.BALLOT_OPEN:
        ballot_close(contest=contest, reason="the test closes it early")
    open_ballot.mix_and_decrypt()
    result_count(contest=contest)
    result_publish(contest=contest)
    bundle_write(contest=contest, directory=tmp_path / "bundle")
    return [c.line() for c in verify_bundle(tmp_path / "bundle") if not c.ok]


def test_a_ballot_removed_after_a_checkpoint_is_caught(
    open_ballot: OpenBallot, tmp_path: Path
) -> None:
    from omov.web.balloting.models import Ballot

    cast(open_ballot)
    checkpoint_sign(contest=open_ballot.contest)
    Ballot.objects.filter(pk=Ballot.objects.order_by("?").first().pk).delete()  # type: ignore[union-attr]
    failures = _publish_and_verify(open_ballot, tmp_path)
    assert any("ballot counts differ" in f for f in failures), failures


def test_a_ballot_slipped_in_after_close_is_caught(open_ballot: OpenBallot, tmp_path: Path) -> None:
    from omov.secrecy.ballot import encrypt_ballot, tracker
    from omov.web.balloting.models import Ballot, Channel
    from omov.web.trustees.selectors import contest_binding, election_key

    cast(open_ballot)
    ballot_close(contest=open_ballot.contest, reason="the test closes it early")
    key = election_key(open_ballot.contest)
    assert key is not None
    slipped = encrypt_ballot(contest_binding(open_ballot.contest), key, (0,), 3)
    Ballot.objects.create(
        contest=open_ballot.contest,
        ciphertext=slipped.as_bytes(),
        section="members",
        channel=Channel.ONLINE,
        receipt=tracker(slipped),
    )
    failures = _publish_and_verify(open_ballot, tmp_path)
    assert any("ballot counts differ" in f for f in failures), failures


def test_no_head_is_signed_over_fewer_ballots_than_the_rulebook_minimum(db: None) -> None:
    ready = ballot_ready(per_section=4)
    contest = ready.contest
    assert contest.rulebook.facts["checkpoint_min_ballots"] == 100  # labour/2016: the default
    with_batches_of(contest, 6)
    cast(ready, 5)
    assert checkpoint_sign(contest=contest) is None
    assert checkpoint_sign(contest=contest, minimum=1) is None  # nor when a caller asks for 1
    cast_remaining(ready, skip=5)
    head = checkpoint_sign(contest=contest)
    assert head is not None
    assert head.size == len(ready.codes)
