"""The ``omov`` command line: Typer for the commands, Rich for what a person reads.

Every command turns a domain error into one line on stderr and exit status 2; a
traceback is a bug.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from omov.count.errors import CountError

app = typer.Typer(
    name="omov",
    help="One member, one vote: run and check an organisation's internal elections.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

DOMAIN_ERRORS: tuple[type[Exception], ...] = (CountError,)


def register_domain_error(error: type[Exception]) -> None:
    """Packages add their error base class so ``main`` prints it as one line."""
    global DOMAIN_ERRORS
    DOMAIN_ERRORS = (*DOMAIN_ERRORS, error)


def main() -> None:
    from omov.cli import commands  # noqa: F401  (registers the commands)

    try:
        # Outside standalone mode click returns a command's exit status instead of exiting.
        status = app(standalone_mode=False)
    except DOMAIN_ERRORS as error:
        err_console.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except typer.Abort:
        sys.exit(1)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except Exception as error:
        import click

        if isinstance(error, click.ClickException):
            error.show()
            sys.exit(error.exit_code)
        raise
    sys.exit(status if isinstance(status, int) else 0)
