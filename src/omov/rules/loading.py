"""Reading a rulebook: a path or a shipped id (``labour/2016``), TOML, then the schema.

All or nothing: a rulebook with any error is refused, with each error's key path.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from omov.rules.errors import RulebookError
from omov.rules.references import check_references
from omov.rules.schema import Rulebook
from omov.rules.values import DEFAULT_TIMEZONE

SHIPPED = "omov.rules.rulebooks"


def shipped_rulebooks() -> list[str]:
    """Ids of the rulebooks shipped with omov, e.g. ``['conservative/2016', ...]``."""
    root = resources.files(SHIPPED)
    found = []
    for organisation in root.iterdir():
        if organisation.is_dir() and not organisation.name.startswith("_"):
            for edition in organisation.iterdir():
                if edition.name.endswith(".toml"):
                    found.append(f"{organisation.name}/{edition.name.removesuffix('.toml')}")
    return sorted(found)


def load_rulebook(name: str | Path) -> Rulebook:
    """A rulebook from a file path or a shipped id."""
    return read_rulebook(name)[1]


def read_rulebook(name: str | Path) -> tuple[str, Rulebook]:
    """A rulebook's TOML text and the rulebook parsed from that same text (one read, so a
    caller that keeps the text keeps exactly what was parsed)."""
    label, text = _read(name)
    return text, rulebook_from_text(text, label=label)


def rulebook_from_text(text: str, *, label: str = "rulebook") -> Rulebook:
    """A rulebook from TOML text; every error names ``label``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RulebookError(f"{label}: not valid TOML: {error}") from None
    except RecursionError:  # tomllib recurses into nested arrays and inline tables
        raise RulebookError(f"{label}: not valid TOML: nested too deeply") from None
    return parse_rulebook(data, label=label)


def parse_rulebook(data: dict[str, Any], *, label: str = "rulebook") -> Rulebook:
    """Validate already-parsed TOML; every error names its key path."""
    zone = data.get("timezone", DEFAULT_TIMEZONE)
    try:
        rulebook = Rulebook.model_validate(data, context={"timezone": zone})
    except ValidationError as error:
        raise RulebookError(f"{label}: {describe_validation_error(error)}") from None
    problems = check_references(rulebook)
    if problems:
        raise RulebookError(f"{label}: {'; '.join(problems)}")
    return rulebook


def _read(name: str | Path) -> tuple[str, str]:
    path = Path(name)
    if path.is_file():
        data = path.read_bytes()
        try:
            return path.name, data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise RulebookError(
                f"{path.name}: line {line}: byte 0x{data[error.start]:02X} is not UTF-8 "
                "(TOML is UTF-8 text)"
            ) from None
    text_name = str(name)
    if text_name.count("/") == 1 and not text_name.endswith(".toml"):
        organisation, edition = text_name.split("/")
        resource = resources.files(SHIPPED).joinpath(organisation, f"{edition}.toml")
        if resource.is_file():
            return text_name, resource.read_text(encoding="utf-8")
    known = ", ".join(shipped_rulebooks())
    raise RulebookError(f"no rulebook file or shipped rulebook {text_name!r}; shipped: {known}")


def describe_validation_error(error: ValidationError) -> str:
    """One line: 'key.path: message; other.path: message'."""
    parts = []
    for item in error.errors():
        path = _key_path(item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        elif item["type"] == "missing":
            message = "missing (required)"
        elif item["type"] == "literal_error" and path == "schema_version":
            message = "this omov reads schema_version = 1"
        parts.append(f"{path}: {message}" if path else message)
    return "; ".join(parts)


def _key_path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif text:
            text += f".{part}"
        else:
            text = str(part)
    return text
