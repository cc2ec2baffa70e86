"""Cross-cutting building blocks: database base, audit, security, adapters, errors."""
