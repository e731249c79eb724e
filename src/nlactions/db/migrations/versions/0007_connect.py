"""OAuth connect flow: registered app clients, connect states, token expiry and refresh health on authentications

Revision ID: 0007_connect
Revises: 0006_user_passwords
Create Date: 2026-12-01 23:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_connect"
down_revision: str | None = "0006_user_passwords"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("authentications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("token_version", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("refresh_claimed_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_refreshed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_failure", sa.String(500), nullable=True))
    op.create_table(
        "connect_clients",
        sa.Column("app", sa.String(100), primary_key=True),
        sa.Column("client_id", sa.String(500), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=True),
        sa.Column("user_scopes", sa.JSON(), nullable=True),
        sa.Column("authorize_url", sa.String(2000), nullable=True),
        sa.Column("token_url", sa.String(2000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "connect_states",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("state_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("account_id", ID, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", ID, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("app", sa.String(100), nullable=False),
        sa.Column(
            "authentication_id",
            ID,
            sa.ForeignKey("authentications.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_connect_states_account_id", "connect_states", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_connect_states_account_id", table_name="connect_states")
    op.drop_table("connect_states")
    op.drop_table("connect_clients")
    with op.batch_alter_table("authentications", schema=None) as batch_op:
        for name in (
            "last_failure",
            "last_failure_at",
            "last_refreshed_at",
            "refresh_claimed_until",
            "token_version",
            "token_expires_at",
        ):
            batch_op.drop_column(name)
