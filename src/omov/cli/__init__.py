"""The ``omov`` command line: Typer for the commands, Rich for what a person reads.

Every command turns a domain error into one line on stderr and exit status 2; a
traceback is a bug.

Start-up stays light: this module and the command modules import only what building the
command line needs; the count core, Polars, pydantic and Django are imported inside the
commands that use them (or with the module of a lazily registered command, ``lazy``).
"""

from __future__ import annotations

import sys

# Not typing's: importing typing costs ``omov --help`` a fifth of its time (mypy reads this
# name the same way).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NoReturn

    import typer
    from rich.console import Console

    app: typer.Typer
    console: Console
    err_console: Console


def _build() -> dict[str, Any]:
    """The Typer app and the consoles, made when a command module first asks for them."""
    import typer

    from omov.cli.catalogue import ROOT_HELP
    from omov.cli.lazy import LazyRoot

    return {
        "app": typer.Typer(
            name="omov",
            help=ROOT_HELP,
            no_args_is_help=True,
            add_completion=False,
            pretty_exceptions_enable=False,
            cls=LazyRoot,
        ),
        "console": make_console(stderr=False),
        "err_console": make_console(stderr=True),
    }


def make_console(*, stderr: bool) -> Console:
    """A console as ``omov`` prints: messages are not wrapped at the terminal's width (a
    file's path or a one-line error broken across lines cannot be copied, or found by grep
    in a log; tables keep their width). No emoji codes: a candidate's or a file's name may
    hold ":cat:", and is printed as it is."""
    from rich.console import Console

    return Console(stderr=stderr, soft_wrap=True, emoji=False)


def __getattr__(name: str) -> Any:
    if name not in ("app", "console", "err_console"):
        raise AttributeError(f"module 'omov.cli' has no attribute {name!r}")
    globals().update(_build())
    return globals()[name]


DOMAIN_ERRORS: list[tuple[str, str]] = [("omov.count.errors", "CountError")]
"""(module, class) of each package's error base class, named so that registering one
imports nothing."""


def register_domain_error(module: str, name: str) -> None:
    """Packages add their error base class so ``main`` prints it as one line."""
    if (module, name) not in DOMAIN_ERRORS:
        DOMAIN_ERRORS.append((module, name))


def domain_errors() -> tuple[type[Exception], ...]:
    """The registered classes whose module is loaded: an error of a class whose module was
    never imported cannot have been raised, so nothing is imported to catch it."""
    loaded = (sys.modules.get(module) for module, _ in DOMAIN_ERRORS)
    return tuple(
        getattr(found, name)
        for found, (_, name) in zip(loaded, DOMAIN_ERRORS, strict=True)
        if found is not None
    )


def main() -> None:
    _one_blas_thread()
    if sys.argv[1:] in ([], ["--help"]):
        # The root's help alone: printed without importing Typer or Rich (catalogue.py).
        from omov.cli.catalogue import root_help

        sys.stdout.write(root_help())
        sys.exit(0 if sys.argv[1:] else 2)  # as click: no command is a usage error
    if sys.argv[1] == "count":
        _lean_count(sys.argv[2:])
    _run()


def _one_blas_thread() -> None:
    """OpenBLAS, loaded with NumPy, starts a thread a core at import, which cost a count
    of 10^6 ballots ~0.08 s of CPU (a third of the process's) for no use: omov's NumPy
    work is element-wise, and its readers already parse in threads of their own. Set
    before NumPy is first imported; a value the user set is kept."""
    import os

    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _lean_count(args: list[str]) -> None:
    """``omov count`` in its plain form, without Typer (``count_run``); returns if the
    command line is for Typer to parse.

    Python's cyclic garbage collector is off meanwhile: importing NumPy and the count's
    modules makes tens of thousands of objects, none of them garbage, and the collector
    went through them some 50 times, 6-10 ms of a count of 10^6 ballots (load 2-3). A
    count makes few reference cycles. Turned on again, the collector would go through all
    of them at the next allocation: they are moved to its oldest generation first (a
    freeze and thaw), which it goes through seldom."""
    import gc

    collecting = gc.isenabled()
    gc.disable()
    try:
        from omov.cli.count_run import lean_count

        counted = lean_count(args)
    except domain_errors() as error:
        _refuse(error)
    finally:
        if collecting:
            gc.freeze()
            gc.unfreeze()
            gc.enable()
    if counted:
        _no_collection_at_exit()
        sys.exit(0)


_freezing_at_exit = False


def _no_collection_at_exit() -> None:
    """Python collects cyclic garbage as it shuts down, going through every object it
    tracks (NumPy's and the count's: some 23,000), which cost a count 14-17 ms at its end
    (10^6 ballots or a tiny file, 14 alternated runs each, load 2.0-2.4). Once a count is
    printed, its objects are frozen at exit (``gc.freeze``, as an exit function), and the
    collections pass them over. Nothing a count leaves needs its finalizer run: its output
    is written and closed, and Python flushes standard output itself. Frozen only as the
    process ends: an in-process caller (the tests) keeps its collector as it was."""
    global _freezing_at_exit
    if not _freezing_at_exit:
        import atexit
        import gc

        atexit.register(gc.freeze)
        _freezing_at_exit = True


def _refuse(error: Exception) -> NoReturn:
    """A domain error as one line on stderr, and exit status 2."""
    from rich.markup import escape

    printer = globals().get("err_console") or make_console(stderr=True)
    # Escaped: a message may quote the file, and "[tie]" is not Rich markup.
    printer.print(f"[red]error:[/red] {escape(str(error))}", highlight=False, soft_wrap=True)
    sys.exit(2)


def _run() -> None:
    import typer

    from omov.cli import (
        app,
        commands,  # noqa: F401  (registers the commands)
    )

    try:
        # Outside standalone mode click returns a command's exit status instead of exiting.
        status = app(standalone_mode=False)
    except domain_errors() as error:
        _refuse(error)
    except typer.Abort:
        sys.exit(1)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except Exception as error:
        # Typer 0.29 raises the exceptions of the copy of click it carries, not pip click's.
        from typer._click import ClickException

        if isinstance(error, ClickException):
            error.show()
            sys.exit(error.exit_code)
        raise
    sys.exit(status if isinstance(status, int) else 0)
