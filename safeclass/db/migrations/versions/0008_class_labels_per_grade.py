"""class labels unique per grade (grade 1 and grade 2 may each have a "3반"); the unused login_attempt table dropped

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

INDEX = "uq_class_group_site_id_campaign_id_grade_label"


def upgrade() -> None:
    # Labels that differ only in case were allowed before and are one class now: the later one is renamed first.
    bind = op.get_bind()
    group = sa.table("class_group", sa.column("id"), sa.column("site_id"), sa.column("campaign_id"), sa.column("grade"), sa.column("label"))
    seen: set[tuple] = set()
    for row_id, site_id, campaign_id, grade, label in bind.execute(
        sa.select(group.c.id, group.c.site_id, group.c.campaign_id, group.c.grade, group.c.label).order_by(group.c.id)
    ).all():
        key = (site_id, campaign_id, grade or 0, label.lower())
        if key in seen:
            bind.execute(group.update().where(group.c.id == row_id).values(label=f"{label[:30]} #{row_id}"[:40]))
        seen.add(key)
    with op.batch_alter_table("class_group", schema=None) as batch_op:
        batch_op.drop_constraint("uq_class_group_site_id_campaign_id_label", type_="unique")
    op.create_index(INDEX, "class_group", ["site_id", "campaign_id", sa.text("coalesce(grade, 0)"), sa.text("lower(label)")], unique=True)
    # Sign-in failures live in throttle_event since 0002; nothing has written login_attempt since.
    op.drop_index("ix_login_attempt_username_at", table_name="login_attempt")
    op.drop_table("login_attempt")


def downgrade() -> None:
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    op.create_index("ix_login_attempt_username_at", "login_attempt", ["username", "attempted_at"], unique=False)
    op.drop_index(INDEX, table_name="class_group")
    with op.batch_alter_table("class_group", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_class_group_site_id_campaign_id_label", ["site_id", "campaign_id", "label"])
