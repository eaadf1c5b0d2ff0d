"""A post's Markdown rendered and sanitised: what a member may write survives, and nothing
that could run script, load from elsewhere or leave the site unannounced does. The same
payloads are opened in Chromium by tests/e2e/test_discussion_xss.py."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from omov.web.discussion.markup import quoted, render

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '[click](https://example.org" onmouseover="alert(1))',
    "![x](https://example.org/x.png)",
    '<iframe src="https://example.org"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<<script>script>alert(1)<</script>/script>",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "<details open ontoggle=alert(1)>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<!--<script>alert(1)</script>-->",
    '<form action="javascript:alert(1)"><button>go</button></form>',
    "[a]: javascript:alert(1)\n\n[x][a]",
]
ALLOWED = {"p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr"}


class Elements(HTMLParser):
    """The elements a browser would build from the HTML, with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_leaves_only_harmless_markup(payload):
    html = render(payload)
    for tag, attributes in elements(html):
        assert tag in ALLOWED, html
        assert set(attributes) <= {"href", "title", "rel", "start"}, html
        href = attributes.get("href")
        assert href is None or href.startswith(("http://", "https://", "mailto:")), html


def test_what_members_write_survives():
    html = render(
        "**bold** _em_ `x < y`\n\n> a quote\n\n- one\n- two\n\n[site](https://example.org)"
    )
    assert "<strong>bold</strong>" in html
    assert "<em>em</em>" in html
    assert "<code>x &lt; y</code>" in html
    assert "<blockquote>" in html
    assert "<li>one</li>" in html
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer">site</a>' in html


def test_an_image_is_a_link_never_loaded():
    html = render("![chart](https://example.org/x.png)")
    assert "<img" not in html
    assert 'href="https://example.org/x.png"' in html


def test_a_quote_carries_the_author_and_every_line_literally():
    text = quoted("Ann_B*", "first\n\nsecond [x](javascript:alert(1))")
    assert text.startswith("> **Ann\\_B\\*** wrote:")
    html = render(text + "My reply")
    assert "<strong>Ann_B*</strong> wrote:" in html
    assert html.count("<blockquote>") == 1
    assert [tag for tag, _ in elements(html)].count("a") == 0
    assert html.rstrip().endswith("<p>My reply</p>")
