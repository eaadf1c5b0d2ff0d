"""Shipped rulebook editions of libdem (TOML)."""
