"""The links other apps put on a member's home page (``/members/``).

An app registers a function from the member to its links, once, from its ``AppConfig.ready``::

    from omov.web.members.home import HomeLink, home_links_register

    def meetings_links(member):
        return [HomeLink("Meetings of your branch", reverse("meetings-list"))]

    home_links_register(meetings_links)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from omov.web.members.models import Member


@dataclass(frozen=True)
class HomeLink:
    text: str
    url: str


LinkSource = Callable[[Member], Iterable[HomeLink]]
_SOURCES: list[LinkSource] = []


def home_links_register(source: LinkSource) -> LinkSource:
    """Add ``source`` to the home page (once however often it is registered)."""
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def home_links(member: Member) -> list[HomeLink]:
    return [link for source in _SOURCES for link in source(member)]
