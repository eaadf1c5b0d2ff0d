"""Shared fixtures. ``shared_data`` is ../shared/data beside the repository: golden tests
read real elections from there, and fail (never skip) when it is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    assert SHARED_DATA.is_dir(), f"golden data not found at {SHARED_DATA}"
    return SHARED_DATA
