"""What the trustees have published for a contest, and the ballot boxes they mix."""

from __future__ import annotations

import uuid

from django.db.models import Count
from django.utils.translation import gettext

from omov.ledger.board import merge_small_sections
from omov.secrecy.ballot import EncryptedBallot
from omov.secrecy.group import Element
from omov.secrecy.messages import Message, MessageKind, Roster
from omov.secrecy.tally import BallotBox
from omov.web.balloting.models import Ballot
from omov.web.contests.models import Contest, ContestState
from omov.web.contests.selectors import ballot_candidates
from omov.web.errors import ContestError
from omov.web.trustees.models import DecryptedPaper, ElectionKey, TrusteeMessage

MIN_SECTION_DEFAULT = 10
TRUSTEES_DEFAULT = 3
THRESHOLD_DEFAULT = 2


def contest_binding(contest: Contest | int) -> str:
    """The contest's name in every proof and trustee message (its audit stream,
    ``contest:<id>``): a ballot's proof of knowledge made for one contest does not hold in
    another. ``contest`` may be just its id."""
    return f"contest:{contest if isinstance(contest, int) else contest.pk}"


def trustee_setup(contest: Contest) -> tuple[int, int]:
    """(n, k) as the contest's rulebook names them."""
    facts = contest.rulebook.typed
    return (
        facts.trustees or TRUSTEES_DEFAULT,
        facts.decryption_threshold or THRESHOLD_DEFAULT,
    )


def published_messages(contest: Contest) -> list[Message]:
    return [
        Message.from_json(text, source=f"trustee message {pk}")
        for pk, text in TrusteeMessage.objects.filter(contest=contest).values_list("pk", "text")
    ]


def roster_of(messages: list[Message], trustees: int) -> Roster | None:
    """The roster once every trustee has introduced themselves."""
    if len([m for m in messages if m.kind is MessageKind.INTRODUCED]) < trustees:
        return None
    return Roster.from_introductions(messages)


def election_key(contest: Contest | int) -> Element | None:
    """The key the trustees made, or None (``contest`` or its id: one query either way)."""
    contest_id = contest if isinstance(contest, int) else contest.pk
    found = ElectionKey.objects.filter(contest_id=contest_id).values_list("key", flat=True).first()
    return None if found is None else Element(bytes(found))


def section_groups(contest: Contest) -> dict[str, str]:
    """Each section -> the published group its ballots are mixed and counted in (sections
    below the rulebook's minimum merged, as everything published merges them)."""
    counts = dict(
        Ballot.objects.filter(contest=contest)
        .values_list("section")
        .annotate(n=Count("pk"))
        .values_list("section", "n")
    )
    minimum = contest.rulebook.typed.min_section or MIN_SECTION_DEFAULT
    return merge_small_sections(counts, minimum)


def ballot_boxes(contest: Contest) -> dict[str, BallotBox]:
    """One box per published section group, its ballots in tracker order."""
    key = election_key(contest)
    if key is None:
        return {}
    groups = section_groups(contest)
    candidates = len(ballot_candidates(contest=contest))
    rows: dict[str, list[EncryptedBallot]] = {}
    found = Ballot.objects.filter(contest=contest).order_by("receipt")
    for section, ciphertext in found.values_list("section", "ciphertext"):
        rows.setdefault(groups[section], []).append(EncryptedBallot.from_bytes(bytes(ciphertext)))
    binding = contest_binding(contest)
    return {
        label: BallotBox(binding, key, candidates, tuple(ballots))
        for label, ballots in sorted(rows.items())
    }


def board_rows(contest: Contest) -> list[tuple[uuid.UUID, str, list[int], str]]:
    """(paper id, section group, ranking, tracker) for the board: the decrypted papers by
    their random id beside the ballots' trackers, each list in its own sorted order. The
    mix broke every link between a tracker and a ranking, so the pairing is arbitrary, and
    the board publishes trackers apart from rankings (inclusion mode)."""
    papers = list(
        DecryptedPaper.objects.filter(contest=contest)
        .order_by("id")
        .values_list("id", "section", "ranking")
    )
    trackers = sorted(Ballot.objects.filter(contest=contest).values_list("receipt", flat=True))
    if len(papers) != len(trackers):
        raise ContestError(
            gettext("%(len_trackers)s ballots were cast but %(len_papers)s papers were decrypted")
            % {"len_trackers": len(trackers), "len_papers": len(papers)}
        )
    return [
        (pid, section, ranking, t)
        for (pid, section, ranking), t in zip(papers, trackers, strict=True)
    ]


def trustee_status(contest: Contest) -> dict[str, object]:
    """What the dashboard shows of the trustees' work, from counts only (a mix of 10^5
    ballots is tens of megabytes: nothing here parses one). The ballot boxes and the
    papers decrypted are shown only while the ballot is closed, and only then counted:
    grouping the ballots read every one of them on each page."""
    n, k = trustee_setup(contest)
    closed = contest.state == ContestState.BALLOT_CLOSED
    kinds = dict(
        TrusteeMessage.objects.filter(contest=contest)
        .values_list("kind")
        .annotate(c=Count("pk"))
        .values_list("kind", "c")
    )
    return {
        "trustees": n,
        "threshold": k,
        "sent": {kind.value.replace("-", "_"): kinds.get(kind.value, 0) for kind in MessageKind},
        "key_made": ElectionKey.objects.filter(contest=contest).exists(),
        "boxes": sorted(set(section_groups(contest).values())) if closed else [],
        "papers": DecryptedPaper.objects.filter(contest=contest).count() if closed else 0,
    }
