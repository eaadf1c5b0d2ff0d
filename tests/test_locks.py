"""The lock files: every pin hashed, the runtime lock free of test and benchmark tools, and
the two locks agreeing on every package they share (ADR 2)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([a-z0-9][a-z0-9._-]*)==(\S+)", re.MULTILINE)


def pins(name: str) -> dict[str, str]:
    return dict(PIN.findall((ROOT / name).read_text(encoding="utf-8")))


def test_every_pin_carries_a_hash() -> None:
    for name in ("requirements.lock", "requirements-dev.lock"):
        text = (ROOT / name).read_text(encoding="utf-8")
        blocks = re.split(r"\n(?=[a-z0-9])", text.split("\n", 2)[2])
        assert blocks
        unhashed = [b.split()[0] for b in blocks if "--hash=sha256:" not in b]
        assert unhashed == [], name


def test_the_runtime_lock_holds_no_development_tool_and_agrees_with_the_full_one() -> None:
    runtime, full = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {"django", "django-axes", "pillow", "numpy"} <= set(runtime)
    assert not {"pytest", "mypy", "playwright", "hypothesis", "votekit"} & set(runtime)
    assert {name: full.get(name) for name in runtime} == runtime
