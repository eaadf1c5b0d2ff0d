"""Shipped rulebook editions of green (TOML)."""
