"""players and throttle: quiz draws stored at attempt start, resume position, alternative activity,
first answers to inline checks, throttle events

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # An attempt is created when it starts (the server's draw is stored with it) and completed when submitted.
    with op.batch_alter_table("quiz_attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("drawn", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()))
        batch_op.alter_column("score", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("max_score", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("passed", existing_type=sa.Boolean(), nullable=True)
        batch_op.alter_column("submitted_at", existing_type=sa.DateTime(timezone=True), nullable=True)

    with op.batch_alter_table("module_progress", schema=None) as batch_op:
        batch_op.add_column(sa.Column("position", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("alternative", sa.Boolean(), nullable=False, server_default=sa.false()))

    op.create_table(
        "check_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("module_id", sa.String(length=64), nullable=False),
        sa.Column("check_id", sa.String(length=64), nullable=False),
        sa.Column("choice_index", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("(learner_id IS NULL) <> (account_id IS NULL)", name=op.f("ck_check_answer_one_participant")),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_check_answer_account_id_account"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["learner_id"], ["learner.id"], name=op.f("fk_check_answer_learner_id_learner"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_answer")),
        sa.UniqueConstraint("learner_id", "campaign_id", "module_id", "check_id", name=op.f("uq_check_answer_learner_id_campaign_id_module_id_check_id")),
        sa.UniqueConstraint("account_id", "campaign_id", "module_id", "check_id", name=op.f("uq_check_answer_account_id_campaign_id_module_id_check_id")),
    )
    with op.batch_alter_table("check_answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_check_answer_campaign_id"), ["campaign_id"], unique=False)

    op.create_table(
        "throttle_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_throttle_event")),
    )
    with op.batch_alter_table("throttle_event", schema=None) as batch_op:
        batch_op.create_index("ix_throttle_event_scope_key_at", ["scope", "key", "at"], unique=False)


def downgrade() -> None:
    op.drop_table("throttle_event")
    op.drop_table("check_answer")
    with op.batch_alter_table("module_progress", schema=None) as batch_op:
        batch_op.drop_column("alternative")
        batch_op.drop_column("position")
    with op.batch_alter_table("quiz_attempt", schema=None) as batch_op:
        batch_op.drop_column("started_at")
        batch_op.drop_column("drawn")
