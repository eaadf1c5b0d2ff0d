"""``omov serve`` and ``omov demo``: run the web app (the demo seeds a 2016-shaped contest)."""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import typer

from omov.cli import app, console, err_console


def _django(database_url: str | None = None) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omov.web.settings")
    import django

    django.setup()


def _checked(command: str) -> None:
    """Refuse to start, one line a problem, if Django's start-up checks find an error (the
    voting-code throttle's settings, balloting/checks.py), rather than fail mid-contest."""
    from django.core.checks import run_checks

    errors = [message for message in run_checks() if message.is_serious()]
    for error in errors:
        err_console.print(f"[red]error:[/red] omov {command}: {error.msg} ({error.id})")
    if errors:
        raise typer.Exit(2)


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _run(host: str, port: int) -> None:
    from django.core.management import call_command

    call_command("runserver", f"{host}:{port}", use_reloader=False)


def granian_serve(host: str, port: int, workers: int, threads: int) -> None:
    """Serve ``omov.web.wsgi`` with Granian: ``workers`` processes, each answering HTTP in
    Rust and running Django in ``threads`` threads. Chosen over gunicorn for casting
    throughput: its HTTP handling costs ~0.1 ms of CPU a request to gunicorn's ~0.4 ms
    (docs/web.md, "Casting performance")."""
    from granian.constants import Interfaces
    from granian.server import Server

    Server(
        "omov.web.wsgi:application",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=threads,
        log_access=False,
        # A worker that dies (killed, out of memory) is started again, and the others go on
        # answering meanwhile; without this Granian's master shuts the whole server down.
        respawn_failed_workers=True,
        respawn_interval=1.0,
    ).serve()


@app.command("serve")
def serve_command(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(2, help="Server processes (Granian); 0 = Django's dev server."),
    threads: int = typer.Option(4, help="Django threads per server process."),
) -> None:
    """Migrate the database (DATABASE_URL, SQLite under ./var by default) and serve the web app.

    Production settings: refuses to start without OMOV_SECRET_KEY and OMOV_KEY_PASSPHRASE
    (each also from a file named by OMOV_..._FILE); see README, "Deploying"."""
    from omov.web.deploy import deploy_problems

    problems = deploy_problems()
    if os.environ.get("OMOV_DEBUG") == "1":
        problems.append("unset OMOV_DEBUG: omov serve runs production settings (try omov demo)")
    for problem in problems:
        err_console.print(f"[red]error:[/red] omov serve: {problem}", highlight=False)
    if problems:
        raise typer.Exit(2)
    os.environ.setdefault("OMOV_DB_CONN_MAX_AGE", "60")
    _django()
    _checked("serve")
    _migrate()
    from django.conf import settings

    if not settings.DEBUG:
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
    if workers == 0:
        _run(host, port)
    else:
        console.print(f"omov serving on http://{host}:{port}/ ({workers} x {threads} threads)")
        granian_serve(host, port, workers, threads)


@app.command("worker")
def worker_command(
    interval: float = typer.Option(1.0, help="Seconds between looks at an empty queue."),
    tick: float = typer.Option(10.0, help="Seconds between looks at the timetable."),
) -> None:
    """Run background jobs (voting codes, reminders, the timetable) from the database's
    queue, until stopped. PostgreSQL only: on SQLite jobs run inside the web app.

    Run two (README, Deploying); more only share the same database's work."""
    _django()
    _checked("worker")
    from omov.web.jobs.worker import WorkerRefusedError, worker_run

    try:
        worker_run(interval=interval, tick=tick)
    except WorkerRefusedError as refused:
        err_console.print(f"[red]error:[/red] omov worker: {refused}", highlight=False)
        raise typer.Exit(2) from None


def demo_web(host: str, port: int, serve: bool) -> None:
    """Set up a fresh SQLite demo database, seed it, print how to use it, and serve it."""
    data = Path(os.environ.get("OMOV_DATA_DIR", Path.cwd() / "var")).resolve()
    data.mkdir(parents=True, exist_ok=True)
    database = data / "demo.sqlite3"
    database.unlink(missing_ok=True)
    # The demo alone runs with DEBUG on, under keys made for this run (its database is made
    # afresh each time, so nothing signed under an earlier run's keys survives).
    os.environ["OMOV_DEBUG"] = "1"
    for name in ("OMOV_SECRET_KEY", "OMOV_KEY_PASSPHRASE"):
        os.environ.setdefault(name, secrets.token_urlsafe(50))
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    console.print("Seeding the 2016-shaped demo contest (a few seconds)…")
    demo = _seed_in_a_child()
    url = f"http://{host}:{port}"
    console.print(
        f"\n[bold]omov demo[/bold] on {url}/  ({demo['ballots_cast']} ballots already cast)"
    )
    console.print(f"  Returning officer: {url}/officer/contest/{demo['contest_id']}/")
    console.print(
        f"    username [bold]{demo['officer']}[/bold]  password [bold]{demo['password']}[/bold]"
    )
    console.print(f"  Vote as member {demo['voter']}: {url}/vote/{demo['contest_id']}/")
    console.print(f"    voting code [bold]{demo['voting_code']}[/bold]")
    console.print(
        "  Then, as the officer: close the ballot, run the demo's trustees, count, publish."
    )
    console.print(
        "[yellow]DEBUG is on: this demo is for trying omov on this machine; "
        "serve real contests with `omov serve` (README, Deploying).[/yellow]\n"
    )
    if serve:
        # The server production runs (``omov serve``), one process on the demo's SQLite file.
        # With no worker on SQLite, that process ticks the timetable itself every 10 s
        # (``omov.web.jobs.worker.demo_ticking``): the ballot opens and closes at its minute.
        os.environ["OMOV_DEMO_TICK"] = "10"
        _django()
        granian_serve(host, port, workers=1, threads=4)


def _seed_in_a_child() -> dict[str, Any]:
    """Migrate and seed the demo database in a process of its own, and return what it
    made. The seeding reads and decides the rolls with Polars, whose thread pool starts at
    first use and does not survive a fork: seeded here, the pool would be dead in the
    worker Granian forks, and the worker's first roll import would hang, holding SQLite's
    write lock, so that every later sign-in and cast failed with "database is locked"."""
    seeded = subprocess.run(
        [sys.executable, "-c", "from omov.cli.web_cmd import demo_seed_here; demo_seed_here()"],
        stdout=subprocess.PIPE,
        check=True,
        text=True,
    )
    made: dict[str, Any] = json.loads(seeded.stdout.strip().splitlines()[-1])
    return made


def demo_seed_here() -> None:
    """Migrate and seed the demo database named by ``DATABASE_URL``; print what was made
    as one line of JSON (``_seed_in_a_child`` runs this in its own process)."""
    _django()
    _migrate()
    from django.db import transaction

    from omov.web.demo import demo_seed

    with transaction.atomic():  # one commit: SQLite syncs to disk once, not per ballot
        demo = demo_seed()
    print(json.dumps(dataclasses.asdict(demo)))
