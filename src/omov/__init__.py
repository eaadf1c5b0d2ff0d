"""omov: one member, one vote. Run an organisation's internal elections by its own rulebook."""

__version__ = "0.1.0"
