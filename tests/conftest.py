"""Shared fixtures. ``data_dir`` is tests/data: the real elections and reference vectors the
golden tests read, copied into the repository with their sources and licences
(tests/data/README.md), so a clone needs nothing beside it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

# No per-example time limit (Hypothesis's default deadline is 200 ms) for every property
# test, as most already said one by one: on a loaded CI machine one descheduled example
# fails a test whose property holds ("DeadlineExceeded", or "Flaky" when the rerun is quick).
settings.register_profile("omov", deadline=None)
settings.load_profile("omov")

REPO = Path(__file__).resolve().parent.parent
DATA_DIR = REPO / "tests" / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA_DIR
