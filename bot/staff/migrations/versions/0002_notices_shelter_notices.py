"""shelter notices

Revision ID: 0002_notices
Revises: 0001
Booking results of households registered without a phone, for the shelter's inbox.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002_notices"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "shelter_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shelter_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.String(length=36), nullable=False),
        sa.Column("job_id", sa.String(length=128), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("values_json", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["shelter_id"], ["shelters.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("job_id"),
    )
    op.create_index("ix_shelter_notices_household_id", "shelter_notices", ["household_id"])
    op.create_index("ix_shelter_notices_at", "shelter_notices", ["at"])


def downgrade() -> None:
    op.drop_index("ix_shelter_notices_at", table_name="shelter_notices")
    op.drop_index("ix_shelter_notices_household_id", table_name="shelter_notices")
    op.drop_table("shelter_notices")
