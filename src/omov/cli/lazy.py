"""Commands registered by name, their module imported only when the command runs.

``omov count`` and ``omov roll`` need NumPy and Polars at import time: their options are
typed with the count core's and the electorate's enums, and their help text lists presets
read from those packages. Every other ``omov`` command, and ``omov --help``, must not pay
for that, so the root group lists a stand-in (name and one-line help) and swaps in the real
command from its module when the command line names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any

import typer
from typer import _click as click  # Typer's own copy of click, which its groups are built on
from typer.core import TyperCommand, TyperGroup
from typer.models import CommandInfo, TyperInfo


class StandIn(TyperCommand):
    """Listed in ``omov --help`` in place of a command whose module is not yet imported."""


class StandInGroup(TyperGroup):
    """Listed in ``omov --help`` in place of a sub-app whose module is not yet imported."""


@dataclass(frozen=True)
class Lazy:
    module: str
    """The module that registers the real command on ``omov.cli.app`` when imported."""
    help: str
    """The one-line help ``omov --help`` lists (the real command's own)."""
    group: bool
    """A sub-app with commands of its own rather than one command."""


LAZY: dict[str, Lazy] = {}


def _never_called() -> None:  # pragma: no cover  (a stand-in is swapped before it runs)
    raise RuntimeError("a lazily registered command ran before its module was imported")


def lazy_command(app: typer.Typer, name: str, module: str, *, help: str) -> None:
    """List ``name`` with ``help`` now; import ``module`` (which registers it) when run."""
    LAZY[name] = Lazy(module, help, group=False)
    if not _registered(app, name):  # unless the module was imported already
        app.command(name, cls=StandIn, help=help)(_never_called)


def lazy_group(app: typer.Typer, name: str, module: str, *, help: str) -> None:
    """As ``lazy_command``, for a sub-app with commands of its own."""
    LAZY[name] = Lazy(module, help, group=True)
    if not _registered(app, name):
        app.add_typer(typer.Typer(cls=StandInGroup), name=name, help=help)


Registration = CommandInfo | TyperInfo


def _registered(app: typer.Typer, name: str) -> list[tuple[list[Any], int]]:
    """Where ``name`` is registered on ``app``: (the registry list, the index in it)."""
    registries: tuple[list[Any], ...] = (app.registered_commands, app.registered_groups)
    return [(r, i) for r in registries for i, info in enumerate(r) if info.name == name]


def _is_stand_in(info: Registration) -> bool:
    if isinstance(info, CommandInfo):
        return info.cls is StandIn
    return info.typer_instance is not None and info.typer_instance.info.cls is StandInGroup


class LazyRoot(TyperGroup):
    """The root group: resolving a stand-in imports its module and returns the real command."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if name is not None and isinstance(command, StandIn | StandInGroup):
            command = self.commands[name] = real_command(name)
        return name, command, rest


def real_command(name: str) -> click.Command:
    """Import the module of ``name`` and build its click command from ``omov.cli.app``; the
    real registration takes the stand-in's place, so later builds list it where it was."""
    import_module(LAZY[name].module)
    from omov.cli import app

    places = _registered(app, name)
    real = [registry[i] for registry, i in places if not _is_stand_in(registry[i])]
    if not real:
        raise RuntimeError(f"{LAZY[name].module} did not register the command {name!r}")
    for registry, i in reversed(places):
        del registry[i]
    first_registry, first_index = places[0]
    first_registry.insert(first_index, real[-1])
    built: Any = typer.main.get_command(app)
    command: click.Command = built.commands[name]
    return command
