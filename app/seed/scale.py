"""`flask seed --scale N`: bulk benchmark data on PostgreSQL with set-based SQL.

N coach applications, N/10 active coaches (searchable: search fields filled, session types,
weekly hours, specializations, languages), 10N bookings and payments over a year, 10N flags
over N moderation items, and the users they need. Rows get explicit ids (current max + g) so
tables link without lookups; each table is filled in batches of INSERT ... SELECT FROM
generate_series(...), then the id sequences are moved past the new rows and VACUUM (ANALYZE) runs.
Works on an empty database and on top of the demo data (e-mails carry a per-run tag).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import click
import sqlalchemy as sa

from app.core.security import hash_password
from app.core.storage import storage
from app.extensions import db
from app.seed import catalog
from app.seed.certificates import certificate_pdf

log = logging.getLogger(__name__)

BATCH = 100_000
SCALE_PASSWORD = "scale-password-1"
SAMPLE_CERTIFICATE_KEY = "scale/sample-certificate.pdf"


def rnd(expr: str, mod: int, salt: int = 0) -> str:
    """SQL for a well-mixed pseudo-random integer in [0, mod) derived from expr (reproducible)."""
    return f"((hashint8(({expr})::bigint + {salt})::bigint & 2147483647) % {mod})::int"


@dataclass
class Plan:
    """Sizes and id bases of one scale run; ids of new rows are base + g for g in 1..count."""

    n: int
    tag: str
    coaches: int = 0
    clients: int = 0
    discussions: int = 0
    groups: int = 0
    bases: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.coaches = max(1, self.n // 10)
        self.clients = max(20, self.n // 5)
        self.discussions = max(10, self.n // 10)


def batches(total: int, size: int = BATCH) -> Iterator[tuple[int, int]]:
    """(lo, hi) inclusive ranges covering 1..total."""
    for lo in range(1, total + 1, size):
        yield lo, min(total, lo + size - 1)


INSERTED: Counter[str] = Counter()  # rows inserted per table in this process, for progress lines


def insert_select(table: str, columns: dict[str, str], source: str, params: dict) -> int:
    """INSERT INTO table (columns) SELECT expressions FROM source, in the current transaction."""
    cols = ", ".join(columns)
    exprs = ",\n       ".join(columns.values())
    result = db.session.execute(sa.text(f"INSERT INTO {table} ({cols})\nSELECT {exprs}\nFROM {source}"), params)
    INSERTED[table] += result.rowcount
    return result.rowcount


def max_id(table: str) -> int:
    """The largest id in the table (0 when empty)."""
    return db.session.scalar(sa.text(f"SELECT COALESCE(max(id), 0) FROM {table}"))


def fix_sequence(table: str) -> None:
    """Move the table's id sequence past explicitly inserted ids."""
    db.session.execute(
        sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT max(id) FROM {table}), 1))")
    )


class Progress:
    """Times each table and yields the lines the CLI prints."""

    def __init__(self) -> None:
        self.started = time.perf_counter()

    def table(self, name: str, fill) -> Iterator[str]:
        """Run fill() (one iteration per batch), commit per batch, report rows and elapsed time."""
        t0 = time.perf_counter()
        before = Counter(INSERTED)
        batch = 0
        for _ in fill():
            db.session.commit()
            batch += 1
            yield f"    {name} batch {batch}: {self._rows(before)} ({time.perf_counter() - t0:.1f} s)"
        if name in SEQUENCED:
            fix_sequence(name)
            db.session.commit()
        yield f"  {name}: {self._rows(before) or 'done'} in {time.perf_counter() - t0:.1f} s"

    @staticmethod
    def _rows(before: Counter) -> str:
        diff = INSERTED - before
        return ", ".join(f"{table} {rows:,}" for table, rows in diff.items())

    def total(self) -> str:
        """The closing line."""
        return f"Scale data done in {time.perf_counter() - self.started:.1f} s."


SEQUENCED = {
    "users",
    "coach_profiles",
    "session_types",
    "availability_rules",
    "coach_applications",
    "application_documents",
    "certificate_checks",
    "application_events",
    "bookings",
    "payments",
    "refunds",
    "reviews",
    "groups",
    "discussions",
    "replies",
    "moderation_items",
    "flags",
    "moderation_actions",
}


def seed_scale(n: int) -> Iterator[str]:
    """Insert the scale data set for N, yielding progress lines; PostgreSQL only."""
    if db.engine.dialect.name != "postgresql":
        raise click.ClickException(
            f"flask seed --scale needs PostgreSQL (generate_series, set-based inserts); "
            f"this database is {db.engine.dialect.name}. Set DATABASE_URL to a PostgreSQL database."
        )
    if n < 10:
        raise click.ClickException("--scale N needs N >= 10.")
    from app.seed import scale_activity, scale_people, scale_search
    from app.seed.demo_coaches import ensure_specializations

    plan = Plan(n=n, tag=f"r{max_id('users') + 1}")  # unique per run: ids only grow
    ensure_specializations()
    db.session.commit()
    data = certificate_pdf("Sample Applicant", "professional", "IPEC-0000000", date(2024, 5, 1))
    storage().put(SAMPLE_CERTIFICATE_KEY, data, "application/pdf")
    params = {
        "tag": plan.tag,
        "pw": hash_password(SCALE_PASSWORD),
        "first": catalog.FIRST_NAMES,
        "last": catalog.LAST_NAMES,
        "zones": [z for z, _ in catalog.ZONES],
        "zone_cur": [c for _, c in catalog.ZONES],
        "langs": catalog.LANGUAGES,
        "specs": [s for s, _ in catalog.SPECIALIZATIONS],
        "cert_key": SAMPLE_CERTIFICATE_KEY,
        "cert_size": len(data),
    }
    yield (
        f"Scale data N={n:,}: {n:,} applications, {plan.coaches:,} coaches, {plan.clients:,} clients, "
        f"{10 * n:,} bookings and payments, {10 * n:,} flags over {n:,} moderation items (tag {plan.tag})"
    )
    progress = Progress()
    for name, fill in (
        scale_people.steps(plan, params) + scale_activity.steps(plan, params) + scale_search.steps(plan, params)
    ):
        yield from progress.table(name, fill)
    yield from progress.table("vacuum analyze", lambda: _analyze())
    yield progress.total()


def _analyze() -> Iterator[int]:
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # VACUUM too: it sets the visibility map, so the index-only scans the hot pages rely on
        # (capped counts, finance totals) behave as on a database autovacuum has seen.
        conn.execute(sa.text("VACUUM (ANALYZE)"))
    yield 0
