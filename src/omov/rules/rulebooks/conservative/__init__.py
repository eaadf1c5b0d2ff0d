"""Shipped rulebook editions of conservative (TOML)."""
