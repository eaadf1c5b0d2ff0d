"""A registry whose entries register themselves when their module is first imported.

A command-line count uses one method and writes one report, so the modules of the others
are not loaded at all (issue 20's start-up): the registry knows each name's module
(``homes``) and imports it on the name's first lookup; the module's decorator fills
``registered``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib import import_module
from typing import TypeVar

T = TypeVar("T")


class LazyRegistry(Mapping[str, T]):
    """Name -> entry, over the names of ``homes`` (name -> module of ``package``)."""

    def __init__(self, package: str, homes: Mapping[str, str]) -> None:
        self.package = package
        self.homes = homes
        self.registered: dict[str, T] = {}

    def __getitem__(self, name: str) -> T:
        if name not in self.registered and name in self.homes:
            import_module(f"{self.package}.{self.homes[name]}")
        return self.registered[name]

    def __contains__(self, name: object) -> bool:
        return name in self.homes

    def __iter__(self) -> Iterator[str]:
        return iter(self.homes)

    def __len__(self) -> int:
        return len(self.homes)
