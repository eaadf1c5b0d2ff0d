"""Nomination thresholds as numbers, with the arithmetic shown, and whether a candidate
meets them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from omov.rules.events import SupportingNomination
from omov.rules.schema import Requirement, Rounding, Rulebook
from omov.rules.values import format_percent


@dataclass(frozen=True)
class Threshold:
    required: int
    arithmetic: str


@dataclass(frozen=True)
class Assessment:
    met: bool
    detail: str


def round_share(exact: Fraction, rounding: Rounding) -> int:
    if rounding is Rounding.UP:
        return -(-exact.numerator // exact.denominator)
    if rounding is Rounding.DOWN:
        return exact.numerator // exact.denominator
    return int((exact + Fraction(1, 2)).__floor__())


def format_number(value: Fraction) -> str:
    """50.2 exactly when it is a short decimal; otherwise to two places, marked '≈'."""
    if value.denominator == 1:
        return str(value.numerator)
    for places in range(1, 7):
        scaled = value * 10**places
        if scaled.denominator == 1:
            whole = f"{scaled.numerator:0{places + 1}d}"
            return f"{whole[:-places]}.{whole[-places:]}"
    return f"≈{float(value):.2f}"


def body_size(book: Rulebook, names: Sequence[str]) -> tuple[int, str]:
    """Combined size, and how it is made up ('PLP 231 + EPLP 20')."""
    sizes = [(book.short(name), book.bodies[name].size or 0) for name in names]
    total = sum(size for _, size in sizes)
    parts = " + ".join(f"{name} {size}" for name, size in sizes)
    return total, parts


def threshold(book: Rulebook, requirement: Requirement) -> Threshold:
    """How many nominations ``requirement`` asks for, and the sum that gives it."""
    wording: list[str] = []
    required = 0
    if requirement.fraction is not None:
        size, parts = body_size(book, requirement.bodies)
        of_what = (
            f"{size} ({parts})" if len(requirement.bodies) > 1 else f"{size} {parts.split()[0]}"
        )
        if requirement.exclude_candidate:
            size -= 1
            of_what = f"{size} ({book.short(requirement.bodies[0])} {size + 1} less the candidate)"
        exact = requirement.fraction * size
        required = round_share(exact, requirement.rounding)
        sum_text = f"{format_percent(requirement.fraction)} of {of_what} = {format_number(exact)}"
        if exact != required:
            sum_text += f", rounded {requirement.rounding.value} to {required}"
        wording.append(sum_text)
    if requirement.count is not None:
        if requirement.count > required:
            wording.append(f"at least {requirement.count}")
        required = max(required, requirement.count)
    return Threshold(required, "; ".join(wording))


def assess(
    book: Rulebook,
    requirement: Requirement,
    counts: Mapping[str, int],
    units: Mapping[str, int],
) -> Assessment:
    """Does a candidate's tally of nominations meet ``requirement``?"""
    needed = threshold(book, requirement)
    have = sum(counts.get(name, 0) for name in requirement.bodies)
    who = "+".join(book.short(name) for name in requirement.bodies)
    met = have >= needed.required
    detail = f"{have} {who} nominations, {needed.required} needed ({needed.arithmetic})"
    if requirement.min_distinct_units is not None:
        spread = sum(units.get(name, 0) for name in requirement.bodies)
        met = met and spread >= requirement.min_distinct_units
        detail += f"; from {spread} units, at least {requirement.min_distinct_units} needed"
    return Assessment(met, detail)


def assess_route(
    book: Rulebook, route: Requirement, supports: Sequence[SupportingNomination]
) -> Assessment:
    """Does a candidate's set of supporting nominations satisfy one route?"""
    relevant = [s for s in supports if s.body in route.bodies]
    needed = threshold(book, route)
    have = sum(s.count for s in relevant)
    met = have >= needed.required
    details = [f"{have} of {needed.required} needed ({needed.arithmetic})"]
    for kind, least in route.min_of_kind.items():
        of_kind = sum(s.count for s in relevant if s.kind == kind)
        met = met and of_kind >= least
        details.append(f"{of_kind} of them {kind}s, at least {least} needed")
    memberships = [book.bodies[name].membership for name in route.bodies]
    if route.min_membership_fraction is not None and None in memberships:
        met = False
        details.append(
            "the membership of the body is not set in the rulebook, so this route "
            "cannot be assessed; set it for the contest"
        )
    elif route.min_membership_fraction is not None:
        total = sum(m or 0 for m in memberships)
        exact = route.min_membership_fraction * total
        least = round_share(exact, Rounding.UP)
        held = sum(s.membership for s in relevant)
        met = met and held >= least
        details.append(
            f"membership {held:,}, at least {least:,} needed "
            f"({format_percent(route.min_membership_fraction)} of {total:,})"
        )
    return Assessment(met, "; ".join(details))
