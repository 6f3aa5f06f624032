"""daily rollups and last activity: completions per site and day (the campaign over time), the moment of
each site's last recorded activity, and the audit log indexed by time

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("site_rollup", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        "site_day_rollup",
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("learners_started", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("learners_completed", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("module_completions", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("principals_certified", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("staff_completed", sa.Integer(), nullable=False, server_default="0"),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_site_day_rollup_site_id_site"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("campaign_id", "site_id", "day", name=op.f("pk_site_day_rollup")),
    )
    with op.batch_alter_table("site_day_rollup", schema=None) as batch_op:
        batch_op.create_index("ix_site_day_rollup_campaign_day", ["campaign_id", "day"], unique=False)

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))
    op.drop_table("site_day_rollup")
    with op.batch_alter_table("site_rollup", schema=None) as batch_op:
        batch_op.drop_column("last_activity_at")
