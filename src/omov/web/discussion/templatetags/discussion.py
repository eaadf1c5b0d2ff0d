"""Filters for the published moderation figures."""

from __future__ import annotations

from collections.abc import Mapping

from django import template

from omov.web.discussion.models import Post
from omov.web.discussion.rendering import post_item

register = template.Library()


@register.filter
def figure(count: int | None, least: int) -> str:
    """A published figure, or "fewer than N" for a suppressed one."""
    return f"fewer than {least}" if count is None else f"{count:,}"


@register.filter
def lookup(table: Mapping[str, int | None], key: str) -> int | None:
    return table.get(key)


@register.simple_tag(takes_context=True)
def thread_post(context: template.Context, post: Post) -> str:
    """One post of a thread page, built here rather than in the template: a page shows 200
    of them, and the template language's lookups cost more than the rest of the page."""
    return post_item(
        post,
        reader=context["member"].pk,
        page=context["page"].number,
        show_real_name=context["show_real_name"],
        show_unit=context["show_unit"],
    )
