"""``omov.cli.main``: exit statuses as a shell sees them."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys, typer
from omov.cli import app, main
from omov.count.errors import MethodError

@app.command("exit-with")
def exit_with(code: int) -> None:
    raise typer.Exit(code)

@app.command("refuse")
def refuse() -> None:
    raise MethodError("no such method")

sys.argv = ["omov", *sys.argv[1:]]
main()
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, *args], capture_output=True, text=True, check=False
    )


def test_a_command_exit_status_reaches_the_shell() -> None:
    assert run("exit-with", "3").returncode == 3
    assert run("exit-with", "0").returncode == 0


def test_a_domain_error_is_one_line_and_status_2() -> None:
    result = run("refuse")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["error: no such method"]
    assert "Traceback" not in result.stderr


def test_a_usage_error_is_a_message_and_status_2_not_a_traceback() -> None:
    for args in (["nosuch"], ["count"]):
        result = run(*args)
        assert result.returncode == 2, args
        assert "Error:" in result.stderr
        assert "Traceback" not in result.stderr


BLAS = """
import os, sys
from omov.cli import main
sys.argv = ["omov", "--help"]
try:
    main()
except SystemExit:
    pass
print(os.environ.get("OPENBLAS_NUM_THREADS"))
"""


def _blas_threads(env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-c", BLAS], capture_output=True, text=True, check=True, env=env
    )
    return result.stdout.splitlines()[-1]


def test_omov_asks_openblas_for_one_thread_unless_told_otherwise() -> None:
    """Set before NumPy loads OpenBLAS, whose thread a core cost a count a third of its
    CPU; a value the user chose is theirs."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    assert _blas_threads(env) == "1"
    assert _blas_threads({**env, "OPENBLAS_NUM_THREADS": "4"}) == "4"
