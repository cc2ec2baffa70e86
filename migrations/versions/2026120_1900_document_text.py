"""Certificate documents keep what the checks read: text, its source, OCR confidence and turn, evidence boxes

Revision ID: 2026120_1900_document_text
Revises: 2026120_1830_refund_attempts
Create Date: 2026-12-02 19:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "2026120_1900_document_text"
down_revision = "2026120_1830_refund_attempts"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("application_documents") as batch:
        batch.add_column(sa.Column("text_source", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("text_content", sa.Text(), nullable=True))
        batch.add_column(sa.Column("ocr_confidence", sa.Float(), nullable=True))
        batch.add_column(sa.Column("ocr_rotation", sa.Float(), nullable=True))
        batch.add_column(sa.Column("evidence", sa.JSON(), server_default="{}", nullable=False))


def downgrade():
    with op.batch_alter_table("application_documents") as batch:
        batch.drop_column("evidence")
        batch.drop_column("ocr_rotation")
        batch.drop_column("ocr_confidence")
        batch.drop_column("text_content")
        batch.drop_column("text_source")
