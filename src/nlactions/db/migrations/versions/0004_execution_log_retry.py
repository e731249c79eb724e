"""execution logs record whether an error is retryable and the wait the service asked for

Revision ID: 0004_execution_log_retry
Revises: 0003_run_leases
Create Date: 2026-12-01 20:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_execution_log_retry"
down_revision: str | None = "0003_run_leases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("execution_logs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retryable", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("retry_after_seconds", sa.Double(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("execution_logs", schema=None) as batch_op:
        batch_op.drop_column("retry_after_seconds")
        batch_op.drop_column("retryable")
