"""one head again: messaging threads, browser sessions and the search vector

Revision ID: 20261203_0900_one_head
Revises: 20261203_0820_messaging_threads, 20261203_0830_browser_sessions, 20261203_0845_search_vector
Create Date: 2026-12-03 09:00:00

"""

revision = "20261203_0900_one_head"
down_revision = ("20261203_0820_messaging_threads", "20261203_0830_browser_sessions", "20261203_0845_search_vector")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
