"""Contest services: creating organisations and contests, and moving a contest between states.

Every transition locks the contest row, checks the state it starts from, and writes one audit
event in the same transaction, so a refused transition changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext

from omov.count.labels import label_key, label_problem, normalise_label
from omov.rules.events import Declaration
from omov.rules.schema import TriggerKind
from omov.web.audit.services import event_record
from omov.web.contests import engine, rulebooks
from omov.web.contests.models import Candidate, Contest, ContestState, Organisation, Rulebook
from omov.web.contests.photos import LARGEST_UPLOAD, photo_reencoded
from omov.web.errors import ContestError

WORD_LIMIT = 250


def label_checked(text: str, *, what: str, longest: int = 200) -> str:
    """``text`` as stored (``omov.count.labels``), or ``ContestError`` naming ``what`` and the
    fault: every name and title goes into the published bundle, BLT files included, so each
    is checked when it is entered."""
    text = normalise_label(text)
    problem = label_problem(text, longest=longest)
    if problem is not None:
        raise ContestError(
            gettext("%(what)s cannot be used: %(problem)s") % {"what": what, "problem": problem}
        )
    return text


@transaction.atomic
def organisation_create(*, name: str) -> Organisation:
    if not name.strip():
        raise ContestError(gettext("the organisation needs a name"))
    name = label_checked(name, what="the organisation's name")
    if Organisation.objects.filter(name=name).exists():
        raise ContestError(
            gettext("an organisation called %(name)s already exists") % {"name": repr(name)}
        )
    organisation = Organisation.objects.create(name=name)
    event_record(
        stream=f"organisation:{organisation.pk}",
        kind="organisation.created",
        payload={"name": organisation.name},
    )
    return organisation


@transaction.atomic
def rulebook_load(*, organisation: Organisation, key: str) -> Rulebook:
    """Load a shipped rulebook edition for ``organisation`` (once)."""
    try:
        facts = rulebooks.rulebook_facts(key)
    except KeyError as error:
        raise ContestError(error.args[0]) from None
    rulebook, created = Rulebook.objects.get_or_create(
        organisation=organisation,
        key=key,
        defaults={"title": facts.title, "facts": facts.as_record()},
    )
    if created:
        event_record(
            stream=f"organisation:{organisation.pk}",
            kind="rulebook.loaded",
            payload={
                "key": key,
                "title": facts.title,
                "sha256": _sha256(rulebooks.stored_text(facts)),
            },
        )
    return rulebook


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@transaction.atomic
def contest_open(
    *,
    rulebook: Rulebook,
    title: str,
    nominating_body_size: int,
    freeze_date: dt.date,
    ballot_opens_at: dt.datetime,
    ballot_closes_at: dt.datetime,
    trigger: str | None = None,
    actor: engine.Actor = None,
) -> Contest:
    """Open a contest under ``rulebook``: nominations are open from now.

    ``trigger``: how the contest arises (``vacancy``, ``challenge``, ``periodic``...; by
    default the rulebook's challenge, else its first). Its event (a vacancy's resignation,
    an election falling due) and the nominating bodies' size, where the officer's differs
    from the rulebook's, are the engine's first events; a challenge starts when a
    challenger's nominations reach the threshold.

    The count setup recorded in the opening event is the one stored with the rulebook,
    which is what ``result_count`` and the publication read back."""
    method, seats, options = rulebooks.count_rules(rulebook.typed)
    if ballot_closes_at <= ballot_opens_at:
        raise ContestError(gettext("the ballot must close after it opens"))
    if nominating_body_size < 1:
        raise ContestError(gettext("the nominating body must have at least one member"))
    book = rulebooks.stored_book(rulebook.typed)
    kind = engine.trigger_kind(book, trigger)
    contest = Contest.objects.create(
        organisation=rulebook.organisation,
        rulebook=rulebook,
        title=label_checked(title or "Leadership election", what="the title"),
        method=method,
        nominating_body_size=nominating_body_size,
        freeze_date=freeze_date,
        ballot_opens_at=ballot_opens_at,
        ballot_closes_at=ballot_closes_at,
        decisions=[],
        online_voting=rulebooks.online_lawful(rulebook.typed),
        trigger=kind.value,
    )
    event_record(
        stream=contest.stream,
        kind="contest.opened",
        payload={
            "title": contest.title,
            "rulebook": rulebook.key,
            "method": method,
            "seats": seats,
            "count_options": options.as_record(),
            "nominating_body_size": nominating_body_size,
            "freeze_date": freeze_date.isoformat(),
            "ballot_opens_at": ballot_opens_at.isoformat(),
            "ballot_closes_at": ballot_closes_at.isoformat(),
            "online_voting": contest.online_voting,
            "trigger": contest.trigger,
        },
    )
    first = [
        engine.body_size_event(book, kind, nominating_body_size),
        engine.trigger_event(book, kind),
    ]
    for event in [e for e in first if e is not None]:
        engine.event_add(
            contest=contest, event=event, kind=f"engine.{event.type}", payload={}, actor=actor
        )
    if not contest.engine_events.exists():
        contest.decisions = [d.as_record() for d in engine.engine_run(contest).decisions]
        contest.save(update_fields=["decisions"])
    return contest


@transaction.atomic
def candidate_add(
    *,
    contest: Contest,
    name: str,
    statement: str = "",
    incumbent: bool = False,
    photo: File[bytes] | None = None,
    actor: engine.Actor = None,
) -> Candidate:
    """A candidate declares (an event for the engine). An incumbent facing a challenge
    declares nothing: the rules put them in the contest when the challenge starts."""
    contest = contest_lock(contest=contest, expected=(ContestState.NOMINATIONS,))
    if not name.strip():
        raise ContestError(gettext("the candidate needs a name"))
    name = label_checked(name, what="the candidate's name", longest=120)
    if len(statement.split()) > WORD_LIMIT:
        raise ContestError(
            gettext("the statement has %(len_statement_split)s words; at most 250")
            % {"len_statement_split": len(statement.split())}
        )
    # Two names one case or one quote apart would be one name in a BLT file or to a voter.
    taken = {label_key(other): other for other in contest.candidates.values_list("name", flat=True)}
    if label_key(name) in taken:
        raise ContestError(
            gettext("%(name)s is already a candidate (as %(taken_label_key_name)s)")
            % {"name": name, "taken_label_key_name": taken[label_key(name)]}
        )
    stored = photo_reencoded(_read_upload(photo)) if photo is not None else None
    position = contest.candidates.count() + 1
    candidate = Candidate.objects.create(
        contest=contest, name=name, position=position, incumbent=incumbent, statement=statement
    )
    if stored is not None:
        candidate.photo.save(stored.name or "photo.jpg", stored)
    payload = {"name": name, "position": position, "incumbent": incumbent}
    if incumbent and contest.trigger == TriggerKind.CHALLENGE:
        event_record(stream=contest.stream, kind="candidate.added", payload=payload)
    else:
        declaration = Declaration(type="declaration", candidate=name)
        engine.event_add(
            contest=contest,
            event=declaration,
            kind="candidate.added",
            payload=payload,
            actor=actor,
        )
    return candidate


def _read_upload(photo: File[bytes]) -> bytes:
    """At most one byte past the limit: ``photo_reencoded`` refuses anything longer."""
    photo.seek(0)
    return bytes(photo.read(LARGEST_UPLOAD + 1))


def contest_lock(*, contest: Contest, expected: tuple[ContestState, ...]) -> Contest:
    """Re-read ``contest`` under a row lock and check it is in one of the ``expected`` states."""
    locked = Contest.objects.select_for_update().get(pk=contest.pk)
    if locked.state not in expected:
        wanted = " or ".join(ContestState(state).label.lower() for state in expected)
        raise ContestError(
            gettext(
                "not allowed now: the contest is %(locked_get_state_display_lower)s, and this "
                "needs it to be %(wanted)s"
            )
            % {
                "locked_get_state_display_lower": locked.get_state_display().lower(),
                "wanted": wanted,
            }
        )
    return locked


def contest_transition(
    *,
    contest: Contest,
    source: tuple[ContestState, ...],
    target: ContestState,
    kind: str,
    payload: dict[str, Any] | None = None,
    facts: dict[str, Any] | None = None,
    checkpoint: str | None = None,
) -> Contest:
    """Move a locked contest from one of ``source`` to ``target`` and record it (``facts``
    and ``checkpoint``: for its ledger entry, as ``event_record`` takes them).

    Callers run inside ``transaction.atomic`` and have already locked ``contest``."""
    if contest.state not in source:
        raise ContestError(
            gettext("not allowed now: the contest is %(contest_get_state_display_lowe)s")
            % {"contest_get_state_display_lowe": contest.get_state_display().lower()}
        )
    previous = contest.state
    contest.state = target
    contest.save(update_fields=["state"])
    event_record(
        stream=contest.stream,
        kind=kind,
        payload={"from": previous, "to": str(target), **(payload or {})},
        facts=facts,
        checkpoint=checkpoint,
    )
    return contest


@transaction.atomic
def contest_archive(*, contest: Contest, actor: engine.Actor = None) -> Contest:
    """Take a contest off the home page, logged in its organisation's stream (not the
    contest's own log, which ends at publication: its bundle's log must not grow). An open
    ballot is not archived: voters are looking for it."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    if contest.archived:
        raise ContestError(gettext("this contest is already archived"))
    if contest.state == ContestState.BALLOT_OPEN:
        raise ContestError(gettext("the ballot is open: close it before archiving the contest"))
    contest.archived = True
    contest.save(update_fields=["archived"])
    event_record(
        stream=f"organisation:{contest.organisation_id}",
        kind="contest.archived",
        payload={
            "contest": contest.pk,
            "state": str(contest.state),
            "by": actor.get_username() if actor is not None else "",
        },
    )
    return contest
