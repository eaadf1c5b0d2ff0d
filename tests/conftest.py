"""Shared fixtures. ``data_dir`` is tests/data: the real elections and reference vectors the
golden tests read, copied into the repository with their sources and licences
(tests/data/README.md), so a clone needs nothing beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA_DIR = REPO / "tests" / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA_DIR
