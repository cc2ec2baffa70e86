"""Benchmarks over scale data (`make bench`)."""
