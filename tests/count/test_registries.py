"""The counting methods and report writers are looked up by name, each module imported
when its name is first looked up: every listed name loads, and no other name does."""

from __future__ import annotations

import pytest

from omov.count.catalogue import CATALOGUE
from omov.count.methods import METHODS
from omov.count.reports import HOMES, REPORT_WRITERS, register_report


def test_every_report_writer_listed_loads_and_no_other() -> None:
    assert list(REPORT_WRITERS) == ["csv", "json", "rctab-json"] == list(HOMES)
    for name in REPORT_WRITERS:
        assert name in REPORT_WRITERS
        assert callable(REPORT_WRITERS[name])
    assert "xml" not in REPORT_WRITERS
    assert REPORT_WRITERS.get("xml") is None
    with pytest.raises(ValueError, match="HOMES"):
        register_report("xml")


def test_every_method_listed_loads_and_no_other() -> None:
    assert len(METHODS) == len(CATALOGUE)
    assert all(METHODS[name].name == name for name in CATALOGUE)
    assert "borda" not in METHODS
    assert METHODS.get("borda") is None
