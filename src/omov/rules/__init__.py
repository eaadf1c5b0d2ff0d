"""omov.rules (pure): see docs/architecture.md."""
