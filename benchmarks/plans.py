"""`python -m benchmarks.plans`: EXPLAIN ANALYZE every benchmarked page's SQL on the scale data and
name each sequential scan that reads more than 100,000 rows of a table that big (issue 20). Exit
status 1 when there is one.

Run by `make bench` on the seeded BENCH_DATABASE_URL, where the planner sees real row counts (on
the suite's small tables a sequential scan is the right plan, so this is not a unit test).
"""

from __future__ import annotations

import json
import os
import sys

import psycopg

from benchmarks.pages import PAGES
from benchmarks.run import _conninfo

BIG = 100_000


def seq_scans(plan: dict, big: dict[str, float]) -> list[str]:
    """Tables over BIG rows that the plan (EXPLAIN ANALYZE, FORMAT JSON) read sequentially, more than
    BIG rows of them (a sequential scan under a LIMIT that stops after a page is not one)."""
    found = []
    read = (plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)) * plan.get("Actual Loops", 1)
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in big and read > BIG:
        found.append(f"{plan['Relation Name']} ({read:,.0f} rows read)")
    for child in plan.get("Plans", []):
        found += seq_scans(child, big)
    return found


def main() -> int:
    """Print each page's verdict; 1 if any page scans a big table."""
    url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/cc_bench")
    bad = 0
    with psycopg.connect(_conninfo(url), autocommit=True) as db:
        big = dict(db.execute("SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' AND reltuples > %s", (BIG,)))
        print(f"Tables over {BIG:,} rows: " + ", ".join(f"{t} ({n:,.0f})" for t, n in sorted(big.items())))
        for page in PAGES:
            params = {}
            if page.params:
                cur = db.execute(page.params)
                params = dict(zip([c.name for c in cur.description], cur.fetchone(), strict=True))
            plan = db.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + page.sql, params or None).fetchone()[0]
            plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
            scans = sorted(set(seq_scans(plan, big)))
            bad += bool(scans)
            print(
                f"  {page.name:36s} {'SEQ SCAN of ' + ', '.join(scans) if scans else 'no sequential scan of a big table'}"
            )
    print(f"{bad} of {len(PAGES)} pages scan a table over {BIG:,} rows." if bad else "No page scans a big table.")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
