"""Rows of the page-weight and slow-network tables, printed at the end of the run (tests/conftest.py)."""

from __future__ import annotations

WEIGHT_ROWS: list[str] = []  # "page  JS+CSS KB  total KB  budget"
SLOW_NETWORK_ROWS: list[str] = []  # "page  largest contentful paint ms"
