"""Shipped rulebook editions of labour (TOML)."""
