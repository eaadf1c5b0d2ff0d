"""Shipped rulebook editions of snp (TOML)."""
