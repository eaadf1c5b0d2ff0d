"""Shipped rulebook editions of union (TOML)."""
