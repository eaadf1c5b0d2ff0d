"""A contest is counted and published under the rules it was opened under, even when a later
release of omov ships a different file for the same rulebook edition."""

from __future__ import annotations

import json
import tomllib
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps as django_apps

from omov.ledger.bundle import RULEBOOK
from omov.ledger.entries import EntryKind
from omov.ledger.verify import verify_bundle
from omov.rules import count_setup, load_rulebook, parse_rulebook
from omov.rules import loading as rules_loading
from omov.web.audit.models import AuditEvent
from omov.web.balloting.services import ballot_cast, ballot_close
from omov.web.contests import rulebooks
from omov.web.contests.models import Organisation, Rulebook
from omov.web.electorate.services import roll_import
from omov.web.errors import ContestError
from omov.web.results.services import result_count, result_publish
from omov.web.trust.models import LogEntry
from omov.web.trust.services import bundle_write

from .conftest import OpenBallot, member_roll, open_contest

pytestmark = pytest.mark.django_db

EDITION = "labour/2016"
fill = import_module("omov.web.contests.migrations.0002_rulebook_count_setup")


def ship_a_new_release(
    monkeypatch: pytest.MonkeyPatch,
    old: str = 'method = "irv"',
    new: str = 'method = "fptp"',
) -> str:
    """Change the shipped labour/2016 as a later release would (by default: count by first
    past the post); returns the text shipped before the change."""
    before = rulebooks.shipped_text(EDITION)
    after = before.replace(old, new)
    assert after != before
    real_read = rules_loading._read

    def read(name: str | Path) -> tuple[str, str]:
        return (EDITION, after) if str(name) == EDITION else real_read(name)

    monkeypatch.setattr(rules_loading, "_read", read)
    monkeypatch.setattr(rulebooks, "shipped_text", lambda key: after if key == EDITION else before)
    assert load_rulebook(EDITION) != parse_rulebook(tomllib.loads(before))  # it bites if re-read
    return before


def cast_irv_and_fptp_disagree(open_ballot: OpenBallot) -> None:
    """12 ballots: 5 for Alice alone, 4 for Bob, 3 for Carol then Bob. First past the post
    elects Alice (5); IRV drops Carol and elects Bob (4 + 3 = 7 of 12)."""
    codes = iter(open_ballot.codes.values())
    rankings = [[1]] * 5 + [[2]] * 4 + [[3, 2]] * 3
    for ranking in rankings:
        ballot_cast(contest=open_ballot.contest, code=next(codes), ranking=ranking)
    ballot_close(contest=open_ballot.contest, reason="the test closes it early")
    open_ballot.mix_and_decrypt()


def test_a_changed_shipped_rulebook_changes_neither_count_nor_bundle(
    open_ballot: OpenBallot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    contest = open_ballot.contest
    cast_irv_and_fptp_disagree(open_ballot)
    opened_under = ship_a_new_release(monkeypatch)

    result = result_count(contest=contest)
    assert result.summary["winner"] == "Bob Challenger"
    run = LogEntry.objects.get(contest=contest, kind=EntryKind.COUNT_RUN)
    assert json.loads(run.data)["method"] == "irv"

    result_publish(contest=contest)
    bundle_write(contest=contest, directory=tmp_path / "bundle")
    assert (tmp_path / "bundle" / RULEBOOK).read_text("utf-8") == opened_under
    failures = [c.line() for c in verify_bundle(tmp_path / "bundle") if not c.ok]
    assert failures == []


def test_a_changed_shipped_rulebook_changes_no_one_s_eligibility(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    contest = open_contest()
    ship_a_new_release(
        monkeypatch, "joined_on_or_before = 2016-01-12", "joined_on_or_before = 2016-06-30"
    )
    roll_import(contest=contest, section="members", data=member_roll(2, late=1))
    late = contest.electors.get(reference="M0003")  # joined 1 March 2016
    assert late.reason == "joined_after_freeze"


def test_the_opening_event_records_the_count_setup(open_ballot: OpenBallot) -> None:
    method, seats, options = count_setup(load_rulebook(EDITION))
    opened = AuditEvent.objects.get(stream=open_ballot.contest.stream, kind="contest.opened")
    payload = json.loads(opened.payload)
    assert (payload["method"], payload["seats"]) == (method, seats)
    assert payload["count_options"] == options.as_record()
    entry = LogEntry.objects.get(event=opened)
    assert json.loads(entry.data)["count_options"] == options.as_record()


def test_stored_count_setup_reads_back_as_the_rulebook_gave_it() -> None:
    facts = rulebooks.rulebook_facts(EDITION)
    assert rulebooks.count_rules(facts) == count_setup(load_rulebook(EDITION))
    assert rulebooks.stored_text(facts) == rulebooks.shipped_text(EDITION)


def _stored_before_this_release(organisation: Organisation, key: str) -> Rulebook:
    facts = rulebooks.rulebook_facts(EDITION).as_record()
    del facts["count"], facts["text"]
    return Rulebook.objects.create(organisation=organisation, key=key, title=key, facts=facts)


def test_the_migration_fills_rulebooks_stored_without_a_count_setup() -> None:
    organisation = Organisation.objects.create(name="Old Party")
    old = _stored_before_this_release(organisation, EDITION)
    gone = _stored_before_this_release(organisation, "labour/1900")
    with pytest.raises(ContestError, match="without its count setup"):
        rulebooks.count_rules(old.typed)

    fill.fill_count_setup(django_apps, None)

    old.refresh_from_db()
    assert rulebooks.count_rules(old.typed) == count_setup(load_rulebook(EDITION))
    assert rulebooks.stored_text(old.typed) == rulebooks.shipped_text(EDITION)
    gone.refresh_from_db()
    assert "count" not in gone.facts  # not shipped any more: refused, not guessed
    with pytest.raises(ContestError, match="without its count setup"):
        rulebooks.count_rules(gone.typed)
