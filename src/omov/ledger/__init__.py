"""omov.ledger (pure): see docs/architecture.md."""
