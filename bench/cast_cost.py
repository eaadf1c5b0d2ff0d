"""The cost of one cast request in the server's Python, measured in one process.

    .venv/bin/python bench/cast_cost.py                  # CPU ms per cast, in-process
    .venv/bin/python bench/cast_cost.py --instructions   # the same under valgrind (slow)

``bench/cast.py`` measures casting as it is served, but on the 2-core development VM its
figures swing by up to 2x between runs minutes apart, so a change worth 10% cannot be seen
in it. This script replays the browser's cast request (the same bytes: CSRF cookie and
token, the session cookie from signing in, the encrypted ballot with its proof, or with
``--form plain`` the ranking as the form without JavaScript posts it) straight into the
WSGI application, one request after another in one thread, with PostgreSQL answering over
loopback. It reports the server-side Python's CPU time per cast (``time.process_time``; the
database's CPU is not in it), and with ``--instructions`` the number of instructions per
cast counted by valgrind's callgrind, which does not depend on how busy the machine is:
compare two versions of the code by that figure.

Callgrind counts only inside the casting loop: the loop runs under ``functools.reduce``, a
C function the rest of the program does not call, which ``--toggle-collect`` names, so set-
up (Django, seeding, signing in) is not counted. Each run seeds its own database.
"""

from __future__ import annotations

import argparse
import functools
import io
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.cast import fresh_database, production_settings, sealed_ballots, seed

Environ = dict[str, Any]


def environ(contest: int, path: str, body: bytes, cookie: str) -> Environ:
    """A WSGI environ as the server builds it for a browser's form POST."""
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path.format(contest=contest),
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8765",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8765",
        "HTTP_COOKIE": cookie,
        "HTTP_REFERER": "https://127.0.0.1:8765/",
        "HTTP_X_FORWARDED_PROTO": "https",  # as the TLS proxy in front passes it on
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def call(app: Callable[..., Iterable[bytes]], env: Environ) -> tuple[str, list[tuple[str, str]]]:
    """Run one request through ``app`` as a WSGI server does; its status and headers."""
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc: object = None) -> None:
        answer.update(status=status, headers=headers)

    body = app(env, start_response)
    b"".join(body)
    getattr(body, "close", lambda: None)()
    return answer["status"], answer["headers"]


def signed_in(
    app: Callable[..., Iterable[bytes]], contest: int, code: str, ciphertext: str
) -> Environ:
    """Sign in with ``code``; the environ of that voter's cast request, which posts
    ``ciphertext`` (the browser's encrypted ballot, hex) or, if "", the plain ranking."""
    csrf = secrets.token_hex(16)
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, "code": code}).encode()
    status, headers = call(app, environ(contest, "/vote/{contest}/", form, f"csrftoken={csrf}"))
    if not status.startswith("302"):
        raise SystemExit(f"signing in: HTTP {status}")
    cookies = [value.strip() for name, value in headers if name == "Set-Cookie"]
    session = next(c.split(";")[0] for c in cookies if c.startswith("sessionid="))
    ballot = {"ciphertext": ciphertext} if ciphertext else {"rank_1": "1", "rank_2": "2"}
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, **ballot}).encode()
    return environ(contest, "/vote/{contest}/cast/", form, f"csrftoken={csrf}; {session}")


def replay(ballots: int, warm: int, form: str) -> None:
    """Seed, sign everyone in, cast ``warm`` ballots unmeasured and the rest measured."""
    fresh_database(os.environ["DATABASE_URL"])
    contest, codes = seed(ballots + warm)
    sealed = sealed_ballots(contest, len(codes)) if form == "sealed" else [""] * len(codes)
    from django.db import connections

    from omov.web.wsgi import application

    connections.close_all()
    casts = [signed_in(application, contest, c, s) for c, s in zip(codes, sealed, strict=True)]

    def cast(done: int, env: Environ) -> int:
        status, _ = call(application, env)
        if not status.startswith("302"):
            raise SystemExit(f"casting: HTTP {status}")
        return done + 1

    for env in casts[:warm]:  # prepares the statement, fills Django's caches: not measured
        cast(0, env)
    cpu = time.process_time()
    functools.reduce(cast, casts[warm:], 0)  # what --instructions counts: see the docstring
    cpu = time.process_time() - cpu
    print(
        f"{ballots} casts ({form} form) replayed in one process: "
        f"{1000 * cpu / ballots:.3f} ms CPU per cast"
    )


def instructions(ballots: int, warm: int, form: str, database_url: str) -> None:
    """Run the replay under callgrind; instructions per measured cast."""
    if shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind (Debian: apt-get install valgrind)")
    command = [
        "valgrind",
        "--tool=callgrind",
        "--toggle-collect=functools_reduce",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--ballots",
        str(ballots),
        "--warm",
        str(warm),
        "--form",
        form,
        "--database-url",
        database_url,
    ]
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    found = re.search(r"Collected\s*:\s*([\d,]+)", run.stderr)
    if run.returncode != 0 or found is None:
        raise SystemExit(f"valgrind failed:\n{run.stderr[-2000:]}")
    per_cast = int(found.group(1).replace(",", "")) / ballots
    print(f"{per_cast / 1e6:.3f} million instructions per cast (callgrind, {ballots} casts)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/omov_bench_cost"
    )
    parser.add_argument("--ballots", type=int, help="measured casts (2000; 300 counted)")
    parser.add_argument("--warm", type=int, default=50, help="casts before measuring")
    parser.add_argument("--instructions", action="store_true", help="count with callgrind")
    parser.add_argument(
        "--form",
        choices=("sealed", "plain"),
        default="sealed",
        help="cast the browser-encrypted ballot (sealed) or the ranking (plain, no JavaScript)",
    )
    args = parser.parse_args()
    # callgrind runs ~50x slower: 300 casts take a few minutes, set-up included
    args.ballots = args.ballots or (300 if args.instructions else 2000)
    production_settings(args.database_url)
    os.environ["OMOV_DB_CONN_MAX_AGE"] = "60"  # as omov serve sets it
    if args.instructions:
        instructions(args.ballots, args.warm, args.form, args.database_url)
    else:
        replay(args.ballots, args.warm, args.form)


if __name__ == "__main__":
    main()
