"""The first place two JSON values differ, for a one-line message."""

from __future__ import annotations

from typing import Any


def first_difference(published: Any, derived: Any, path: str = "") -> str:
    """'' if equal; else the first path where they differ and both values."""
    if isinstance(published, dict) and isinstance(derived, dict):
        for key in list(published) + [k for k in derived if k not in published]:
            if key not in derived or key not in published:
                side = "the bundle" if key in published else "what the log gives"
                return f"{path}.{key}: only in {side}".lstrip(".")
            found = first_difference(published[key], derived[key], f"{path}.{key}")
            if found:
                return found
        return ""
    if isinstance(published, list) and isinstance(derived, list):
        if len(published) != len(derived):
            return f"{path.lstrip('.')}: {len(published)} items, not {len(derived)}"
        for i, (a, b) in enumerate(zip(published, derived, strict=True)):
            found = first_difference(a, b, f"{path}[{i}]")
            if found:
                return found
        return ""
    if published != derived or type(published) is not type(derived):
        return f"{path.lstrip('.')}: {_short(published)}, not {_short(derived)}"
    return ""


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}…"
