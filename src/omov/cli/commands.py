"""Registers every command on ``omov.cli.app``, in the order ``omov --help`` lists them
(commands, then sub-apps, each in the order registered here).

Most command modules import only Typer and Rich at module level, so importing them is
cheap. ``count`` and ``roll`` are typed with the count core's and the electorate's enums
(NumPy and Polars), so they are registered by name with their one-line help and their
module is imported only when the command line names them (``omov.cli.lazy``);
``tests/cli/test_startup.py`` checks that the help given here is the modules' own.
"""

from omov.cli import app
from omov.cli import bundle_web_cmd as bundle_web_cmd  # verify; the ledger and bundle apps
from omov.cli import ledger_cmd as ledger_cmd
from omov.cli.lazy import lazy_command, lazy_group

lazy_command(
    app,
    "count",
    "omov.cli.count_cmd",
    help="Count a ballot file round by round, as the rules prescribe.",
)
lazy_group(
    app,
    "roll",
    "omov.cli.roll_cmd",
    help="Rolls: check one, or decide who may vote with a reason for every exclusion.",
)

from omov.cli import demo_cmd, rules_cmd, trustee_cmd, web_cmd  # noqa: E402  (after count, roll)

__all__ = ["bundle_web_cmd", "demo_cmd", "ledger_cmd", "rules_cmd", "trustee_cmd", "web_cmd"]
