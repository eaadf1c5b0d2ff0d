"""Recording what trustees publish: each message checked, kept, and entered in the log.

A message is checked before it is kept, against what was published before it: an
introduction names the rulebook's n and k; a dealing carries valid Feldman commitments and
proof of knowledge; a confirmation names the key the dealings give; a mix proves its
shuffle of the last output of its box; a decryption share proves itself against its
trustee's verification key. When the last confirmation arrives the election key is kept
(the ballot can open); when every box has k shares, the rankings are decrypted
(``papers_decrypt``) and the count can run. Each message becomes one audit event, and so
one entry of the contest's log, holding its kind, trustee and SHA-256.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext

from omov.secrecy import dkg
from omov.secrecy.errors import SecrecyError
from omov.secrecy.messages import Message, MessageKind, Roster, ciphertexts_digest
from omov.secrecy.records import b64, element
from omov.secrecy.shuffle_check import check_shuffle
from omov.secrecy.tally import MIN_MIXERS, decryption_shares, mix_chain, rankings, share_faults
from omov.secrecy.trustee import dealing_of, keygen_outcome, mix_of
from omov.web.audit.services import event_record
from omov.web.contests.models import Contest, ContestState
from omov.web.contests.selectors import ballot_candidates
from omov.web.contests.services import contest_lock
from omov.web.errors import ContestError
from omov.web.trustees.models import DecryptedPaper, ElectionKey, TrusteeMessage
from omov.web.trustees.selectors import (
    ballot_boxes,
    contest_binding,
    published_messages,
    roster_of,
    trustee_setup,
)

BEFORE_OPEN = (ContestState.NOMINATIONS, ContestState.ELECTORATE, ContestState.FROZEN)


@transaction.atomic
def trustee_message_record(*, contest: Contest, text: str) -> Message:
    """Check one trustee message against what was published before it, keep it, log it."""
    try:
        message = Message.from_json(text)
    except SecrecyError as error:
        raise ContestError(str(error)) from None
    expected = BEFORE_OPEN if _keygen(message) else (ContestState.BALLOT_CLOSED,)
    contest = contest_lock(contest=contest, expected=expected)
    if message.contest != contest_binding(contest):
        raise ContestError(
            gettext("the message is for %(binding)s, not this contest")
            % {"binding": repr(message.contest)}
        )
    if TrusteeMessage.objects.filter(digest=message.digest).exists():
        raise ContestError(gettext("this message has been recorded already"))
    earlier = published_messages(contest)
    try:
        CHECKS[message.kind](contest, message, earlier)
    except SecrecyError as error:
        raise ContestError(
            gettext("trustee %(trustee)s's %(kind)s: %(error)s")
            % {"trustee": message.trustee, "kind": message.kind, "error": error}
        ) from None
    TrusteeMessage.objects.create(
        contest=contest,
        kind=message.kind.value,
        trustee=message.trustee,
        digest=message.digest,
        text=message.to_json(),
    )
    event_record(
        stream=contest.stream,
        kind=f"trustee.{message.kind.value}",
        payload={"trustee": message.trustee, "sha256": message.digest},
    )
    _after(contest, message, [*earlier, message])
    return message


def _keygen(message: Message) -> bool:
    return message.kind in (MessageKind.INTRODUCED, MessageKind.DEALT, MessageKind.CONFIRMED)


def _roster(contest: Contest, earlier: list[Message]) -> Roster:
    n, _ = trustee_setup(contest)
    roster = roster_of(earlier, n)
    if roster is None:
        raise SecrecyError(
            gettext("not every one of the %(n)s trustees has introduced themselves yet") % {"n": n}
        )
    return roster


def _once(earlier: list[Message], message: Message) -> None:
    if any(m.kind is message.kind and m.trustee == message.trustee for m in earlier):
        raise SecrecyError(
            gettext("trustee %(trustee)s has already sent a %(kind)s")
            % {"trustee": message.trustee, "kind": message.kind}
        )


def _introduced(contest: Contest, message: Message, earlier: list[Message]) -> None:
    n, k = trustee_setup(contest)
    if (message.body.get("trustees"), message.body.get("threshold")) != (n, k):
        raise SecrecyError(
            gettext("the rulebook names %(n)s trustees, %(k)s to decrypt") % {"n": n, "k": k}
        )
    if not 1 <= message.trustee <= n:
        raise SecrecyError(gettext("trustees are numbered 1 to %(n)s") % {"n": n})
    _once(earlier, message)
    if not message.signature_holds():
        raise SecrecyError(gettext("its signature does not hold"))


def _dealt(contest: Contest, message: Message, earlier: list[Message]) -> None:
    roster = _roster(contest, earlier)
    roster.check(message)
    _once(earlier, message)
    if not dkg.dealing_holds(roster.contest, dealing_of(message), roster.threshold):
        raise SecrecyError(gettext("its commitments or proof of knowledge do not hold"))


def _confirmed(contest: Contest, message: Message, earlier: list[Message]) -> None:
    roster = _roster(contest, earlier)
    roster.check(message)
    _once(earlier, message)
    dealt = {m.trustee: dealing_of(m) for m in earlier if m.kind is MessageKind.DEALT}
    if len(dealt) < roster.trustees:
        raise SecrecyError(gettext("not every trustee has dealt yet"))
    ordered = [dealt[i] for i in sorted(dealt)]
    if element(message.body.get("election_key"), "the election key") != dkg.election_key(ordered):
        raise SecrecyError(gettext("it confirms another election key than the dealings give"))
    vk = element(message.body.get("verification_key"), "the verification key")
    if vk != dkg.verification_key(ordered, message.trustee):
        raise SecrecyError(gettext("its verification key does not match the commitments"))


def _mixed(contest: Contest, message: Message, earlier: list[Message]) -> None:
    roster = _roster(contest, earlier)
    roster.check(message)
    for label, box in ballot_boxes(contest).items():
        chain = mix_chain(box, roster, earlier, minimum=0)
        inputs = list(chain[-1].outputs) if chain else box.ciphertexts
        if message.body.get("inputs") != ciphertexts_digest(inputs):
            continue
        done = mix_of(message)
        if any(m.mixer == done.mixer for m in chain):
            raise SecrecyError(
                gettext("trustee %(mixer)s has already mixed %(label)s")
                % {"mixer": done.mixer, "label": label}
            )
        failure = check_shuffle(box.contest, box.election_key, inputs, done)
        if failure is not None:
            raise SecrecyError(failure)
        return
    raise SecrecyError(gettext("it does not mix the last output of any ballot box"))


def _decrypted(contest: Contest, message: Message, earlier: list[Message]) -> None:
    roster = _roster(contest, earlier)
    roster.check(message)
    _, verification = keygen_outcome(roster, earlier)
    for label, box in ballot_boxes(contest).items():
        chain = mix_chain(box, roster, earlier, minimum=0)
        if not chain or message.body.get("inputs") != ciphertexts_digest(chain[-1].outputs):
            continue
        if len(chain) < MIN_MIXERS:
            raise SecrecyError(
                gettext("%(label)s has %(len_chain)s mixes; %(min_mixers)s must come first")
                % {"label": label, "len_chain": len(chain), "min_mixers": MIN_MIXERS}
            )
        last = list(chain[-1].outputs)
        shares = decryption_shares(roster, [*earlier, message], last, minimum=1)
        mine = [s for s in shares if s.trustee == message.trustee]
        if share_faults(roster.contest, mine, verification, last):
            raise SecrecyError(gettext("its Chaum–Pedersen proof does not hold"))
        return
    raise SecrecyError(gettext("it decrypts no ballot box's last mix"))


CHECKS: dict[MessageKind, Callable[[Contest, Message, list[Message]], None]] = {
    MessageKind.INTRODUCED: _introduced,
    MessageKind.DEALT: _dealt,
    MessageKind.CONFIRMED: _confirmed,
    MessageKind.MIXED: _mixed,
    MessageKind.DECRYPTED: _decrypted,
}


def _after(contest: Contest, message: Message, published: list[Message]) -> None:
    """What a message completes: the key generation, or the decryption."""
    n, k = trustee_setup(contest)
    if message.kind is MessageKind.CONFIRMED:
        confirmed = [m for m in published if m.kind is MessageKind.CONFIRMED]
        if len(confirmed) == n:
            roster = _roster(contest, published)
            key, _ = keygen_outcome(roster, published)
            ElectionKey.objects.create(contest=contest, key=key, trustees=n, threshold=k)
            event_record(
                stream=contest.stream,
                kind="election.key-made",
                payload={"election_key": b64(key), "trustees": n, "threshold": k},
            )
    if message.kind is MessageKind.DECRYPTED:
        papers_decrypt(contest=contest, published=published)


def papers_decrypt(*, contest: Contest, published: list[Message]) -> int:
    """Once every box has k shares: decrypt every ballot into a paper with no link to any
    ballot (only its published section group). Returns the papers made (0 if not yet)."""
    _, k = trustee_setup(contest)
    roster = _roster(contest, published)
    boxes = ballot_boxes(contest)
    plan = []
    for label, box in boxes.items():
        try:  # every box mixed twice and decrypted by k trustees, or not yet
            last = list(mix_chain(box, roster, published)[-1].outputs)
            shares = decryption_shares(roster, published, last)
        except SecrecyError:
            return 0
        plan.append((label, box, last, shares))
    positions = [c.position for c in ballot_candidates(contest=contest)]
    papers, spoilt = [], 0
    for label, box, last, shares in plan:
        for ranking in rankings(box, last, shares, k):
            # A ciphertext that decrypts to no ranking (only a voter's own tampered browser
            # makes one) is a paper with nothing ranked: counted as a blank, so there is
            # still one paper for every tracker on the board.
            spoilt += ranking is None
            chosen = [positions[i] for i in ranking or ()]
            papers.append(DecryptedPaper(contest=contest, section=label, ranking=chosen))
    DecryptedPaper.objects.bulk_create(papers)
    event_record(
        stream=contest.stream,
        kind="ballots.decrypted",
        payload={"papers": len(papers), "spoilt": spoilt, "boxes": sorted(boxes)},
    )
    return len(papers)
