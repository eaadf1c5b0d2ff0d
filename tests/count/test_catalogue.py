"""The catalogue of methods and the registry of their functions are one list."""

from __future__ import annotations

import pytest

from omov.count import METHODS
from omov.count.catalogue import CATALOGUE
from omov.count.errors import MethodError
from omov.count.methods import HOMES, register


def test_every_catalogued_method_is_registered_as_listed() -> None:
    assert list(HOMES) == list(CATALOGUE)  # each method's module, where it is looked up
    assert list(METHODS) == [name for name in METHODS if name in CATALOGUE]
    assert set(METHODS) == set(CATALOGUE)
    for name, method in METHODS.items():
        assert method.info is CATALOGUE[name]
        assert method.name == name


def test_a_method_missing_from_the_catalogue_cannot_be_registered() -> None:
    with pytest.raises(MethodError, match=r"not in omov\.count\.catalogue"):
        register("borda")
