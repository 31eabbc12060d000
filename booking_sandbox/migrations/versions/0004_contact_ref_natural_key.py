"""The contact reference is a natural key: one active registration per contact.

Revision ID: 0004
Revises: 0003
A client that lost its state and registers the same person again gets the first registration
back instead of a second household (and "delete my data" then erases the only one). A database
that already holds two registrations with one reference stops this upgrade: an operator must
decide which household is the person's.
"""

from __future__ import annotations

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registrations_contact_ref"))
        batch_op.create_index(
            batch_op.f("ix_registrations_contact_ref"), ["contact_ref"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registrations_contact_ref"))
        batch_op.create_index(
            batch_op.f("ix_registrations_contact_ref"), ["contact_ref"], unique=False
        )
