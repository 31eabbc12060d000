"""handoffs: urgent (the person wrote of danger: extortion, kidnapping, violence, a sick child)

Revision ID: 0003_handoff_urgent
Revises: 0002_notices
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003_handoff_urgent"
down_revision: str | None = "0002_notices"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.drop_column("urgent")
