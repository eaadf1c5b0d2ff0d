"""What a contest publishes, read from the database into ``omov.ledger``'s ``Publication``.

The same functions feed the log entries as the contest goes (eligible electors at freeze,
credentials at issue, the board's root at publication) and the bundle at the end, so the
figures in the bundle are the figures the log committed to.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Count

from omov.count import CountReport, count
from omov.count.reports import REPORT_WRITERS, render_report
from omov.ledger.board import (
    MIN_SECTION_DEFAULT,
    Board,
    CastPaper,
    TrackerMode,
    board_from_papers,
    published_sections,
)
from omov.ledger.bundle import REPORT_FILES, Publication, SectionStats
from omov.ledger.encrypted import EncryptedBallots
from omov.ledger.entries import sha256_hex
from omov.ledger.heads import SignedTreeHead
from omov.ledger.log import Log
from omov.web.balloting.models import Ballot
from omov.web.contests.models import Contest
from omov.web.contests.rulebooks import count_rules, stored_text
from omov.web.contests.selectors import ballot_candidates
from omov.web.electorate.models import Eligibility
from omov.web.trustees.selectors import (
    ballot_boxes,
    board_rows,
    published_messages,
    section_groups,
)


def rulebook_text(contest: Contest) -> str:
    """The contest's rulebook TOML as it was loaded, not as shipped today: its SHA-256 went
    into the log when the contest opened, and the bundle must carry the same bytes."""
    return stored_text(contest.rulebook.typed)


def _sections(contest: Contest) -> list[str]:
    listed = set(contest.rulebook.typed.sections)
    return sorted(listed | set(contest.electors.values_list("section", flat=True)))


def electorate_stats(contest: Contest) -> dict[str, SectionStats]:
    """Per section: on the roll, excluded by reason, credentials issued. No personal data."""
    rows = contest.electors.values_list("section", "eligibility", "reason")
    on_roll: Counter[str] = Counter()
    excluded: dict[str, Counter[str]] = {s: Counter() for s in _sections(contest)}
    for section, eligibility, reason in rows:
        on_roll[section] += 1
        if eligibility != Eligibility.ELIGIBLE:
            excluded[section][reason or eligibility] += 1
    issued = credentials_per_section(contest)
    return {s: SectionStats(on_roll[s], dict(excluded[s]), issued.get(s, 0)) for s in excluded}


def frozen_sections(contest: Contest) -> dict[str, dict[str, Any]]:
    """What the electorate-frozen entry commits to: each section's figures."""
    return {s: stats.frozen_json() for s, stats in sorted(electorate_stats(contest).items())}


def opening_facts(contest: Contest) -> dict[str, Any]:
    """What the ballot-opened entry commits to, before any ballot is cast: the candidates
    by name in ballot order, the sections, and the rulebook's tracker mode and smallest
    section published alone (``omov verify`` derives the bundle's marker from these)."""
    return {
        "title": contest.title,
        "candidates": [c.name for c in ballot_candidates(contest=contest)],
        "sections": _sections(contest),
        "min_section": min_section(contest),
        "trackers": tracker_mode(contest).value,
    }


def cast_per_section(contest: Contest) -> dict[str, int]:
    """Ballots cast per section of the electorate (the ballot-closed entry): from these and
    the smallest section published alone, anyone derives which sections are merged."""
    rows = Ballot.objects.filter(contest=contest).values("section").annotate(n=Count("pk"))
    found = {row["section"]: int(row["n"]) for row in rows}
    return {s: found.get(s, 0) for s in sorted(set(_sections(contest)) | set(found))}


def electorate_digest(contest: Contest) -> str:
    stats = electorate_stats(contest)
    return sha256_hex(repr(sorted((s, e.to_json()) for s, e in stats.items())).encode())


def credentials_per_section(contest: Contest) -> dict[str, int]:
    """Electors holding a credential (a reissued one counts once), per section."""
    holders = (
        contest.electors.filter(credentials__isnull=False)
        .values("section")
        .annotate(n=Count("pk", distinct=True))
    )
    found = {row["section"]: int(row["n"]) for row in holders}
    return {s: found.get(s, 0) for s in _sections(contest)}


def tracker_mode(contest: Contest) -> TrackerMode:
    """Always ``inclusion``: a tracker is the hash of a ciphertext, and the mix breaks every
    link between a ciphertext and its ranking, so no board can show a tracker's ranking
    (a rulebook's ``content`` mode cannot be honoured with encrypted ballots)."""
    del contest
    return TrackerMode.INCLUSION


def min_section(contest: Contest) -> int:
    return contest.rulebook.typed.min_section or MIN_SECTION_DEFAULT


def contest_board(contest: Contest) -> tuple[Board, dict[str, str]]:
    """The ballot board: the decrypted papers by random id, trackers apart; and each
    section's published group. The papers already carry their group (small sections were
    merged before the mix, which mixed each group on its own), so the mapping from the
    sections themselves is the one the ballots were grouped by."""
    candidates = ballot_candidates(contest=contest)
    index = {c.position: i for i, c in enumerate(candidates)}
    papers = [
        CastPaper(paper_id.bytes, section, [index[p] for p in ranking], receipt)
        for paper_id, section, ranking, receipt in board_rows(contest)
    ]
    board, _ = board_from_papers(
        [c.name for c in candidates],
        papers,
        mode=tracker_mode(contest),
        min_section=min_section(contest),
    )
    return board, section_groups(contest)


def board_count(contest: Contest, board: Board) -> tuple[CountReport, dict[str, str]]:
    """The count of the published board, and its rendered reports."""
    method, seats, options = count_rules(contest.rulebook.typed)
    report = count(board.ballot_set(), method=method, seats=seats, options=options)
    texts: dict[str, str] = {
        name: render_report(report, name)
        for name in ("json", "rctab-json")
        if name in REPORT_WRITERS
    }
    return report, texts


def count_facts(contest: Contest) -> dict[str, Any]:
    """What the count-run entry commits to."""
    board, _ = contest_board(contest)
    method, seats, _ = count_rules(contest.rulebook.typed)
    report, texts = board_count(contest, board)
    return {
        "method": method,
        "seats": seats,
        "elected": list(report.elected),
        "reports": {REPORT_FILES[name]: sha256_hex(t.encode()) for name, t in texts.items()},
    }


def board_facts(contest: Contest) -> dict[str, Any]:
    """What the results-published entry commits to."""
    board, _ = contest_board(contest)
    return {
        "board_root": board.root().hex(),
        "trackers_sha256": board.trackers_sha256(),
        "ballots": board.size,
    }


def publication_build(
    contest: Contest,
    log: Log,
    contest_heads: list[SignedTreeHead],
    ballot_heads: list[SignedTreeHead],
) -> Publication:
    board, mapping = contest_board(contest)
    method, seats, options = count_rules(contest.rulebook.typed)
    report, texts = board_count(contest, board)
    return Publication(
        contest_id=log.log_id,
        title=contest.title,
        rulebook_edition=contest.rulebook.key,
        rulebook_text=rulebook_text(contest),
        method=method,
        seats=seats,
        options=options,
        board=board,
        report=report,
        report_texts=texts,
        electorate=electorate_stats(contest),
        sections=published_sections(mapping),
        min_section=min_section(contest),
        contest_log=log,
        contest_heads=tuple(contest_heads),
        ballot_heads=tuple(ballot_heads),
        encrypted=encrypted_ballots(contest),
    )


def encrypted_ballots(contest: Contest) -> EncryptedBallots | None:
    """The ballot boxes the trustees mixed and every message they sent, in the log's
    order (the bundle's ``secrecy/``); None for a contest whose trustees made no key."""
    boxes = ballot_boxes(contest)
    messages = tuple(published_messages(contest))
    if not messages:
        return None
    return EncryptedBallots(boxes, messages)
