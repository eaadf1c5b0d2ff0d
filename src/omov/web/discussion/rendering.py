"""A post as it stands in its thread, as HTML: the decision in its place if a moderator
hid it, a notice if its author erased it, else the byline (display name, section; real
name and unit where the rulebook says), the held notice its author sees, the text (already
sanitised when written), and the links to quote and to flag it."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from omov.web.discussion.models import Post, PostState


def post_item(
    post: Post, *, reader: int, page: int, show_real_name: bool, show_unit: bool
) -> SafeString:
    anchor = format_html('<li id="post-{}" class="card post">', post.number)
    if post.state == PostState.HIDDEN:
        label = post.moderation.label if post.moderation is not None else "the house rules"
        body = format_html(
            '<p class="moderated"><strong>Hidden by a moderator: {}.</strong></p>', label
        )
        return format_html("{}{}</li>", anchor, body)
    if post.state == PostState.ERASED:
        body = mark_safe('<p class="moderated">Erased at its author\'s request.</p>')
        return format_html("{}{}</li>", anchor, body)
    extra = ""
    if show_real_name and post.real_name:
        extra += f" · {post.real_name}"
    if show_unit and post.unit:
        extra += f" · {post.unit}"
    byline = format_html(
        '<p class="byline"><strong>{}</strong> · {}{} · <time datetime="{}">{}</time> · #{}</p>',
        post.shown_as,
        post.section,
        extra,
        post.created_at.isoformat(timespec="minutes"),
        f"{post.created_at:%d %b %Y %H:%M}",
        post.number,
    )
    held = ""
    if post.state == PostState.HELD:
        held = mark_safe(
            '<p class="moderated"><strong>Held for a moderator: only you can see this post '
            "until a moderator acts.</strong></p>"
        )
    actions = ""
    if post.state == PostState.PUBLISHED:
        flag = ""
        if post.author_id != reader:
            flag = format_html(
                ' · <a href="{}">Flag for a moderator</a>',
                reverse("discussion-flag", args=[post.pk]),
            )
        actions = format_html(
            '<p class="actions"><a href="?page={}&amp;quote={}#reply">Quote</a>{}</p>',
            page,
            post.pk,
            flag,
        )
    text = mark_safe(f'<div class="post-text">{post.html}</div>')  # sanitised by markup.render
    return format_html("{}{}{}{}{}</li>", anchor, byline, held, text, actions)
