"""The officer's services, stage by stage: each transition checks its state, refuses
cleanly (changing nothing) and writes one audit event."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pyarrow.parquet as pq
import pytest
import rfc8785
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from omov.ledger.bundle import BALLOTS
from omov.web.audit.models import AppendOnlyError, AuditEvent
from omov.web.balloting.codes import ALPHABET, code_digest, new_code
from omov.web.balloting.models import Ballot, Credential, CredentialState
from omov.web.balloting.services import (
    ballot_cast,
    ballot_close,
    credential_reissue,
    credentials_issue,
)
from omov.web.contests.models import ContestState
from omov.web.contests.services import candidate_add
from omov.web.electorate.models import Eligibility
from omov.web.electorate.services import (
    appeal_decide,
    appeal_lodge,
    elector_exclude,
    electorate_freeze,
    roll_import,
)
from omov.web.errors import ContestError
from omov.web.nominations.selectors import nomination_standing
from omov.web.nominations.services import nomination_record, nominations_close
from omov.web.results.services import result_count, result_publish
from omov.web.trust.services import bundle_zip

from .conftest import OpenBallot, import_rolls, member_roll, nominated_contest, open_contest

pytestmark = pytest.mark.django_db


def test_threshold_is_twenty_percent_of_the_body_rounded_up_and_incumbent_is_exempt() -> None:
    contest = open_contest(body=254)  # 2016: 20% of 254 MPs and MEPs = 50.8 -> 51
    incumbent = candidate_add(contest=contest, name="Incumbent", incumbent=True)
    challenger = candidate_add(contest=contest, name="Challenger")
    for n in range(50):
        nomination_record(candidate=challenger, nominator=f"MP {n}")
    standing = {s.name: s for s in nomination_standing(contest=contest)}
    assert standing["Challenger"].threshold == 51
    assert not standing["Challenger"].qualifies
    assert "No contest has been triggered" in standing["Challenger"].reason
    with pytest.raises(ContestError, match="no contest has been triggered"):
        nominations_close(contest=contest)  # 50 of 51: no challenge, so no contest
    nomination_record(candidate=challenger, nominator="MP 50")
    standing = {s.name: s for s in nomination_standing(contest=contest)}
    assert standing["Incumbent"].qualifies
    assert standing["Incumbent"].exempt
    assert standing["Incumbent"].nominations == 0
    assert standing["Challenger"].qualifies
    nominations_close(contest=contest)
    contest.refresh_from_db()
    assert contest.state == ContestState.ELECTORATE
    assert set(contest.candidates.filter(on_ballot=True)) == {incumbent, challenger}


def test_a_member_of_the_body_nominates_once() -> None:
    contest = open_contest()
    first = candidate_add(contest=contest, name="First")
    second = candidate_add(contest=contest, name="Second")
    nomination_record(candidate=first, nominator="MP 1")
    with pytest.raises(ContestError, match="already nominated First"):
        nomination_record(candidate=second, nominator="MP 1")
    assert contest.nominations.count() == 1


def test_roll_eligibility_vetting_appeal_and_freeze() -> None:
    contest = nominated_contest()
    assert roll_import(contest=contest, section="members", data=member_roll(2, late=1)) == 3
    late = contest.electors.get(reference="M0003")
    assert (late.eligibility, late.reason) == (Eligibility.INELIGIBLE, "joined_after_freeze")

    vetted = elector_exclude(elector=contest.electors.get(reference="M0001"), grounds="evidence")
    assert vetted.eligibility == Eligibility.EXCLUDED
    # Importing another section re-decides everyone, but the vetting decision stands.
    import_rolls(contest, 2, late=1)
    assert contest.electors.count() == 7
    vetted.refresh_from_db()
    assert vetted.eligibility == Eligibility.EXCLUDED
    appeal = appeal_lodge(elector=vetted, grounds="mistaken identity")
    with pytest.raises(ContestError, match="decide the waiting appeals"):
        electorate_freeze(contest=contest)
    appeal_decide(appeal=appeal, uphold=True, reason="records checked")
    vetted.refresh_from_db()
    assert (vetted.eligibility, vetted.reason) == (Eligibility.ELIGIBLE, "appeal-upheld")
    electorate_freeze(contest=contest)
    with pytest.raises(ContestError, match="electorate frozen"):
        roll_import(contest=contest, section="members", data=member_roll(1))


def test_a_person_on_two_rolls_votes_once() -> None:
    contest = open_contest()
    roll_import(contest=contest, section="members", data=member_roll(1, late=0))
    twin = b"application_id,email,date_of_birth,applied_at,payment_status,on_register\n"
    twin += b"S0001,m1@example.org,1970-01-01,2016-07-19T12:00:00,paid,true\n"
    roll_import(contest=contest, section="registered-supporters", data=twin)
    reasons = dict(contest.electors.values_list("section", "reason"))
    assert reasons == {"members": "eligible", "registered-supporters": "duplicate"}


def test_a_re_import_writes_only_the_electors_it_changes() -> None:
    """Another section's roll re-decides every record, but writes none whose decision
    stands (the member whose supporter record is now their duplicate keeps theirs); a
    changed member is written, in one statement; the same roll again writes none."""
    contest = open_contest()
    roll_import(contest=contest, section="members", data=member_roll(3, late=0))
    twin = b"application_id,email,date_of_birth,applied_at,payment_status,on_register\n"
    twin += b"S0001,m1@example.org,1970-01-01,2016-07-19T12:00:00,paid,true\n"
    with CaptureQueriesContext(connection) as queries:
        roll_import(contest=contest, section="registered-supporters", data=twin)
    assert not [q for q in queries if q["sql"].startswith('UPDATE "electorate_elector"')]
    lapsed = member_roll(3, late=0).replace(
        b"M0002,m2@example.org,1970-01-01,2015-06-01,active",
        b"M0002,m2@example.org,1970-01-01,2015-06-01,lapsed",
    )
    with CaptureQueriesContext(connection) as queries:
        roll_import(contest=contest, section="members", data=lapsed)
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "electorate_elector"')]
    assert len(updates) == 1
    assert contest.electors.get(reference="M0002").eligibility == Eligibility.INELIGIBLE
    with CaptureQueriesContext(connection) as queries:
        roll_import(contest=contest, section="members", data=lapsed)
    assert not [q for q in queries if q["sql"].startswith('UPDATE "electorate_elector"')]


def test_roll_with_a_bad_date_is_refused_whole() -> None:
    contest = open_contest()
    data = member_roll(1, late=0) + b"M0009,b@example.org,1970-01-01,12/01/2016,active,false\n"
    with pytest.raises(ContestError, match="join_date"):
        roll_import(contest=contest, section="members", data=data)
    assert contest.electors.count() == 0
    assert not contest.rolls.exists()


def test_a_code_is_twelve_characters_of_the_alphabet_each_drawn_from_all_of_it() -> None:
    """Each place of 1,000 codes shows every one of the 32 characters (a place drawn from
    part of the alphabet, or a fixed one, would miss some: by chance, 1 in 10^11)."""
    codes = [new_code().replace("-", "") for _ in range(1000)]
    assert all(len(code) == 12 for code in codes)
    for place in range(12):
        assert {code[place] for code in codes} == set(ALPHABET)


def test_codes_are_stored_only_as_digests_and_emailed(db: None) -> None:
    from .conftest import ballot_ready

    ready = ballot_ready(per_section=1)
    stored = set(Credential.objects.values_list("digest", flat=True))
    assert {code_digest(code) for code in ready.codes.values()} == stored
    for code in ready.codes.values():
        assert not Credential.objects.filter(digest__icontains=code.replace("-", "")).exists()
    assert len(credentials_issue(contest=ready.contest, send=True)) == 0  # everyone has one


def test_reissue_invalidates_the_old_code(open_ballot: OpenBallot) -> None:
    elector_id, old = next(iter(open_ballot.codes.items()))
    elector = open_ballot.contest.electors.get(pk=elector_id)
    mail.outbox.clear()
    new = credential_reissue(elector=elector).code
    assert len(mail.outbox) == 1
    assert new in mail.outbox[0].body
    first = open_ballot.candidates[0].position
    with pytest.raises(ContestError, match="not valid"):
        ballot_cast(contest=open_ballot.contest, code=old, ranking=[first])
    assert ballot_cast(contest=open_ballot.contest, code=new, ranking=[first])
    assert Ballot.objects.count() == 1


def test_cast_marks_voted_spends_the_code_and_refuses_reuse(open_ballot: OpenBallot) -> None:
    elector_id, code = next(iter(open_ballot.codes.items()))
    ranking = [c.position for c in open_ballot.candidates[:2]]
    receipt = ballot_cast(contest=open_ballot.contest, code=code, ranking=ranking)
    elector = open_ballot.contest.electors.get(pk=elector_id)
    assert elector.has_voted
    assert elector.credentials.get().state == CredentialState.USED
    ballot = Ballot.objects.get()
    assert (ballot.receipt, ballot.section) == (receipt, elector.section)
    assert len(bytes(ballot.ciphertext)) == 128  # the ranking, encrypted at receipt
    with pytest.raises(ContestError, match="already been used"):
        ballot_cast(contest=open_ballot.contest, code=code, ranking=ranking)
    assert Ballot.objects.count() == 1


@pytest.mark.parametrize(
    ("ranking", "message"),
    [([99], "not on this ballot"), ([1, 1], "more than once"), ([], "at least one")],
)
def test_bad_rankings_change_nothing(
    open_ballot: OpenBallot, ranking: list[int], message: str
) -> None:
    code = next(iter(open_ballot.codes.values()))
    with pytest.raises(ContestError, match=message):
        ballot_cast(contest=open_ballot.contest, code=code, ranking=ranking)
    assert Ballot.objects.count() == 0
    assert not Credential.objects.filter(state=CredentialState.USED).exists()


def test_count_publish_and_per_section_figures(open_ballot: OpenBallot) -> None:
    """Each section is mixed and counted on its own when the rulebook lets sections of one
    ballot stand alone (labour/2016 merges sections under 10, which would pool these)."""
    rulebook = open_ballot.contest.rulebook
    rulebook.facts = {**rulebook.facts, "min_section": 1}
    rulebook.save(update_fields=["facts"])
    a, b, c = (x.position for x in open_ballot.candidates)
    codes = list(open_ballot.codes.values())
    # C is excluded after round 1; one of C's ballots goes to A, one to B.
    rankings = [[a], [a, b], [a], [b], [b, a], [c, b], [c, a], [a, c], [b]]
    for code, ranking in zip(codes, rankings, strict=False):
        ballot_cast(contest=open_ballot.contest, code=code, ranking=ranking)
    with pytest.raises(ContestError, match="ballot open"):
        result_count(contest=open_ballot.contest)
    ballot_close(contest=open_ballot.contest, reason="the test closes it early")
    with pytest.raises(ContestError, match="still encrypted"):
        result_count(contest=open_ballot.contest)
    open_ballot.mix_and_decrypt()
    result = result_count(contest=open_ballot.contest)
    summary = result.summary
    first = summary["rounds"][0]["tallies"]
    assert first == {"Alice Incumbent": "4", "Bob Challenger": "3", "Carol Challenger": "2"}
    assert summary["rounds"][1]["tallies"] == {"Alice Incumbent": "5", "Bob Challenger": "4"}
    assert summary["winner"] == "Alice Incumbent"
    # Codes go out by section then reference: affiliated A0001-4 (ballots 1-4: A, A, A, B),
    # members M0001-4 (ballots 5-8: B, C, C, A), then registered supporter S0001 (ballot 9).
    sections = summary["rounds"][0]["sections"]
    assert sections["affiliated-supporters"] == {
        "Alice Incumbent": "3",
        "Bob Challenger": "1",
        "Carol Challenger": "0",
    }
    assert sections["members"]["Carol Challenger"] == "2"
    assert sections["registered-supporters"]["Bob Challenger"] == "1"
    result_publish(contest=open_ballot.contest)
    open_ballot.contest.refresh_from_db()
    assert open_ballot.contest.state == ContestState.PUBLISHED
    # The board download is the bundle's board, built by one function with the rulebook's
    # smallest section (it merged sections under the default 10 of its own).
    bundle = zipfile.ZipFile(io.BytesIO(bundle_zip(contest=open_ballot.contest)))
    (name,) = (n for n in bundle.namelist() if n.endswith("/" + BALLOTS))
    assert bytes(result.board) == bundle.read(name)
    sections = pq.read_table(io.BytesIO(bytes(result.board))).column("section").unique()
    assert len(sections) == 3  # each of the three sections on its own, as min_section 1 lets


def test_audit_rows_are_gapless_canonical_and_append_only(open_ballot: OpenBallot) -> None:
    events = list(AuditEvent.objects.filter(stream=open_ballot.contest.stream))
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    kinds = [e.kind for e in events]
    assert kinds[0] == "contest.opened"
    for kind in ("nominations.closed", "roll.imported", "electorate.frozen", "ballot.opened"):
        assert kind in kinds
    roots = [hashlib.sha256(b"").hexdigest()] + [e.log_entry.root for e in events]
    for event, root_before in zip(events, roots, strict=False):
        body = rfc8785.dumps(json.loads(event.payload))
        assert body.decode() == event.payload
        assert hashlib.sha256(body).hexdigest() == event.payload_sha256
        assert event.previous_hash == root_before  # chained: the log root it extends
    event = events[0]
    event.kind = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        events[1].delete()
    assert AuditEvent.objects.get(pk=event.pk).kind == "contest.opened"
