"""Community domain."""
