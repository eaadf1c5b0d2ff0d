"""A member's post as safe HTML: plain text with a little Markdown, rendered by
markdown-it-py and then sanitised by nh3 (the Ammonia sanitiser), so nothing a member types
can run script, load from elsewhere or dress itself as the site.

Two locks, either enough on its own: markdown-it is told to pass no raw HTML through
(``html: False`` escapes it) and to make no link of an unsafe scheme, and nh3 then keeps
only the few tags and attributes a post needs, links only to http(s) and mailto, and marks
every link ``rel="nofollow noopener noreferrer"``. Images are links, never shown: an image
loads from a third party when the page is read (tracking a reader), and the site's Content
Security Policy would refuse it anyway.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

TAGS = frozenset(
    {"p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr", "del"}
)
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
SCHEMES = frozenset({"http", "https", "mailto"})
LONGEST = 20_000
"""Characters of one post: a long essay fits; a page of flood does not."""


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # CommonMark with raw HTML off; an image is written as a link to it instead.
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    return parser.disable("image")


def render(text: str) -> str:
    """``text`` (what a member typed) as HTML safe to put in a page."""
    html = _parser().render(text)
    return nh3.clean(
        html,
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(SCHEMES),
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


def quoted(author: str, text: str) -> str:
    """The Markdown a reply starts with when it quotes a post: each line of it behind "> ",
    under the author's display name."""
    lines = text.strip().splitlines() or [""]
    body = "\n".join(f"> {line}" if line else ">" for line in lines)
    return f"> **{_escaped(author)}** wrote:\n>\n{body}\n\n"


def _escaped(name: str) -> str:
    """A display name as literal text inside Markdown (no emphasis or link from its
    characters)."""
    return "".join(f"\\{c}" if c in "\\`*_{}[]()#+-.!<>|~" else c for c in name)
