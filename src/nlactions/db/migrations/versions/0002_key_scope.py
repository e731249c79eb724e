"""api_keys.all_accounts: a key reaches its own account only unless made for all of its user's accounts

Revision ID: 0002_key_scope
Revises: 0001
Create Date: 2026-12-01 20:30:00.000000

Every existing key is scoped to the account it was created in (``all_accounts`` false): before this,
a key reached every account of its user, which nobody chose on purpose.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_key_scope"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("all_accounts", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("all_accounts")
