"""Full-text coach search reads the stored vector (a generated column with a GIN index) and never\nrecomputes it per row; at scale the planner reaches it through that index (see `make bench`)."""

from __future__ import annotations

import sqlalchemy as sa

from app.coaches.search import SearchParams, refresh_search_fields, search_coaches
from app.extensions import db
from tests.factories.booking import bookable_coach


def _statements_of(fn) -> list[tuple[str, object]]:
    """The SQL statements (with parameters) that fn() runs."""
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        fn()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return seen


def test_text_search_reads_the_stored_vector_which_has_its_gin_index(app):
    coach, _ = bookable_coach(headline="Leadership for new managers")
    refresh_search_fields(coach.id)
    found = []
    statements = _statements_of(lambda: found.extend(search_coaches(SearchParams(q="leadership")).coaches))
    assert [c.id for c in found] == [coach.id]
    search = next(s for s in statements if "search_vector" in s[0])
    with db.engine.connect() as conn:
        plan = "\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + search[0], search[1]))
        index = conn.scalar(
            sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_coach_profiles_search_vector'")
        )
    assert "search_vector @@" in plan and "to_tsvector" not in plan, plan  # read, never computed per row
    assert "USING gin (search_vector) WHERE is_active" in index


def test_the_vector_follows_the_text(app):
    coach, _ = bookable_coach(headline="Leadership for new managers")
    refresh_search_fields(coach.id)
    coach.headline = "Sleep and resilience"
    db.session.commit()
    refresh_search_fields(coach.id)
    assert search_coaches(SearchParams(q="leadership")).coaches == []
    assert [c.id for c in search_coaches(SearchParams(q="resilience")).coaches] == [coach.id]
