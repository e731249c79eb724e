"""run leases: server instances heartbeat; running logs name their instance; interrupted logs' retries

Revision ID: 0003_run_leases
Revises: 0001
Create Date: 2026-12-01 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_run_leases"
down_revision: str | None = "0002_key_scope"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "server_instances",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("server_instances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_server_instances_heartbeat_at"), ["heartbeat_at"], unique=False)

    with op.batch_alter_table("execution_logs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("instance_id", sa.String(length=26), nullable=True))
        batch_op.add_column(sa.Column("retried_by", sa.String(length=26), nullable=True))
        batch_op.create_index("ix_execution_logs_account_newest", ["account_id", "id"], unique=False)
        batch_op.create_index("ix_execution_logs_status_instance", ["status", "instance_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("execution_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_execution_logs_status_instance")
        batch_op.drop_index("ix_execution_logs_account_newest")
        batch_op.drop_column("retried_by")
        batch_op.drop_column("instance_id")

    with op.batch_alter_table("server_instances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_server_instances_heartbeat_at"))

    op.drop_table("server_instances")
