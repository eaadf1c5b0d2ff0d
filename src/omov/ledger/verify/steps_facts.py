"""What the bundle states about the contest, compared with what the log and the rulebook
give: the rulebook's digest and setup, the marker (``omov-bundle.json``) and the
electorate's figures."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping

from omov.ledger.bundle import (
    ELECTORATE,
    ENTRIES,
    MARKER,
    RULEBOOK,
    SectionStats,
    electorate_json,
    marker_of,
)
from omov.ledger.errors import BundleError
from omov.ledger.logged import LoggedFacts
from omov.ledger.verify.check import Check, Options, failed, passed
from omov.ledger.verify.compare import first_difference
from omov.ledger.verify.evidence import Evidence, json_file


def rulebook(evidence: Evidence, options: Options) -> Iterator[Check]:
    data, facts, setup = evidence.files.get(RULEBOOK), evidence.facts, evidence.setup
    if data is None or facts is None:
        return
    if hashlib.sha256(data).hexdigest() != facts.rulebook_sha256:
        yield failed("rulebook", RULEBOOK, "its SHA-256 differs from the rulebook-loaded entry")
    else:
        yield passed("rulebook", RULEBOOK, f"edition {facts.rulebook_edition}, the one logged")
    if setup is None:
        return
    logged = {"trackers": facts.trackers, "min_section": facts.min_section}
    ruled = {"trackers": setup.trackers, "min_section": setup.min_section}
    if logged != ruled:
        what = first_difference(logged, ruled)
        yield failed(
            "count setup", RULEBOOK, f"the ballot-opened entry is not the rulebook's: {what}"
        )
    else:
        yield passed(
            "count setup",
            RULEBOOK,
            f"{setup.method}, {setup.seats} seat(s), trackers {setup.trackers}, "
            f"sections under {setup.min_section} ballots merged",
        )


def marker(evidence: Evidence, options: Options) -> Iterator[Check]:
    """``omov-bundle.json`` must be exactly what the log and the rulebook give."""
    facts, setup, heads = evidence.facts, evidence.setup, evidence.heads
    if facts is None or setup is None or heads is None:
        return
    derived = marker_of(heads.log_id, facts, setup)
    difference = first_difference(dict(evidence.marker), derived)
    if difference:
        yield failed("bundle facts", MARKER, f"not what the log and rulebook give: {difference}")
    else:
        yield passed(
            "bundle facts",
            MARKER,
            f"{len(facts.candidates)} candidates, {len(derived['sections'])} published "
            "section(s), trackers and reports: all as the log and rulebook give",
        )


def electorate(evidence: Evidence, options: Options) -> Iterator[Check]:
    facts = evidence.facts
    if facts is None:
        return
    try:
        published = json_file(evidence.files, ELECTORATE)
    except BundleError as error:
        yield failed("electorate", ELECTORATE, str(error).removeprefix(f"{ELECTORATE}: "))
        return
    problems = list(electorate_problems(facts))
    stats = {
        s: SectionStats(f.on_roll, f.excluded, facts.credentials.get(s, 0))
        for s, f in facts.electorate.items()
    }
    difference = first_difference(published, electorate_json(stats))
    if difference:
        problems.insert(0, f"differs from the log's figures: {difference}")
    for problem in problems:
        yield failed("electorate", ELECTORATE, problem)
    if not problems:
        total = sum(f.eligible for f in facts.electorate.values())
        yield passed(
            "electorate",
            ELECTORATE,
            f"{total} eligible, {sum(facts.credentials.values())} credentials, "
            f"{facts.ballots} ballots: as the rolls, exclusions and log give",
        )


def electorate_problems(facts: LoggedFacts) -> Iterator[str]:
    """The invariants between the electorate's entries (``docs/bundle-format.md``)."""
    sections = set(facts.sections)
    if set(facts.electorate) != sections:
        yield "the electorate-frozen sections are not the ballot-opened sections"
    for name, figures in sorted(facts.electorate.items()):
        yield from _section_problems(
            name, figures.on_roll, figures.excluded, figures.eligible, facts
        )
    for what, counts in (("credentials-issued", facts.credentials), ("ballot-closed", facts.cast)):
        if set(counts) - sections:
            yield f"the {what} entry names a section the ballot does not have"
    if sum(facts.cast.values()) != facts.ballots:
        yield f"ballot-closed: the sections' ballots do not add up to {facts.ballots}"


def _section_problems(
    name: str, on_roll: int, excluded: Mapping[str, int], eligible: int, facts: LoggedFacts
) -> Iterator[str]:
    if facts.rolls.get(name) != on_roll:
        yield f"{name}: {on_roll} on the roll, but its roll import has {facts.rolls.get(name)} rows"
    vetted = facts.vetted.get(name, 0)
    if excluded.get("vetted", 0) != vetted:
        yield f"{name}: {excluded.get('vetted', 0)} excluded by vetting, the log decides {vetted}"
    if facts.ineligible is not None:
        decided = dict(facts.ineligible.get(name, {}))
        stated = {r: n for r, n in excluded.items() if r != "vetted" and n}
        if stated != decided:
            yield f"{name}: exclusions by reason {stated} differ from the log's decisions {decided}"
    credentials = facts.credentials.get(name, 0)
    if credentials > eligible:
        yield f"{name}: {credentials} credentials for {eligible} eligible"
    if facts.cast.get(name, 0) > credentials:
        yield f"{name}: {facts.cast.get(name, 0)} ballots for {credentials} credentials"


def candidates(evidence: Evidence, options: Options) -> Iterator[Check]:
    """The ballot's candidates are the ones nominated before it opened: those the
    nominations-closed decision put on the ballot, or (where the log has no such decision)
    each named by a nomination entry."""
    facts = evidence.facts
    if facts is None:
        return
    named = set(facts.candidates)
    if facts.on_ballot is not None and named != facts.on_ballot:
        what = ", ".join(sorted(named ^ facts.on_ballot))
        yield failed("candidates", ENTRIES, f"not those the nominations put on the ballot: {what}")
    elif facts.on_ballot is None and not named <= facts.nominated:
        what = ", ".join(sorted(named - facts.nominated))
        yield failed("candidates", ENTRIES, f"on the ballot with no nomination entry: {what}")
    else:
        yield passed(
            "candidates", ENTRIES, f"{len(named)} on the ballot, each as the nominations put them"
        )
