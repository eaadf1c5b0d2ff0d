"""omov.electorate (pure): see docs/architecture.md."""
