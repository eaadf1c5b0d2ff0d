"""Rulebooks shipped with omov, one folder per organisation, one TOML per edition."""
