"""Credentials, opening and closing the ballot, casting, and postal returns.

Casting spends the credential, marks the elector as having voted and stores the ballot in
one transaction: of any number of simultaneous casts with one code exactly one stores a
ballot. On PostgreSQL an online cast is one statement (``casting``); the ORM path (SQLite,
postal returns, casts inside a caller's transaction) locks the credential row
(``SELECT ... FOR UPDATE``) instead. Casting writes no audit event, because an ordered event
per vote could be matched against who voted when.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cache
from random import SystemRandom

from django.core.mail import get_connection
from django.db import IntegrityError, connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop

from omov.ledger.heads import Checkpoint
from omov.secrecy.ballot import EncryptedBallot, ballot_received, encrypt_ballot, tracker
from omov.secrecy.encoding import MAX_RANKS
from omov.secrecy.errors import SecrecyError
from omov.secrecy.group import Element
from omov.web.audit.services import event_record
from omov.web.balloting import throttle
from omov.web.balloting.casting import Paper, cast_in_one_statement, kept_paper, paper_read
from omov.web.balloting.codes import code_digest, code_link_digest, link_digest, new_code
from omov.web.balloting.emails import code_letter, masked
from omov.web.balloting.models import Ballot, Channel, Credential, CredentialState
from omov.web.contests.models import Contest, ContestState
from omov.web.contests.selectors import ballot_candidates, ballot_positions
from omov.web.contests.services import contest_lock, contest_transition
from omov.web.db import default_database, prepared_cursor
from omov.web.electorate.models import Elector, Eligibility
from omov.web.errors import BallotNotOpenError, ContestError
from omov.web.sessions import SessionStore
from omov.web.trust.services import ballot_log_opened, ballot_log_sealed
from omov.web.trustees.selectors import contest_binding, election_key

ISSUING = (ContestState.FROZEN, ContestState.BALLOT_OPEN)


@transaction.atomic
def credentials_issue(*, contest: Contest, send: bool = True) -> dict[int, str]:
    """Issue a code to every eligible elector who has none; email them (if ``send``).

    Returns elector id -> code for the caller to deliver; only digests are stored. A postal
    only ballot emails nothing: its codes go on the ballot papers."""
    contest = contest_lock(contest=contest, expected=ISSUING)
    waiting = (
        contest.electors.filter(eligibility=Eligibility.ELIGIBLE)
        .exclude(credentials__state__in=(CredentialState.ISSUED, CredentialState.USED))
        .order_by("reference")
    )
    codes = {elector.pk: new_code() for elector in waiting}
    Credential.objects.bulk_create(
        Credential(elector_id=pk, digest=code_digest(code), link_digest=code_link_digest(code))
        for pk, code in codes.items()
    )
    if send and contest.online_voting:
        electors = Elector.objects.in_bulk(list(codes))
        messages = [
            code_letter(contest, electors[pk].section, code).message(electors[pk].email)
            for pk, code in codes.items()
            if electors[pk].email
        ]
        get_connection().send_messages(messages)
    event_record(stream=contest.stream, kind="credentials.issued", payload={"count": len(codes)})
    return codes


@dataclass(frozen=True)
class Reissued:
    """What the officer is told of a reissue: what went, and where (the address masked)."""

    code: str
    reference: str
    sent_to: str
    """The masked address the new code was emailed to; "" if none was sent."""

    @property
    def told(self) -> str:
        if self.sent_to:
            return (
                f"New voting code for {self.reference} emailed to {self.sent_to}, with a "
                "one-time link to vote; the old code and link no longer work. Logged."
            )
        return (
            f"New voting code made for {self.reference}, not emailed (no address on the "
            "roll, or a postal ballot): send it on paper. The old one no longer works. Logged."
        )


@transaction.atomic
def credential_reissue(*, elector: Elector, send: bool = True) -> Reissued:
    """Issue a new code to ``elector`` and email it with its sign-in link; the old code
    and link stop working. The log records that a code was reissued and whether it was
    emailed; the address, even masked, stays out of it (the contest's log is published)
    and is told to the officer only.

    Whether the elector has voted is not checked here, so that the officer who reissues
    learns nothing of it: a new code of an elector who has voted is refused at casting,
    the only place that reads ``has_voted``."""
    contest = contest_lock(contest=elector.contest, expected=ISSUING)
    elector = Elector.objects.select_for_update().get(pk=elector.pk)
    if elector.eligibility != Eligibility.ELIGIBLE:
        raise ContestError(
            gettext("%(reference)s is not eligible") % {"reference": elector.reference}
        )
    elector.credentials.filter(state=CredentialState.ISSUED).update(state=CredentialState.REVOKED)
    code = new_code()
    Credential.objects.create(
        elector=elector, digest=code_digest(code), link_digest=code_link_digest(code)
    )
    sent_to = ""
    if send and elector.email and contest.online_voting:
        code_letter(contest, elector.section, code).message(elector.email).send()
        sent_to = masked(elector.email)
    event_record(
        stream=contest.stream,
        kind="credential.reissued",
        payload={"reference": elector.reference, "emailed": bool(sent_to)},
    )
    return Reissued(code, elector.reference, sent_to)


@transaction.atomic
def ballot_open(*, contest: Contest) -> Contest:
    contest = contest_lock(contest=contest, expected=(ContestState.FROZEN,))
    if election_key(contest) is None:
        raise ContestError(
            gettext("the trustees have not made the election key: the ballot cannot open")
        )
    if len(ballot_candidates(contest=contest)) > MAX_RANKS:
        raise ContestError(
            gettext("more than %(max_ranks)s candidates cannot be encrypted as one ballot")
            % {"max_ranks": MAX_RANKS}
        )
    if timezone.now() < contest.ballot_opens_at:
        raise ContestError(
            gettext("the timetable opens the ballot at %(opens)s")
            % {"opens": date_format(contest.ballot_opens_at, "d M H:i")}
        )
    if not Credential.objects.filter(
        elector__contest=contest, state=CredentialState.ISSUED
    ).exists():
        raise ContestError(
            gettext("no voting code has been issued: issue the codes, then open the ballot")
        )
    facts = ballot_log_opened(contest=contest)  # the ballot log's opening head, signed
    return contest_transition(
        contest=contest,
        source=(ContestState.FROZEN,),
        target=ContestState.BALLOT_OPEN,
        kind="ballot.opened",
        facts=facts,
        checkpoint=Checkpoint.BALLOT_OPENED,
    )


@transaction.atomic
def ballot_close(*, contest: Contest, reason: str = "") -> Contest:
    """Close the ballot and reseal the box (see ``ballot_box_reseal``). Before the
    timetable's minute the close needs a ``reason``, which the log keeps."""
    contest = contest_lock(contest=contest, expected=(ContestState.BALLOT_OPEN,))
    early = timezone.now() < contest.ballot_closes_at
    if early and not reason.strip():
        raise ContestError(
            gettext(
                "the timetable closes the ballot at %(closes)s: closing it early needs a reason"
            )
            % {"closes": date_format(contest.ballot_closes_at, "d M H:i")}
        )
    ballot_box_reseal(contest=contest)
    payload: dict[str, object] = {"ballots": contest.ballots.count()}
    if early:
        payload["early_reason"] = reason.strip()
    facts = ballot_log_sealed(contest=contest)  # the last ballots logged, its head signed
    return contest_transition(
        contest=contest,
        source=(ContestState.BALLOT_OPEN,),
        target=ContestState.BALLOT_CLOSED,
        kind="ballot.closed",
        payload=payload,
        facts=facts,
        checkpoint=Checkpoint.BALLOT_CLOSED,
    )


def ballot_box_reseal(*, contest: Contest) -> int:
    """Rewrite the contest's ballots in a random order in one transaction.

    While the ballot is open, the database's own bookkeeping can link a ballot row to the
    credential spent with it: both were written by one transaction (PostgreSQL's ``xmin``),
    and rows sit in the order they were cast (``ctid``, SQLite's ``rowid``). Resealing at
    close gives every ballot the closing transaction's id and a random storage place; the
    old row versions are then vacuumed away after the commit. Runs inside the caller's
    transaction, which holds the contest lock."""
    rows = list(Ballot.objects.filter(contest=contest).values())
    SystemRandom().shuffle(rows)
    Ballot.objects.filter(contest=contest).delete()
    Ballot.objects.bulk_create((Ballot(**row) for row in rows), batch_size=5000)
    transaction.on_commit(_vacuum_ballots)
    return len(rows)


def _vacuum_ballots() -> None:
    """Remove the dead row versions the reseal left (they still carry the casting order)."""
    table = connection.ops.quote_name(Ballot._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {table}" if connection.vendor == "postgresql" else "VACUUM")


def ranking_check(
    *,
    contest: Contest | int,
    ranking: Sequence[int],
    named: Collection[int] = (),
    positions: Collection[int] | None = None,
) -> list[int]:
    """A ranking of candidate positions, checked: known candidates, each at most once.

    ``named``: more positions that must be on the paper (a form's fields left blank);
    ``positions``: the paper's, if the caller has read them already."""
    _ranking_shape(ranking)
    if positions is None:
        positions = ballot_positions(contest=contest)
    if any(p not in positions for p in (*ranking, *named)):
        raise ContestError(gettext("the ranking names a candidate who is not on this ballot"))
    return list(ranking)


def _ranking_shape(ranking: Sequence[int]) -> None:
    """What can be checked without the ballot paper: something ranked, nobody twice."""
    if not ranking:
        raise ContestError(gettext("rank at least one candidate"))
    if len(set(ranking)) != len(ranking):
        raise ContestError(gettext("the ranking names a candidate more than once"))


def _check_open(contest: Contest, channel: Channel, *, check_time: bool) -> None:
    if channel == Channel.ONLINE and not contest.online_voting:
        raise ContestError(POSTAL_ONLY)
    if contest.state != ContestState.BALLOT_OPEN and channel == Channel.ONLINE:
        raise ContestError(gettext("the ballot is not open"))
    if check_time and timezone.now() >= contest.ballot_closes_at:
        raise ContestError(
            gettext("the ballot closed at %(closed)s")
            % {"closed": date_format(contest.ballot_closes_at, "d M H:i")}
        )


def _check_credential(contest: Contest, digest: str, *, lock: bool) -> Credential:
    """The credential with ``digest`` if it can still vote (locked ``FOR UPDATE`` if ``lock``)."""
    found = Credential.objects.select_related("elector")
    if lock:
        found = found.select_for_update()
    credential = found.filter(digest=digest, elector__contest=contest).first()
    if credential is None or credential.state == CredentialState.REVOKED:
        raise ContestError(gettext("this code is not valid for this ballot"))
    if credential.state == CredentialState.USED or credential.elector.has_voted:
        raise ContestError(gettext("this code has already been used"))
    return credential


def _store(
    contest: Contest,
    digest: str,
    ranking: Sequence[int] | None,
    channel: Channel,
    *,
    check_time: bool,
    ciphertext: bytes | None = None,
    named: Collection[int] = (),
    positions: Collection[int] | None = None,
) -> Ballot:
    """Spend the credential with ``digest`` and store its encrypted ballot, inside a
    transaction: the browser's ``ciphertext`` (its proof checked), or ``ranking`` encrypted
    here at receipt."""
    _check_open(contest, channel, check_time=check_time)
    if ciphertext is None:
        assert ranking is not None
        ranking = ranking_check(contest=contest, ranking=ranking, named=named, positions=positions)
    sealed = ballot_seal(contest=contest, ranking=ranking, ciphertext=ciphertext)
    credential = _check_credential(contest, digest, lock=True)
    Credential.objects.filter(pk=credential.pk).update(state=CredentialState.USED)
    Elector.objects.filter(pk=credential.elector_id).update(has_voted=True)
    try:
        with transaction.atomic():
            return Ballot.objects.create(
                contest=contest,
                ciphertext=sealed.as_bytes(),
                section=credential.elector.section,
                channel=channel,
                receipt=tracker(sealed),
            )
    except IntegrityError:
        raise ContestError(COPIED) from None


POSTAL_ONLY = "this ballot is postal only under its rules: vote on the paper sent to you"
COPIED = "this encrypted ballot has been cast already: a ballot cannot be copied"


def ballot_seal(
    *, contest: Contest | int, ranking: Sequence[int] | None, ciphertext: bytes | None
) -> EncryptedBallot:
    """The encrypted ballot to store: the browser's, if its proof of knowledge holds for this
    contest's key and name; else the ``ranking`` (positions, already checked against the
    paper) encrypted here, at receipt, for a browser without JavaScript. ``contest`` may be
    just its id: the browser's ballot costs one query (the key), never the contest's row."""
    key = election_key(contest)
    if key is None:  # no key, no open ballot (``ballot_open`` needs one)
        raise ContestError(gettext("the ballot is not open"))
    positions: Sequence[int] = ()
    if ciphertext is None:
        positions = [c.position for c in ballot_candidates(contest=contest)]
    return _sealed(contest_binding(contest), key, positions, ranking, ciphertext)


MALFORMED = gettext_noop("the encrypted ballot is malformed: please vote again")
NOT_FOR_THIS_BALLOT = gettext_noop("the encrypted ballot was not made for this ballot: vote again")


def _sealed(
    binding: str,
    key: Element,
    positions: Sequence[int],
    ranking: Sequence[int] | None,
    ciphertext: bytes | None,
) -> EncryptedBallot:
    """``ballot_seal`` once the key and the paper's ``positions`` (in ballot order; needed
    only to encrypt a ranking) are known."""
    if ciphertext is not None:
        try:
            sealed = ballot_received(binding, key, ciphertext)
        except SecrecyError:
            raise ContestError(gettext(MALFORMED)) from None
        if sealed is None:
            raise ContestError(gettext(NOT_FOR_THIS_BALLOT))
        return sealed
    assert ranking is not None
    index = {position: i for i, position in enumerate(positions)}
    if any(p not in index for p in ranking):
        raise ContestError(gettext("the ranking names a candidate who is not on this ballot"))
    return encrypt_ballot(binding, key, tuple(index[p] for p in ranking), len(index))


def credential_check(
    *, contest: Contest | int, code: str, client: str | None = None, now: float | None = None
) -> str:
    """Check a code the voter typed can still vote; returns its digest to keep in the session.

    ``contest`` may be just its id: signing in needs nothing else of it. ``client`` (the
    sign-in page's ``omov.web.clients.client_key``) puts the check under the throttle
    (``balloting/throttle.py``): a client held back gets ``SignInHeldError`` whatever it typed,
    and a wrong code is counted against it."""
    contest_id = contest if isinstance(contest, int) else contest.pk
    digest = code_digest(code)
    state, contest_state, closes, attempts = _credential_state(contest_id, digest, client)
    if attempts is None:
        raise ContestError(gettext("there is no such contest"))
    if contest_state != ContestState.BALLOT_OPEN or timezone.now() >= closes:
        raise BallotNotOpenError(
            gettext("the ballot is not open")
        )  # no code is checked, or counted
    if client is not None:
        now = throttle.clock() if now is None else now
        held_back = throttle.wait(attempts, now)
        if held_back > 0:
            throttle.held_record(contest_id=contest_id, client=client)
            raise throttle.SignInHeldError(held_back)
        if state is None:
            throttle.wrong_code_record(contest_id=contest_id, client=client, now=now)
    if state is None or state == CredentialState.REVOKED:
        raise ContestError(
            gettext("this code is not valid for this ballot: check it and try again")
        )
    if state == CredentialState.USED:
        raise ContestError(gettext("this code has already been used"))
    return digest


def _credential_state(
    contest_id: int, digest: str, client: str | None
) -> tuple[str | None, str, dt.datetime, throttle.Attempts | None]:
    """The state of this contest's credential with ``digest``, if there is one, the
    contest's state and closing time, and the throttle's counts for ``client`` (``None`` if
    there is no such contest; empty counts without a client). One statement,
    prepared on PostgreSQL, as every voter's sign-in sends it (the ORM's building of this
    query cost more CPU than the rest of the sign-in)."""
    with prepared_cursor() as cursor:
        parameters: list[int | str] = [contest_id, digest, contest_id]
        if client is not None:
            parameters += [contest_id, client, contest_id]
        cursor.execute(_credential_state_sql(throttled=client is not None), parameters)
        row = cursor.fetchone()
    if row is None:
        return None, "", dt.datetime.min.replace(tzinfo=dt.UTC), None
    state = None if row[0] is None else str(row[0])
    counts = throttle.attempts_from_row(row[3:]) if client is not None else throttle.Attempts()
    return state, str(row[1]), _moment(row[2]), counts


def _moment(value: object) -> dt.datetime:
    """A datetime column read by a raw cursor: PostgreSQL gives a datetime, SQLite text."""
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=dt.UTC)
    parsed = parse_datetime(str(value))
    if parsed is None:
        raise ValueError(f"not a time: {value!r}")
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=dt.UTC)


@cache
def _credential_state_sql(*, throttled: bool) -> str:
    """Written once, as the cast's statement is (``casting._cast_sql``). One row if the
    contest exists, none if not: the credential's state and the counts are each NULL when
    there is none."""
    credential = connection.ops.quote_name(Credential._meta.db_table)
    elector = connection.ops.quote_name(Elector._meta.db_table)
    contest = connection.ops.quote_name(Contest._meta.db_table)
    counts = f", {throttle.attempts_columns('mine', 'everyone')}" if throttled else ""
    joins = throttle.attempts_joins("mine", "everyone") if throttled else ""
    return (
        f"SELECT found.state, base.state, base.ballot_closes_at{counts}"
        f" FROM (SELECT id, state, ballot_closes_at FROM {contest} WHERE id = %s) AS base"
        " LEFT JOIN (SELECT credential.state AS state"
        f" FROM {credential} AS credential"
        f" JOIN {elector} AS elector ON elector.id = credential.elector_id"
        " WHERE credential.digest = %s AND elector.contest_id = %s) AS found ON 1 = 1"
        f"{joins}"
    )


def ballot_cast(
    *,
    contest: Contest | int,
    ranking: Sequence[int] = (),
    ciphertext: bytes | None = None,
    code: str = "",
    digest: str = "",
    named: Collection[int] = (),
    session: str = "",
) -> str:
    """Cast an online ballot with a one-time ``code`` (or its ``digest``); returns the
    tracker. The ballot is the browser's ``ciphertext`` (α ‖ β ‖ proof), or, from a browser
    without JavaScript, the ``ranking`` (positions), encrypted here at receipt: either way
    only the ciphertext is stored.

    ``contest`` may be just its id. ``named``: more positions that must be on the paper
    (the form's fields left blank). ``session``: the voter's session key, whose row is
    deleted with the cast (in the cast's statement, or its transaction). On PostgreSQL
    outside a transaction the cast is one statement (``casting``); otherwise the same checks
    and writes run as ORM queries in a transaction (``_store``)."""
    contest_id = contest if isinstance(contest, int) else contest.pk
    digest = digest or code_digest(code)
    db = default_database()
    if db.vendor == "postgresql" and db.get_autocommit():
        return _cast_in_one_statement(contest_id, digest, ranking, ciphertext, named, session, db)
    with transaction.atomic():
        locked = _contest_shared(contest_id)
        ballot = _store(
            locked,
            digest,
            ranking,
            Channel.ONLINE,
            check_time=True,
            ciphertext=ciphertext,
            named=named,
        )
        SessionStore().delete(session or None)
        return ballot.receipt


def ballot_cast_signed_in(
    *,
    contest: int,
    session: str,
    ranking: Sequence[int] = (),
    ciphertext: bytes | None = None,
    named: Collection[int] = (),
) -> str | None:
    """``ballot_cast`` by the voter whose session has the key ``session``, with the code's
    digest their session's row keeps for ``contest`` (``omov.web.sessions``), read by the
    cast's statement itself: the receipt, or None when nothing was cast or the cast was
    refused, for any reason (no such session, signed out, expired, another contest's, a
    mistake in the ballot; and always on SQLite or inside a transaction). Then the caller
    reads the session and casts with ``ballot_cast``, which says why."""
    db = default_database()
    if not session or db.vendor != "postgresql" or not db.get_autocommit():
        return None
    try:
        outcome = _cast_outcome(contest, None, ranking, ciphertext, named, session, db)
    except ContestError:
        return None
    return outcome if isinstance(outcome, str) else None


def _cast_in_one_statement(
    contest_id: int,
    digest: str,
    ranking: Sequence[int],
    ciphertext: bytes | None,
    named: Collection[int],
    session: str,
    db: BaseDatabaseWrapper,
) -> str:
    """``ballot_cast`` in one statement (``casting``); the refusal says why nothing was cast."""
    outcome = _cast_outcome(contest_id, digest, ranking, ciphertext, named, session, db)
    if isinstance(outcome, str):
        return outcome
    raise outcome or _why_not_cast(contest_id, digest, ranking, named)


def _cast_outcome(
    contest_id: int,
    digest: str | None,
    ranking: Sequence[int],
    ciphertext: bytes | None,
    named: Collection[int],
    session: str,
    db: BaseDatabaseWrapper,
) -> str | ContestError | None:
    """The cast in one statement (``casting``), the ballot checked or encrypted against the
    key and paper this process kept for the contest, which the statement checks are still
    the contest's: the receipt, the refusal, or None if nothing was written. Should the cast
    be refused or write nothing, and the key or paper read anew differ from those kept
    (which a ballot that is open does not see happen), it is checked and cast once more
    against them. ``digest`` None: the one the session's row keeps."""
    on_paper: list[int] = []
    if ciphertext is None:
        _ranking_shape(ranking)
        on_paper = sorted({*ranking, *named})  # the statement checks they are on the paper
    kept = kept_paper(contest_id)
    cast = (contest_id, digest, ranking, ciphertext, on_paper, session, db)
    outcome = _cast_against(kept or paper_read(contest_id, db), *cast)
    if not isinstance(outcome, str) and kept is not None:
        fresh = paper_read(contest_id, db)
        if fresh != kept:
            outcome = _cast_against(fresh, *cast)
    return outcome


def _cast_against(
    paper: Paper | None,
    contest_id: int,
    digest: str | None,
    ranking: Sequence[int],
    ciphertext: bytes | None,
    on_paper: Sequence[int],
    session: str,
    db: BaseDatabaseWrapper,
) -> str | ContestError | None:
    """The receipt; the refusal; or None if the statement wrote nothing."""
    if paper is None:  # no key, no open ballot (``ballot_open`` needs one)
        return ContestError(gettext("the ballot is not open"))
    binding = contest_binding(contest_id)
    try:
        sealed = _sealed(binding, Element(paper.key), paper.positions, ranking, ciphertext)
        return cast_in_one_statement(
            contest_id=contest_id,
            digest=digest,
            ciphertext=ciphertext if ciphertext is not None else sealed.as_bytes(),
            paper=paper,
            on_paper=on_paper,
            receipt=tracker(sealed),
            session=session,
            db=db,
        )
    except IntegrityError:
        return ContestError(COPIED)
    except ContestError as refusal:
        return refusal


def _why_not_cast(
    contest_id: int, digest: str, ranking: Sequence[int], named: Collection[int]
) -> ContestError:
    """The refusal the ORM path would have given, read after the one statement wrote nothing."""
    contest = Contest.objects.filter(pk=contest_id).first()
    if contest is None:
        return ContestError(gettext("the ballot is not open"))
    try:
        _check_open(contest, Channel.ONLINE, check_time=True)
        if ranking:
            ranking_check(contest=contest, ranking=ranking, named=named)
        _check_credential(contest, digest, lock=False)
    except ContestError as refusal:
        return refusal
    return ContestError(gettext("the ballot was not cast: please try again"))


def _contest_shared(contest_id: int) -> Contest:
    """Re-read the contest under a share lock (PostgreSQL ``FOR SHARE``): casts run side by
    side, but closing the ballot (``FOR UPDATE``) waits for the casts in flight, and a cast
    that starts during the close waits and then sees the ballot closed. SQLite serialises
    writers anyway."""
    if connection.vendor != "postgresql":
        return Contest.objects.get(pk=contest_id)
    table = connection.ops.quote_name(Contest._meta.db_table)
    return Contest.objects.raw(f"SELECT * FROM {table} WHERE id = %s FOR SHARE", [contest_id])[0]


@dataclass(frozen=True)
class PostalOutcome:
    line: int
    accepted: bool
    reason: str


def postal_import(*, contest: Contest, text: str) -> list[PostalOutcome]:
    """Import postal returns: ``credential,preferences`` with names joined by ``>``.

    Each paper is cast on its own, so one refused paper (already voted, unknown code)
    does not stop the others; which paper counts when two share a credential follows the
    rulebook's ``postal_precedence`` (2016: the first received)."""
    if contest.rulebook.typed.postal_precedence != "first-received":
        raise ContestError(
            gettext("this rulebook's postal precedence needs a ballot link omov refuses")
        )
    by_name = {c.name: c.position for c in ballot_candidates(contest=contest)}
    paper = set(by_name.values())  # read once for the whole file
    reader = csv.DictReader(io.StringIO(text))
    if set(reader.fieldnames or ()) != {"credential", "preferences"}:
        raise ContestError(gettext("postal returns: the columns must be credential,preferences"))
    outcomes = []
    for line, row in enumerate(reader, start=2):
        names = [n.strip() for n in (row["preferences"] or "").split(">") if n.strip()]
        try:
            with transaction.atomic():
                locked = contest_lock(contest=contest, expected=(ContestState.BALLOT_OPEN,))
                if any(n not in by_name for n in names):
                    raise ContestError(gettext("names a candidate who is not on this ballot"))
                _store(
                    locked,
                    code_digest(row["credential"] or ""),
                    [by_name[n] for n in names],
                    Channel.POSTAL,
                    check_time=False,
                    positions=paper,
                )
            outcomes.append(PostalOutcome(line, True, "counted"))
        except ContestError as error:
            outcomes.append(PostalOutcome(line, False, str(error)))
    with transaction.atomic():
        contest_lock(contest=contest, expected=(ContestState.BALLOT_OPEN,))
        event_record(
            stream=contest.stream,
            kind="postal.imported",
            payload={
                "papers": len(outcomes),
                "accepted": sum(o.accepted for o in outcomes),
                "refused": {str(o.line): o.reason for o in outcomes if not o.accepted},
            },
        )
    return outcomes


@transaction.atomic
def link_sign_in(*, contest_id: int, token: str) -> str:
    """Spend the emailed link with ``token`` to sign its elector in: the code's digest to
    keep in the session, as ``credential_check`` gives for a typed code. A link works
    once, only while the ballot is open online, and only while its code is unspent;
    afterwards the code in the same email still works."""
    contest = Contest.objects.get(pk=contest_id)
    if (
        contest.state != ContestState.BALLOT_OPEN
        or timezone.now() >= contest.ballot_closes_at
        or not contest.online_voting
    ):
        raise BallotNotOpenError(gettext("the ballot is not open"))
    found = Credential.objects.select_for_update().filter(
        link_digest=link_digest(token), elector__contest_id=contest_id
    )
    credential = found.first()
    if credential is None or credential.link_used or credential.state != CredentialState.ISSUED:
        raise ContestError(
            gettext(
                "this link has been used, or a newer code replaced it: enter the voting code "
                "from your email instead"
            )
        )
    credential.link_used = True
    credential.save(update_fields=["link_used"])
    return credential.digest
