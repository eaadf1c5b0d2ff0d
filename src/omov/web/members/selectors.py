"""Reading members, units and the rules in force for local democracy."""

from __future__ import annotations

from django.utils.translation import gettext

from omov.rules import Rulebook as Book
from omov.web.contests.models import Organisation, Rulebook
from omov.web.contests.rulebooks import shipped_book, shipped_keys, stored_book
from omov.web.errors import ContestError
from omov.web.members.models import Member, RulebookInForce, Unit


class NoLocalRulesError(ContestError):
    """The organisation has loaded no rulebook with rules for local democracy."""


def local_rulebooks(organisation: Organisation) -> list[Rulebook]:
    """The organisation's loaded editions that have a ``[local]`` table, newest first."""
    rows = Rulebook.objects.filter(organisation=organisation).order_by("-pk")
    return [row for row in rows if stored_book(row.typed).local is not None]


def local_editions(organisation: Organisation) -> list[tuple[str, str]]:
    """(key, title) of every edition with rules for local units the officer may put in
    force: the organisation's loaded ones, then the shipped ones not loaded yet."""
    loaded = [(row.key, row.title) for row in local_rulebooks(organisation)]
    keys = {key for key, _ in loaded}
    shipped = [
        (key, book.title)
        for key in shipped_keys()
        if key not in keys and (book := shipped_book(key)[1]).local is not None
    ]
    return loaded + shipped


def rulebook_row_in_force(organisation: Organisation) -> Rulebook:
    """The edition in force for local democracy: the one an officer chose, else the newest
    loaded one with a ``[local]`` table."""
    chosen = (
        RulebookInForce.objects.filter(organisation=organisation).select_related("rulebook").first()
    )
    if chosen is not None:
        return chosen.rulebook
    books = local_rulebooks(organisation)
    if not books:
        raise NoLocalRulesError(
            gettext("%(name)s has no rulebook with rules for local units loaded yet")
            % {"name": organisation.name}
        )
    return books[0]


def rulebook_in_force(organisation: Organisation) -> Book:
    """The rules in force for ``organisation``'s local democracy (meetings, petitions, house
    rules), parsed from the stored text through ``omov.rules``; ``NoLocalRulesError`` when
    none is loaded."""
    return stored_book(rulebook_row_in_force(organisation).typed)


def good_standing_days(organisation: Organisation) -> int:
    """How many days before a meeting a member must have joined to take part
    (``Member.in_good_standing_on``), from the rulebook in force."""
    local = rulebook_in_force(organisation).local
    meetings = local.meetings if local is not None else None
    return meetings.joined_days_before if meetings is not None else 0


def member_units(member: Member) -> list[Unit]:
    return list(member.units.select_related("parent").order_by("kind", "name"))
