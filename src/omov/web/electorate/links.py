"""The member's home page links to their status in each contest whose roll they are on."""

from __future__ import annotations

from django.urls import reverse

from omov.web.electorate.status import member_contests
from omov.web.members.home import HomeLink
from omov.web.members.models import Member


def status_links(member: Member) -> list[HomeLink]:
    return [
        HomeLink(
            f"Your status in {elector.contest.title}",
            reverse("elector-status", args=[elector.contest_id]),
        )
        for elector in member_contests(member)
    ]
