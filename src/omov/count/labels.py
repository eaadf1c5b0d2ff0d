"""Candidates' names and contests' titles, as every file omov writes can hold them.

A name is checked when it is entered (``label_problem``), so that a bundle can always be
written: no control or format characters (newlines, tabs, bidirectional overrides that show
one name and sort as another), no unassigned code points, at most ``LONGEST`` characters.
``normalise_label`` is what is stored: NFC, with each run of white space one space (BLT
readers read runs as one, so a name with two spaces would come back another name).

BLT quotes names and has no escape for a quote inside one, so ``blt_text`` writes a ``"``
as a typographic quote (“ after a space or at the start, ” elsewhere) that every BLT reader
takes as a letter; the bundle's verifier expects exactly that form. ``label_key`` is what
two names must differ in: their BLT form, case-folded.
"""

from __future__ import annotations

import unicodedata

LONGEST = 200
ALLOWED_FORMAT = frozenset("\u200c\u200d")
"""Zero-width non-joiner and joiner: spelling in Persian and Indic scripts, not tricks."""
FORBIDDEN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def normalise_label(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def label_problem(text: str, *, longest: int = LONGEST) -> str | None:
    """What is wrong with ``text`` (as normalised) as a name or title; ``None`` if nothing."""
    if not text:
        return "it is empty"
    if len(text) > longest:
        return f"it is longer than {longest} characters"
    for char in text:
        if char not in ALLOWED_FORMAT and unicodedata.category(char) in FORBIDDEN:
            return f"it holds the invisible or control character U+{ord(char):04X}"
    return None


def blt_text(text: str) -> str:
    """``text`` as BLT holds it between its quotes (see the module); an empty text as one
    space, as OpenSTV's reader wants a character there (omov and Droop read it as empty)."""
    out: list[str] = []
    for char in " ".join(text.split()):
        if char == '"':
            out.append("\u201c" if not out or out[-1] in " ([{\u2018\u201c" else "\u201d")
        else:
            out.append(char)
    return "".join(out) or " "


def label_key(text: str) -> str:
    return blt_text(normalise_label(text)).casefold()


def first_duplicate(names: tuple[str, ...] | list[str]) -> str | None:
    """The first name given twice, exactly, if any."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            return name
        seen.add(name)
    return None
