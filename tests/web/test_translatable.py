"""Every template's words for people go through translation: the text between tags, the
attributes read aloud or shown (aria-label, title, placeholder, alt) and the labels handed
to included forms. Text that is a name, not a word, is allow-listed below."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType

import omov.web

WEB = Path(omov.web.__file__).parent
TEMPLATES = sorted(
    path
    for path in WEB.rglob("*")
    if path.suffix in {".html", ".txt"} and "templates" in path.parts
)

NOT_WORDS = {"omov"}
"""Text left as it is in every language: the software's name."""

SKIPPED = {
    "blocktranslate": "endblocktranslate",
    "blocktrans": "endblocktrans",
    "comment": "endcomment",
    "verbatim": "endverbatim",
}
"""Blocks whose text is translated as a whole, or is not shown."""

NOT_SHOWN = re.compile(r"<(script|style|code)\b.*?</\1>|<!--.*?-->", re.DOTALL | re.IGNORECASE)
"""Not words for people, or words of a program (a command to type stays as it is)."""
READ_ALOUD = re.compile(r"""\b(?:aria-label|title|placeholder|alt)="([^"]*)\"""")
TAG = re.compile(r"<[^>]*>")
LABEL_LITERAL = re.compile(r"""\blabel=["']""")
LETTER = re.compile(r"[^\W\d_]")
TOKEN = "\x00"  # where a template tag or variable stood


def _flattened(source: str) -> tuple[str, list[str]]:
    """The template's text with every tag and variable as TOKEN (the skipped blocks left
    out), and the problems found in its tags."""
    parts: list[str] = []
    problems: list[str] = []
    closing = ""
    for token in Lexer(source).tokenize():
        name = token.contents.split(" ", 1)[0] if token.token_type == TokenType.BLOCK else ""
        if closing:
            closing = "" if name == closing else closing
            continue
        if token.token_type == TokenType.TEXT:
            parts.append(token.contents)
            continue
        parts.append(TOKEN)
        closing = SKIPPED.get(name, "")
        if name == "include" and LABEL_LITERAL.search(token.contents):
            problems.append(f'line {token.lineno}: a label given as text: use _("…")')
    return "".join(parts), problems


def untranslated(source: str) -> list[str]:
    """The words of ``source`` shown outside translation, and any label given as text."""
    text, problems = _flattened(source)
    text = NOT_SHOWN.sub(TOKEN, text)
    found = [value for value in READ_ALOUD.findall(text) if TOKEN not in value]
    found += TAG.sub(TOKEN, text).split(TOKEN)
    for piece in found:
        words = html.unescape(piece).strip()
        if LETTER.search(words) and re.sub(r"\W", "", words) not in NOT_WORDS:
            problems.append(" ".join(words.split()))
    return problems


def test_the_check_finds_bare_words_and_passes_translated_ones() -> None:
    assert untranslated("<p>Cast my vote</p>") == ["Cast my vote"]
    assert untranslated('<a aria-label="Officer" href="{% url \'x\' %}">·</a>') == ["Officer"]
    assert untranslated("{% if a %} (withdrawn){% endif %}") == ["(withdrawn)"]
    assert untranslated('{% include "s.html" with label="Close" %}') != []
    translated = (
        '{% load i18n %}<p title="{% translate \'Hi\' %}">{% translate "Cast" %}</p>'
        "{% blocktranslate with n=x %}{{ n }} ballots{% endblocktranslate %}"
        "<script>const a = 'words';</script><!-- a note --><b>omov</b> · omov {{ x }} 12"
        "<code>omov verify</code>"
        '{% include "s.html" with label=_("Close") step="x-y" %}'
    )
    assert untranslated(translated) == []


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(WEB)))
def test_every_template_translates_its_words(path: Path) -> None:
    assert untranslated(path.read_text()) == []
