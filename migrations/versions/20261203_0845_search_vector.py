"""Coach search: a stored tsvector (generated from search_text) with its own GIN index

Revision ID: 20261203_0845_search_vector
Revises: 2026120_1910_coach_photo_payout
Create Date: 2026-12-03 08:45:00

PostgreSQL only (SQLite searches with LIKE): ranking read the vector computed again for every
matching row; a generated column keeps it computed once per write of search_text.
"""

from alembic import op

revision = "20261203_0845_search_vector"
down_revision = "2026120_1910_coach_photo_payout"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "ALTER TABLE coach_profiles ADD COLUMN search_vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED"
    )
    op.execute(
        "CREATE INDEX ix_coach_profiles_search_vector ON coach_profiles USING gin (search_vector) WHERE is_active"
    )
    op.execute("DROP INDEX IF EXISTS ix_coach_profiles_search")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE INDEX ix_coach_profiles_search ON coach_profiles "
        "USING gin (to_tsvector('simple', search_text)) WHERE is_active"
    )
    op.execute("DROP INDEX IF EXISTS ix_coach_profiles_search_vector")
    op.execute("ALTER TABLE coach_profiles DROP COLUMN search_vector")
