"""Cross-references a schema cannot check field by field: every body, section, office and
nomination rule a rule names must exist."""

from __future__ import annotations

from collections.abc import Iterator

from omov.rules.hustings.references import hustings_problems
from omov.rules.local.references import local_problems, undefined_names
from omov.rules.schema import BodyKind, Requirement, Rulebook


def check_references(rulebook: Rulebook) -> list[str]:
    return list(_problems(rulebook))


def _problems(book: Rulebook) -> Iterator[str]:
    bodies, sections = set(book.bodies), set(book.sections)
    for i, trigger in enumerate(book.triggers):
        yield from undefined_names(f"triggers[{i}].office", [trigger.office], book.offices)
        if trigger.nominations is not None:
            yield from undefined_names(
                f"triggers[{i}].nominations", [trigger.nominations], book.nominations
            )
    for i, motion in enumerate(book.motions):
        yield from undefined_names(f"motions[{i}].body", [motion.body], bodies)
        if motion.nominations is not None:
            yield from undefined_names(
                f"motions[{i}].nominations", [motion.nominations], book.nominations
            )
    for name, rule in book.nominations.items():
        for j, requirement in enumerate(rule.requirements):
            yield from _requirement(book, f"nominations.{name}.requirements[{j}]", requirement)
        if rule.supporting is not None:
            for j, route in enumerate(rule.supporting.routes):
                yield from _requirement(book, f"nominations.{name}.supporting.routes[{j}]", route)
    if book.candidacy is not None and book.candidacy.must_belong_to is not None:
        yield from undefined_names(
            "candidacy.must_belong_to", [book.candidacy.must_belong_to], bodies
        )
    if book.voting is not None:
        yield from undefined_names("voting.voters", book.voting.voters, sections | bodies)
        yield from undefined_names(
            "voting.reporting_sections", book.voting.reporting_sections, sections
        )
        yield from undefined_names(
            "voting.college_weights", book.voting.college_weights, sections | bodies
        )
    if book.shortlist is not None:
        yield from undefined_names("shortlist.voters", [book.shortlist.voters], bodies)
    yield from _vetting_and_dates(book)
    yield from local_problems(book)
    yield from hustings_problems(book)


def _vetting_and_dates(book: Rulebook) -> Iterator[str]:
    if book.vetting is not None:
        codes = [ground.code for ground in book.vetting.grounds]
        for code in sorted({c for c in codes if codes.count(c) > 1}):
            yield f"vetting.grounds: code {code!r} is given twice"
    if book.date_setting is not None:
        for kind in book.date_setting.dates:
            if not any(section.tested_on(kind) for section in book.sections.values()):
                yield f"date_setting.dates: no section is tested on the {kind.value}"
    if book.voting is not None and book.voting.options and book.nominations:
        yield "voting.options: a question ballot has no nominations"


def _requirement(book: Rulebook, path: str, requirement: Requirement) -> Iterator[str]:
    yield from undefined_names(f"{path}.bodies", requirement.bodies, book.bodies)
    known = [book.bodies[b] for b in requirement.bodies if b in book.bodies]
    if requirement.fraction is not None and any(body.size is None for body in known):
        yield f"{path}: a fraction of a body needs the body's size"
    if (requirement.min_of_kind or requirement.min_membership_fraction) and any(
        body.kind is not BodyKind.UNITS for body in known
    ):
        yield f"{path}: kinds and membership apply to a body of units"
