"""Example ballot files shipped with omov, for the demo and the docs."""

from pathlib import Path

EXAMPLES = Path(__file__).parent
WARD_BLT = EXAMPLES / "ward.blt"
"""A synthetic 3-seat ward: 2,400 ballots, 6 candidates."""
