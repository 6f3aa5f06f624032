"""drills and the case guide: drill runs, decisions and participants; the guide's opened count

Revision ID: 0006
Revises: 0002 (the integrator re-chains it after 0003-0005)
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drill_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("drill_id", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("current_index", sa.Integer(), nullable=False),
        sa.Column("inject_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_drill_run_site_id_site"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["started_by_id"], ["account.id"], name=op.f("fk_drill_run_started_by_id_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drill_run")),
        sa.UniqueConstraint("code", name=op.f("uq_drill_run_code")),
    )
    with op.batch_alter_table("drill_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drill_run_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_drill_run_site_id"), ["site_id"], unique=False)

    op.create_table(
        "drill_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("inject_index", sa.Integer(), nullable=False),
        sa.Column("inject_id", sa.String(length=64), nullable=False),
        sa.Column("option_index", sa.Integer(), nullable=False),
        sa.Column("follows_guide", sa.Boolean(), nullable=False),
        sa.Column("critical", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["decided_by_id"], ["account.id"], name=op.f("fk_drill_decision_decided_by_id_account")),
        sa.ForeignKeyConstraint(["run_id"], ["drill_run.id"], name=op.f("fk_drill_decision_run_id_drill_run"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drill_decision")),
        sa.UniqueConstraint("run_id", "inject_id", name=op.f("uq_drill_decision_run_id_inject_id")),
    )

    op.create_table(
        "drill_participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_drill_participant_account_id_account"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["run_id"], ["drill_run.id"], name=op.f("fk_drill_participant_run_id_drill_run"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drill_participant")),
        sa.UniqueConstraint("run_id", "account_id", name=op.f("uq_drill_participant_run_id_account_id")),
        sa.UniqueConstraint("token", name=op.f("uq_drill_participant_token")),
    )
    with op.batch_alter_table("drill_participant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drill_participant_run_id"), ["run_id"], unique=False)

    op.create_table(
        "guide_opening",
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("opened", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_guide_opening_site_id_site"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("campaign_id", "site_id", "month", name=op.f("pk_guide_opening")),
    )


def downgrade() -> None:
    op.drop_table("guide_opening")
    op.drop_table("drill_participant")
    op.drop_table("drill_decision")
    op.drop_table("drill_run")
