"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.create_index("ix_login_attempt_username_at", ["username", "attempted_at"], unique=False)

    op.create_table(
        "site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("district", sa.String(length=40), nullable=False),
        sa.Column("site_type", sa.String(length=20), nullable=False),
        sa.Column("expected_students", sa.Integer(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site")),
        sa.UniqueConstraint("code", name=op.f("uq_site_code")),
    )
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_site_district"), ["district"], unique=False)

    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("password_hash", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("district", sa.String(length=40), nullable=True),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sessions_revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('teacher', 'principal', 'coordinator', 'admin')", name=op.f("ck_account_role")),
        sa.CheckConstraint("role NOT IN ('teacher', 'principal') OR site_id IS NOT NULL", name=op.f("ck_account_site_staff_have_site")),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_account_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("username", name=op.f("uq_account_username")),
    )
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_site_id"), ["site_id"], unique=False)

    op.create_table(
        "site_rollup",
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("learners_joined", sa.Integer(), nullable=False),
        sa.Column("learners_started", sa.Integer(), nullable=False),
        sa.Column("learners_completed", sa.Integer(), nullable=False),
        sa.Column("module_completions", sa.Integer(), nullable=False),
        sa.Column("quiz_passes", sa.Integer(), nullable=False),
        sa.Column("lessons_attested", sa.Integer(), nullable=False),
        sa.Column("students_attested", sa.Integer(), nullable=False),
        sa.Column("staff_completed", sa.Integer(), nullable=False),
        sa.Column("principals_certified", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_site_rollup_site_id_site"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("campaign_id", "site_id", name=op.f("pk_site_rollup")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["account.id"], name=op.f("fk_audit_log_actor_id_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_table(
        "class_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("join_code", sa.String(length=12), nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["account.id"], name=op.f("fk_class_group_created_by_id_account")),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_class_group_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_class_group")),
        sa.UniqueConstraint("join_code", name=op.f("uq_class_group_join_code")),
    )
    with op.batch_alter_table("class_group", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_class_group_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_class_group_site_id"), ["site_id"], unique=False)

    op.create_table(
        "learner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_group_id", sa.Integer(), nullable=False),
        sa.Column("seat_number", sa.Integer(), nullable=False),
        sa.Column("pin_hash", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_group_id"], ["class_group.id"], name=op.f("fk_learner_class_group_id_class_group"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learner")),
        sa.UniqueConstraint("class_group_id", "seat_number", name=op.f("uq_learner_class_group_id_seat_number")),
    )
    op.create_table(
        "lesson_attestation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_group_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("module_id", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("attested_by_id", sa.Integer(), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=False),
        sa.Column("students_present", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["attested_by_id"], ["account.id"], name=op.f("fk_lesson_attestation_attested_by_id_account")),
        sa.ForeignKeyConstraint(
            ["class_group_id"], ["class_group.id"], name=op.f("fk_lesson_attestation_class_group_id_class_group"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lesson_attestation")),
        sa.UniqueConstraint("class_group_id", "module_id", name=op.f("uq_lesson_attestation_class_group_id_module_id")),
    )
    with op.batch_alter_table("lesson_attestation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lesson_attestation_campaign_id"), ["campaign_id"], unique=False)

    op.create_table(
        "module_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("module_id", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("sections_done", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("(learner_id IS NULL) <> (account_id IS NULL)", name=op.f("ck_module_progress_one_participant")),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_module_progress_account_id_account"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["learner_id"], ["learner.id"], name=op.f("fk_module_progress_learner_id_learner"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_module_progress")),
        sa.UniqueConstraint("account_id", "campaign_id", "module_id", name=op.f("uq_module_progress_account_id_campaign_id_module_id")),
        sa.UniqueConstraint("learner_id", "campaign_id", "module_id", name=op.f("uq_module_progress_learner_id_campaign_id_module_id")),
    )
    with op.batch_alter_table("module_progress", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_module_progress_campaign_id"), ["campaign_id"], unique=False)

    op.create_table(
        "quiz_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_key", sa.String(length=64), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("quiz_id", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("max_score", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("(learner_id IS NULL) <> (account_id IS NULL)", name=op.f("ck_quiz_attempt_one_participant")),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_quiz_attempt_account_id_account"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["learner_id"], ["learner.id"], name=op.f("fk_quiz_attempt_learner_id_learner"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_attempt")),
        sa.UniqueConstraint("attempt_key", name=op.f("uq_quiz_attempt_attempt_key")),
    )
    with op.batch_alter_table("quiz_attempt", schema=None) as batch_op:
        batch_op.create_index("ix_quiz_attempt_account_quiz", ["account_id", "quiz_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quiz_attempt_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index("ix_quiz_attempt_learner_quiz", ["learner_id", "quiz_id"], unique=False)

    op.create_table(
        "scenario_choice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_key", sa.String(length=64), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("module_id", sa.String(length=64), nullable=False),
        sa.Column("scenario_id", sa.String(length=64), nullable=False),
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("choice_index", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("critical", sa.Boolean(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("(learner_id IS NULL) <> (account_id IS NULL)", name=op.f("ck_scenario_choice_one_participant")),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_scenario_choice_account_id_account"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["learner_id"], ["learner.id"], name=op.f("fk_scenario_choice_learner_id_learner"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenario_choice")),
        sa.UniqueConstraint("run_key", "node_id", name=op.f("uq_scenario_choice_run_key_node_id")),
    )
    with op.batch_alter_table("scenario_choice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scenario_choice_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_scenario_choice_run_key"), ["run_key"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("scenario_choice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scenario_choice_run_key"))
        batch_op.drop_index(batch_op.f("ix_scenario_choice_campaign_id"))

    op.drop_table("scenario_choice")
    with op.batch_alter_table("quiz_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_quiz_attempt_learner_quiz")
        batch_op.drop_index(batch_op.f("ix_quiz_attempt_campaign_id"))
        batch_op.drop_index("ix_quiz_attempt_account_quiz")

    op.drop_table("quiz_attempt")
    with op.batch_alter_table("module_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_module_progress_campaign_id"))

    op.drop_table("module_progress")
    with op.batch_alter_table("lesson_attestation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lesson_attestation_campaign_id"))

    op.drop_table("lesson_attestation")
    op.drop_table("learner")
    with op.batch_alter_table("class_group", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_class_group_site_id"))
        batch_op.drop_index(batch_op.f("ix_class_group_campaign_id"))

    op.drop_table("class_group")
    op.drop_table("audit_log")
    op.drop_table("site_rollup")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_site_id"))

    op.drop_table("account")
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_district"))

    op.drop_table("site")
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempt_username_at")

    op.drop_table("login_attempt")
