"""Mailings in batches, each step its own transaction, so a worker killed anywhere leaves
the letters in a state the next worker carries on from:

1. ``mailing_plan``: one letter per recipient, in numbered batches (once per mailing);
2. ``batch_claim``: a worker takes a waiting batch, or one whose claim ran out, for a lease;
3. ``batch_prepare``: the batch's codes are made, their credentials stored and each code
   sealed in its letter, in one commit (so an elector gets one code, however often this
   batch is taken up again);
4. ``batch_send``: each ready letter whose code is still live (not reissued meanwhile) is
   handed to the relay and marked sent (the code wiped) in one transaction holding its
   credential; one whose code was reissued is marked superseded. A letter is sent at
   least once, and twice only if the worker dies between the relay's acceptance and
   that mark's commit (see docs/adr/0005-background-jobs.md);
5. ``batch_finish``: the batch is done, or waits to retry its deferred letters; either way
   one audit entry with its counts.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
from collections import Counter

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import DatabaseError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Count, Exists, F, OuterRef, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext

from omov.web.audit.services import event_record
from omov.web.balloting.codes import code_digest, code_link_digest, new_code
from omov.web.balloting.models import Credential, CredentialState
from omov.web.contests.models import Contest, ContestState
from omov.web.contests.services import contest_lock
from omov.web.electorate.models import Elector, Eligibility
from omov.web.errors import ContestError
from omov.web.jobs.letters import Outcome, Post, Press, deliver
from omov.web.jobs.models import (
    FINAL,
    BatchState,
    Letter,
    LetterState,
    MailBatch,
    Mailing,
    MailingKind,
    MailingState,
)
from omov.web.jobs.sealing import seal, unseal

ISSUING = (ContestState.FROZEN, ContestState.BALLOT_OPEN)
# A letter refused for now this many times is given up (the officer sees it as failed).
MAX_ATTEMPTS = 5
logger = logging.getLogger("omov.jobs")


def codes_mailing_start(*, contest: Contest) -> Mailing:
    """The officer's "send voting codes": a mailing to every eligible elector who has no
    code, sent by the workers. Pressed again while one is under way, it is that one."""
    from omov.web.jobs.tasks import mailing_enqueue

    with transaction.atomic():
        contest = contest_lock(contest=contest, expected=ISSUING)
        if not contest.online_voting:
            # A statutory ballot (TULRCA s.51) is postal only: its codes go on the papers.
            raise ContestError(
                gettext(
                    "this ballot is postal only under its rules: voting codes are not emailed, "
                    "they go on the ballot papers"
                )
            )
        under_way = contest.mailings.filter(kind=MailingKind.CODES).exclude(state=MailingState.DONE)
        if mailing := under_way.first():
            return mailing
        mailing = Mailing.objects.create(contest=contest, kind=MailingKind.CODES)
        event_record(stream=contest.stream, kind="mailing.started", payload=_about(mailing))
        transaction.on_commit(lambda: mailing_enqueue(mailing.pk))
    return mailing


def reminder_mailing_start(*, contest: Contest) -> Mailing:
    """The officer's "send a reminder": a mailing to every elector whose code is unspent,
    chosen inside the job (``_recipients``), so the officer sees only counts. Pressed
    again while one is under way, it is that one."""
    from omov.web.jobs.tasks import mailing_enqueue

    with transaction.atomic():
        contest = contest_lock(contest=contest, expected=(ContestState.BALLOT_OPEN,))
        if not contest.online_voting:
            raise ContestError(
                gettext("this ballot is postal only under its rules: there is no code to remind of")
            )
        under_way = contest.mailings.filter(kind=MailingKind.REMINDER, moment="").exclude(
            state=MailingState.DONE
        )
        if mailing := under_way.first():
            return mailing
        mailing = Mailing.objects.create(contest=contest, kind=MailingKind.REMINDER)
        event_record(
            stream=contest.stream,
            kind="mailing.started",
            payload={**_about(mailing), "by": "the returning officer"},
        )
        transaction.on_commit(lambda: mailing_enqueue(mailing.pk))
    return mailing


def _about(mailing: Mailing) -> dict[str, object]:
    return {"mailing": mailing.pk, "kind": str(mailing.kind), "moment": mailing.moment}


def _recipients(mailing: Mailing) -> QuerySet[Elector]:
    """The mailing's electors, one row each. Codes: the eligible with no live code.
    Reminders: those whose code is unspent, read here inside the job from the
    credentials; nobody sees the list, only its count."""
    electors = mailing.contest.electors.filter(eligibility=Eligibility.ELIGIBLE)
    credentials = Credential.objects.filter(elector=OuterRef("pk"))
    if mailing.kind == MailingKind.CODES:
        live = (CredentialState.ISSUED, CredentialState.USED)
        return electors.exclude(Exists(credentials.filter(state__in=live)))
    return electors.filter(Exists(credentials.filter(state=CredentialState.ISSUED))).exclude(
        Exists(credentials.filter(state=CredentialState.USED))
    )


def _letters_write(mailing: Mailing, electors: QuerySet[Elector], size: int) -> int:
    """One letter per elector in one INSERT ... SELECT, in the roll's order, the n-th
    (from 0) in batch n // size: the database does it, where building a Letter per
    elector in Python cost ~0.1 ms each (a minute at Labour's 650,000). The same SQL
    runs on PostgreSQL and SQLite (window functions since 3.25)."""
    numbered = electors.order_by().annotate(
        place=Window(RowNumber(), order_by=(F("reference").asc(), F("pk").asc()))
    )
    select, params = numbered.values_list("pk", "place").query.sql_with_params()
    letter, batch = Letter._meta.db_table, MailBatch._meta.db_table
    sql = (
        f"INSERT INTO {letter} (mailing_id, batch_id, elector_id, state, sealed_code, "
        "attempts, reason) "
        f"SELECT %s, b.id, r.pk, %s, %s, 0, '' FROM ({select}) r "
        f"JOIN {batch} b ON b.mailing_id = %s AND b.number = (r.place - 1) / %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (mailing.pk, str(LetterState.PLANNED), b"", *params, mailing.pk, size))
        written: int = cursor.rowcount
    return written


def mailing_plan(*, mailing_id: int) -> Mailing:
    """Write the mailing's letters and batches, once: a second call finds it planned."""
    size = settings.OMOV_MAIL_BATCH
    with transaction.atomic():
        mailing = Mailing.objects.select_for_update().get(pk=mailing_id)
        if mailing.state != MailingState.PLANNING:
            return mailing
        electors = _recipients(mailing)
        count = electors.count()
        now = timezone.now()
        batches = MailBatch.objects.bulk_create(
            MailBatch(mailing=mailing, number=n, lease_until=now)
            for n in range((count + size - 1) // size)
        )
        letters = _letters_write(mailing, electors, size) if batches else 0
        mailing.state = MailingState.SENDING
        mailing.save(update_fields=["state"])
        contest = Contest.objects.select_for_update().get(pk=mailing.contest_id)
        payload = {**_about(mailing), "letters": letters, "batches": len(batches)}
        event_record(stream=contest.stream, kind="mailing.planned", payload=payload)
    if not batches:
        mailing_finish(mailing=mailing)
    return mailing


@transaction.atomic
def batch_claim(*, mailing: Mailing, worker: str) -> MailBatch | None:
    """The next batch nobody holds (waiting, retry due, or a claim run out), now ours."""
    now = timezone.now()
    batch = (
        MailBatch.objects.select_for_update(skip_locked=True)
        .filter(
            mailing=mailing,
            state__in=(BatchState.WAITING, BatchState.CLAIMED, BatchState.RETRY),
            lease_until__lte=now,
        )
        .order_by("number")
        .first()
    )
    if batch is None:
        return None
    batch.state, batch.worker = BatchState.CLAIMED, worker
    batch.lease_until = now + dt.timedelta(seconds=settings.OMOV_MAIL_LEASE_SECONDS)
    batch.passes += 1
    batch.save(update_fields=["state", "worker", "lease_until", "passes"])
    return batch


def batch_renew(*, batch: MailBatch) -> bool:
    """Extend our claim; False if it ran out and another worker took the batch."""
    lease = timezone.now() + dt.timedelta(seconds=settings.OMOV_MAIL_LEASE_SECONDS)
    held = MailBatch.objects.filter(
        pk=batch.pk, state=BatchState.CLAIMED, worker=batch.worker, passes=batch.passes
    )
    return held.update(lease_until=lease) == 1


@transaction.atomic
def batch_prepare(*, batch: MailBatch) -> None:
    """Make the codes of the batch's planned letters: credentials and sealed codes in one
    commit. Electors who got a code meanwhile (a reissue) are skipped."""
    planned = list(
        batch.letters.filter(state=LetterState.PLANNED)
        .order_by("pk")
        .values_list("pk", "elector_id")
    )
    if not planned:
        return
    if batch.mailing.kind == MailingKind.CODES:
        letters = _make_codes(planned)
    else:
        letters = [(pk, str(LetterState.READY), b"", "") for pk, _ in planned]
    table = Letter._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement for the batch (its tally's trigger runs once, not 500 times).
            cursor.execute(
                f"UPDATE {table} AS letter SET state = v.state, sealed_code = v.sealed, "
                "reason = v.reason FROM unnest(%s::bigint[], %s::text[], %s::bytea[], "
                "%s::text[]) AS v(id, state, sealed, reason) WHERE letter.id = v.id",
                [list(column) for column in zip(*letters, strict=True)],
            )
        else:
            # One statement a letter: Django's bulk_update writes one CASE over the batch,
            # which cost more than making the codes.
            cursor.executemany(
                f"UPDATE {table} SET state = %s, sealed_code = %s, reason = %s WHERE id = %s",
                [(state, sealed, reason, pk) for pk, state, sealed, reason in letters],
            )


def _make_codes(planned: list[tuple[int, int]]) -> list[tuple[int, str, bytes, str]]:
    """A code for each planned letter (letter id, elector id) whose elector has none:
    their credentials stored; each letter's new state, sealed code and reason."""
    holding = set(
        Credential.objects.filter(
            elector_id__in=[elector for _, elector in planned],
            state__in=(CredentialState.ISSUED, CredentialState.USED),
        ).values_list("elector_id", flat=True)
    )
    letters, credentials = [], []
    ready, skipped = str(LetterState.READY), str(LetterState.SKIPPED)
    for pk, elector in planned:
        if elector in holding:
            letters.append((pk, skipped, b"", "already has a code"))
            continue
        code = new_code()
        credentials.append((elector, code_digest(code), code_link_digest(code)))
        letters.append((pk, ready, seal(code), ""))
    _credentials_store(credentials)
    return letters


def _credentials_store(credentials: list[tuple[int, str, str]]) -> None:
    """Issued credentials (elector id, digest, link digest): on PostgreSQL in one INSERT
    from arrays, where Django's bulk_create built a model and its parameters for each."""
    if not credentials:
        return
    if connection.vendor != "postgresql":
        Credential.objects.bulk_create(
            Credential(elector_id=elector, digest=digest, link_digest=link)
            for elector, digest, link in credentials
        )
        return
    electors, digests, links = (list(column) for column in zip(*credentials, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Credential._meta.db_table} "
            "(elector_id, digest, state, link_digest, link_used) "
            "SELECT v.elector, v.digest, %s, v.link, false "
            "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(elector, digest, link)",
            (_ISSUED, electors, digests, links),
        )


def batch_send(*, batch: MailBatch, mail: BaseEmailBackend | None = None) -> bool:
    """Send the batch's ready and deferred letters; False if our claim was lost."""
    mail = mail or get_connection()
    press = Press(batch.mailing.contest)
    posts = _posts(batch)
    # Renewed every so many letters, and at a third of the lease whatever the relay's pace,
    # so a slow relay never lets the claim run out under a worker still sending.
    every = settings.OMOV_MAIL_LEASE_SECONDS / 3
    renewed = time.monotonic()
    chained = batch.mailing.kind == MailingKind.CODES and _plain_transactions()
    try:
        with _Chain(connection.cursor()) if chained else contextlib.nullcontext() as chain:
            for n, post in enumerate(posts, start=1):
                due = n % settings.OMOV_MAIL_RENEW_EVERY == 0 or time.monotonic() - renewed > every
                if due:
                    if chain is not None:
                        chain.flush()  # the last mark committed before the lease is renewed
                    if not batch_renew(batch=batch):
                        return False
                    renewed = time.monotonic()
                if chain is not None:
                    chain.send(post, press, mail)
                else:
                    letter_send(letter=post, contest=press.contest, mail=mail, press=press)
    finally:
        mail.close()
    return True


def _posts(batch: MailBatch) -> list[Post]:
    """The batch's letters to send, in order, as rows (building a Letter, its Elector and
    Mailing for each cost more than the queries that read them)."""
    mailing = batch.mailing
    codes = mailing.kind == MailingKind.CODES
    rows = (
        batch.letters.filter(state__in=(LetterState.READY, LetterState.DEFERRED))
        .order_by("pk")
        .values_list(
            "pk", "elector_id", "elector__email", "elector__section", "sealed_code", "attempts"
        )
    )
    posts = []
    for pk, elector_id, email, section, sealed, attempts in rows:
        sealed = bytes(sealed)
        code = unseal(sealed) if codes and sealed else ""
        posts.append(
            Post(pk, mailing.pk, codes, elector_id, email, section, sealed, attempts, code)
        )
    return posts


class _Chain:
    """A batch's code letters on PostgreSQL, one round trip a letter: the statement that
    commits a letter's mark also begins the next letter's transaction and checks (and
    locks) its credential: ``SET LOCAL ...; UPDATE ...; COMMIT; BEGIN; SELECT ... FOR
    UPDATE``. Each letter is still its own transaction, committed as soon as the relay has
    it (the next letter's check goes with it), so a worker killed anywhere resends at most
    the one letter the relay took and no mark recorded; the server rolls back a
    transaction left open. The last letter's mark, and the one before a lease renewal,
    go alone (``flush``)."""

    def __init__(self, cursor: CursorWrapper) -> None:
        self.cursor = cursor
        self.mark: tuple[str, tuple[int | str | bytes, ...]] | None = None

    def __enter__(self) -> _Chain:
        self.cursor.__enter__()
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        try:
            if kind is None:
                self.flush()
            else:  # a transaction begun or a mark not sent: neither stays
                with contextlib.suppress(DatabaseError):
                    self.cursor.execute("ROLLBACK")
        finally:
            self.cursor.__exit__(None, None, None)

    def flush(self) -> None:
        if self.mark is not None:
            statements, params = self.mark
            self.mark = None
            self.cursor.execute(statements, params)

    def send(self, post: Post, press: Press, mail: BaseEmailBackend) -> None:
        statements, params = self.mark or ("", ())
        self.mark = None
        self.cursor.execute(
            f"{statements}BEGIN; {_LIVE_SQL} FOR UPDATE", (*params, *_live_params(post))
        )
        # The driver's own cursor: the statement's results are all in (Django's wrapper
        # of each call, for errors the reading of them cannot raise, cost 8% of a code).
        results = self.cursor.cursor
        for _ in range(statements.count(";") + 1):
            results.nextset()
        live = results.fetchone() is not None
        outcome = _letter_outcome(post, live, press.contest, mail, press)
        update, params = _mark_statement(post, outcome)
        self.mark = (f"SET LOCAL synchronous_commit TO OFF; {update}; COMMIT; ", params)


def letter_send(
    *, letter: Letter | Post, contest: Contest, mail: BaseEmailBackend, press: Press | None = None
) -> Outcome:
    """Send one letter and mark what became of it, in one transaction that holds the
    letter's credential: a code reissued after its batch was prepared is not sent (the
    letter is superseded), and a reissue that comes while the letter is being sent waits
    for the mark, then revokes the code just sent and emails its own."""
    post = Post.of(letter) if isinstance(letter, Letter) else letter
    if _plain_transactions():
        return _letter_send_in_two_trips(letter=post, contest=contest, mail=mail, press=press)
    with transaction.atomic():
        live = not post.codes or _code_live(post)
        outcome = _letter_outcome(post, live, contest, mail, press)
        _letter_mark(letter=post, outcome=outcome)
    return outcome


def _code_live(letter: Post) -> bool:
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(_LIVE_SQL + lock, _live_params(letter))
        return cursor.fetchone() is not None


def _plain_transactions() -> bool:
    """PostgreSQL, outside any transaction (as in a worker): the letter's transaction can
    be begun and committed in the statements themselves."""
    return (
        connection.vendor == "postgresql"
        and connection.get_autocommit()
        and not connection.in_atomic_block
    )


def _letter_send_in_two_trips(
    *, letter: Post, contest: Contest, mail: BaseEmailBackend, press: Press | None
) -> Outcome:
    """``letter_send``'s transaction in two round trips to PostgreSQL, where Django's
    ``atomic`` takes five (BEGIN, the check, the SET, the mark, COMMIT): begun with the
    check of the credential and committed with the mark. On any error it is rolled back,
    and a worker killed in between leaves it to the server to roll back."""
    codes = letter.codes
    with connection.cursor() as cursor:
        live = True
        if codes:
            cursor.execute(f"BEGIN; {_LIVE_SQL} FOR UPDATE", _live_params(letter))
            cursor.nextset()
            live = cursor.fetchone() is not None
        try:
            outcome = _letter_outcome(letter, live, contest, mail, press)
            update, params = _mark_statement(letter, outcome)
            begin = "" if codes else "BEGIN; "
            cursor.execute(f"{begin}SET LOCAL synchronous_commit TO OFF; {update}; COMMIT", params)
        except BaseException:
            with contextlib.suppress(DatabaseError):
                cursor.execute("ROLLBACK")
            raise
    return outcome


def _letter_outcome(
    letter: Post, live: bool, contest: Contest, mail: BaseEmailBackend, press: Press | None
) -> Outcome:
    if not live:
        logger.info("letter %s not sent: its code was reissued meanwhile", letter.pk)
        return Outcome(LetterState.SUPERSEDED, "the code was reissued before it was sent")
    return deliver(letter, contest, mail, press)


# The letter's code is still its elector's issued credential, then locked until the
# letter's mark commits (``credential_reissue`` revokes under the same row lock). Plain
# SQL: Django's query building cost more than the query, once a letter.
_LIVE_SQL = (
    f"SELECT 1 FROM {Credential._meta.db_table} WHERE elector_id = %s AND digest = %s "
    "AND state = %s"
)


def _live_params(letter: Post) -> tuple[int | str | bytes, ...]:
    return (letter.elector_id, code_digest(letter.code), _ISSUED)


_ISSUED = str(CredentialState.ISSUED)


def letter_mark(*, letter: Letter | Post, outcome: Outcome) -> None:
    """Record what became of a letter, in its own transaction."""
    post = Post.of(letter) if isinstance(letter, Letter) else letter
    with transaction.atomic():
        _letter_mark(letter=post, outcome=outcome)


def _letter_mark(*, letter: Post, outcome: Outcome) -> None:
    """Record what became of a letter (see ``_mark_statement``), in the transaction open."""
    update, params = _mark_statement(letter, outcome)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SET LOCAL synchronous_commit TO OFF; {update}", params)
        else:
            cursor.execute(update, params)


def _mark_statement(letter: Post, outcome: Outcome) -> tuple[str, tuple[int | str | bytes, ...]]:
    """The statement that records what became of a letter; a sent letter's code is wiped.

    On PostgreSQL the mark commits without waiting for the disk (``SET LOCAL
    synchronous_commit TO OFF`` before it): a worker killed after it keeps it (only a
    crash of the database server could lose it, and then the letter is sent again).
    ``SET LOCAL``, not a session setting, so that behind PgBouncer in transaction mode it
    never reaches another client's transactions; the codes and credentials were committed
    before, with the server's own setting."""
    state, reason = outcome.state, outcome.reason
    if state == LetterState.DEFERRED and letter.attempts + 1 >= MAX_ATTEMPTS:
        state, reason = LetterState.FAILED, f"{reason}, {MAX_ATTEMPTS} times"
    update = (
        f"UPDATE {Letter._meta.db_table} SET state = %s, reason = %s, "
        "attempts = attempts + 1, sealed_code = %s WHERE id = %s"
    )
    sealed = bytes(letter.sealed_code) if state == LetterState.DEFERRED else b""
    return update, (str(state), reason, sealed, letter.pk)


def batch_finish(*, batch: MailBatch) -> None:
    """Close this pass over the batch: done, or a retry later for deferred letters."""
    with transaction.atomic():
        held = (
            MailBatch.objects.select_for_update()
            .filter(pk=batch.pk, state=BatchState.CLAIMED, worker=batch.worker)
            .first()
        )
        if held is None or held.passes != batch.passes:
            return
        counts = Counter(
            dict(batch.letters.values_list("state").annotate(n=Count("pk")).order_by())
        )
        pending = sum(n for state, n in counts.items() if state not in FINAL)
        held.state = BatchState.RETRY if pending else BatchState.DONE
        held.lease_until = timezone.now() + dt.timedelta(seconds=settings.OMOV_MAIL_RETRY_SECONDS)
        held.save(update_fields=["state", "lease_until"])
        contest = Contest.objects.select_for_update().get(pk=batch.mailing.contest_id)
        payload = {
            **_about(batch.mailing),
            "batch": batch.number,
            "pass": batch.passes,
            **{str(state): counts.get(state, 0) for state in LetterState},
        }
        event_record(stream=contest.stream, kind="mailing.batch", payload=payload)
    if not pending:
        mailing_finish(mailing=batch.mailing)


def mailing_wanted(mailing: Mailing) -> bool:
    """Codes while codes can be issued, reminders while the ballot is open."""
    state = Contest.objects.values_list("state", flat=True).get(pk=mailing.contest_id)
    return state in (ISSUING if mailing.kind == MailingKind.CODES else (ContestState.BALLOT_OPEN,))


def mailing_abandon(*, mailing: Mailing) -> None:
    """The ballot closed with letters unsent: they fail (codes wiped), and the mailing ends."""
    with transaction.atomic():
        unsent = mailing.letters.exclude(state__in=FINAL)
        unsent.update(
            state=LetterState.FAILED, reason="not sent: the ballot closed", sealed_code=b""
        )
        mailing.batches.exclude(state=BatchState.DONE).update(state=BatchState.DONE)
    mailing_finish(mailing=mailing)


def mailing_finish(*, mailing: Mailing) -> None:
    """Once every batch is done: the mailing is done, with its totals in the log."""
    with transaction.atomic():
        contest = Contest.objects.select_for_update().get(pk=mailing.contest_id)
        mailing = Mailing.objects.select_for_update().get(pk=mailing.pk)
        unfinished = mailing.batches.exclude(state=BatchState.DONE).exists()
        if mailing.state == MailingState.DONE or unfinished:
            return
        counts = Counter(
            dict(mailing.letters.values_list("state").annotate(n=Count("pk")).order_by())
        )
        totals = {str(state): counts.get(state, 0) for state in LetterState}
        mailing.state, mailing.totals = MailingState.DONE, totals
        mailing.save(update_fields=["state", "totals"])
        if mailing.kind == MailingKind.REMINDER:
            # Whom a reminder went to is who had not voted then: kept no longer than needed.
            mailing.letters.all().delete()
        # A codes mailing's end is the ledger's credentials-issued entry (codes per section).
        kind = "credentials.issued" if mailing.kind == MailingKind.CODES else "mailing.done"
        event_record(stream=contest.stream, kind=kind, payload={**_about(mailing), **totals})
