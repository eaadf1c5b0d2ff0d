"""What the house rules allow a member now, and the moderation log.

``restriction(member)`` is read before anything a member writes (a post here, a hustings
question): suspended (refused, with the rule and the end date), held (the writing waits for
a moderator), or free. A suspension or a hold follows the person: it is found by the
person's identity key, and by a registration a moderator has found to be the same person.

Every moderation step is one entry of the organisation's moderation stream in the audit log
(``moderation:<organisation>``), naming the moderator and the rule; an entry keeps the
SHA-256 of a text, never the text, nor anyone's email or name.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from omov.rules import Rulebook
from omov.rules.house_rules import HouseRules, house_rules
from omov.web.access.models import Role
from omov.web.access.roles import may
from omov.web.audit.services import event_record
from omov.web.contests.models import Organisation
from omov.web.discussion.models import (
    Moderation,
    ModerationKind,
    ModerationState,
    Review,
    ReviewState,
)
from omov.web.errors import ContestError
from omov.web.members.models import Member
from omov.web.members.selectors import NoLocalRulesError, rulebook_in_force

KEPT_SECONDS = 30.0
"""How long a process keeps the rulebook in force before asking again: every post reads the
house rules, and an officer's change of edition can wait half a minute."""
_kept: dict[int, tuple[float, Rulebook]] = {}


class DiscussionClosedError(ContestError):
    """The organisation has no rulebook in force with house rules, so there is no discussion
    to moderate or take part in: pages say so instead of failing."""


def book_for(organisation: Organisation | int) -> Rulebook:
    """The rulebook in force for the organisation's discussion (it must have house rules)."""
    pk = organisation if isinstance(organisation, int) else organisation.pk
    kept = _kept.get(pk)
    if kept is not None and time.monotonic() - kept[0] < KEPT_SECONDS:
        book = kept[1]
    else:
        target = organisation if isinstance(organisation, Organisation) else Organisation(pk=pk)
        try:
            book = rulebook_in_force(target)
        except NoLocalRulesError as error:
            raise DiscussionClosedError(
                gettext("%(error)s, so discussion is closed") % {"error": error}
            ) from error
        _kept[pk] = (time.monotonic(), book)
    if book.house_rules is None:
        raise DiscussionClosedError(
            gettext("%(id)s has no house rules, so discussion is closed") % {"id": book.id}
        )
    return book


def book_forget() -> None:
    """Read the rulebook in force afresh next time (tests change it)."""
    _kept.clear()


def rules_for(organisation: Organisation) -> HouseRules:
    return house_rules(book_for(organisation))


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Restriction:
    """What the house rules leave a member free to do now."""

    suspended: Moderation | None = None
    """A suspension in force on the person: they may not write."""
    held: Moderation | None = None
    """A hold on the person, or a suspension their registration matched and a moderator has
    yet to review: what they write waits for a moderator."""

    @property
    def may_write(self) -> bool:
        return self.suspended is None

    def refusal(self) -> str:
        assert self.suspended is not None
        until = self.suspended.ends_at
        end = f" until {until:%H:%M on %d %B %Y} (UTC)" if until is not None else ""
        return f"You are suspended from discussion{end}: {self.suspended.label}."


def in_force(now: Any = None) -> Q:
    now = now or timezone.now()
    return Q(state=ModerationState.IN_FORCE) & (Q(ends_at__isnull=True) | Q(ends_at__gt=now))


def restriction(member: Member) -> Restriction:
    """Suspensions and holds on ``member``'s person, in one query: those on their identity
    key, and suspensions their registration matched (with the review's state)."""
    matched = Review.objects.filter(member=member).exclude(state=ReviewState.NOT_THE_SAME)
    found = (
        Moderation.objects.filter(
            in_force(),
            organisation_id=member.organisation_id,
            kind__in=(ModerationKind.SUSPEND, ModerationKind.HOLD),
        )
        .filter(Q(identity_key=member.identity_key) | Q(pk__in=matched.values("suspension_id")))
        .annotate(review=Subquery(matched.filter(suspension=OuterRef("pk")).values("state")[:1]))
        .order_by("made_at")
    )
    suspended = held = None
    for moderation in found:
        own = moderation.identity_key == member.identity_key
        if moderation.kind == ModerationKind.SUSPEND and (
            own or moderation.review == ReviewState.SAME_PERSON
        ):
            suspended = suspended or moderation
        else:  # a hold, or a suspension whose match is still to be reviewed
            held = held or moderation
    return Restriction(suspended, held)


def moderator_check(user: Any, organisation: Organisation) -> None:
    """Refuse anyone who is not a moderator of ``organisation`` (views check first; a
    service called by another app checks again)."""
    if not may(user, Role.MODERATOR, organisation):
        raise ContestError(gettext("only a moderator of this organisation can do that"))


def panel_check(user: Any, organisation: Organisation) -> None:
    if not may(user, Role.APPEALS_PANEL, organisation):
        raise ContestError(gettext("only the organisation's appeals panel can decide an appeal"))


def stream(organisation: Organisation) -> str:
    return f"moderation:{organisation.pk}"


def log(organisation: Organisation, kind: str, payload: dict[str, Any]) -> None:
    """One entry of the moderation log. The organisation row is locked first, so two
    entries never race for a sequence number."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    event_record(stream=stream(organisation), kind=kind, payload=payload)


def entry(moderation: Moderation, actor: Any, **more: Any) -> dict[str, Any]:
    """What a log entry says of a decision: the moderator, the rule, what was acted on
    (a kind and an id, a text's hash), never the text or the person's name."""
    return {
        "moderation": moderation.pk,
        "decision": moderation.kind,
        "rule": moderation.rule,
        "ground": moderation.ground,
        "label": moderation.label,
        "item": f"{moderation.item_kind}:{moderation.item_id}" if moderation.item_kind else "",
        "member": moderation.member_id,
        "sha256": moderation.text_sha256,
        "actor": actor.get_username(),
        **more,
    }
