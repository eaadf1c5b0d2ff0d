"""Imports every command module, so each registers its commands on ``omov.cli.app``."""

from omov.cli import bundle_web_cmd as bundle_web_cmd
from omov.cli import count_cmd, demo_cmd, roll_cmd, rules_cmd, web_cmd
from omov.cli import ledger_cmd as ledger_cmd

__all__ = ["count_cmd", "demo_cmd", "roll_cmd", "rules_cmd", "web_cmd"]
