"""Contests ready for codes, and reading codes back out of emails."""

from __future__ import annotations

import re

from omov.web.balloting.codes import code_digest
from omov.web.balloting.models import Credential, CredentialState
from omov.web.contests.models import Contest
from omov.web.contests.services import candidate_add
from omov.web.electorate.services import electorate_freeze, roll_import
from omov.web.nominations.services import nomination_record, nominations_close

from .conftest import member_roll, open_contest

CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")


def frozen_contest(members: int) -> Contest:
    """A contest with ``members`` eligible members (m1@... upwards) and no codes yet."""
    contest = open_contest(body=10)
    alice = candidate_add(contest=contest, name="Alice", incumbent=True)
    bob = candidate_add(contest=contest, name="Bob")
    for nominator in ("MP 1", "MP 2"):
        nomination_record(candidate=bob, nominator=nominator)
    assert alice.incumbent
    nominations_close(contest=contest)
    roll_import(contest=contest, section="members", data=member_roll(members, late=0))
    return electorate_freeze(contest=contest)


def code_in(body: str) -> str:
    found = CODE.search(body)
    assert found is not None, "no code in the email"
    return found.group(0)


def live_digests(contest: Contest) -> dict[str, int]:
    """Digest -> elector id of every issued, unspent credential of ``contest``."""
    return dict(
        Credential.objects.filter(
            elector__contest=contest, state=CredentialState.ISSUED
        ).values_list("digest", "elector_id")
    )


def digest_of(body: str) -> str:
    return code_digest(code_in(body))
