"""certificates and classes: principals' certificates, class size and code expiry, one label per class

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _rename_duplicate_labels() -> None:
    # Classes opened twice with one label before the rule existed keep both, the later one renamed.
    bind = op.get_bind()
    group = sa.table("class_group", sa.column("id"), sa.column("site_id"), sa.column("campaign_id"), sa.column("label"))
    seen: set[tuple] = set()
    rows = bind.execute(sa.select(group.c.id, group.c.site_id, group.c.campaign_id, group.c.label).order_by(group.c.id))
    for row_id, site_id, campaign_id, label in rows.all():
        key = (site_id, campaign_id, label)
        if key in seen:
            bind.execute(group.update().where(group.c.id == row_id).values(label=f"{label[:30]} #{row_id}"[:40]))
        seen.add(key)


def upgrade() -> None:
    _rename_duplicate_labels()
    with op.batch_alter_table("class_group", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expected_size", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("expires_on", sa.Date(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_class_group_site_id_campaign_id_label"), ["site_id", "campaign_id", "label"])

    op.create_table(
        "certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("holder_name", sa.String(length=100), nullable=False),
        sa.Column("site_name", sa.String(length=200), nullable=False),
        sa.Column("site_code", sa.String(length=32), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("content_version", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_certificate_account_id_account")),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["account.id"], name=op.f("fk_certificate_revoked_by_id_account")),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_certificate_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate")),
        sa.UniqueConstraint("code", name=op.f("uq_certificate_code")),
        sa.UniqueConstraint("account_id", "campaign_id", name=op.f("uq_certificate_account_id_campaign_id")),
    )
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificate_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificate_campaign_id"), ["campaign_id"], unique=False)


def downgrade() -> None:
    op.drop_table("certificate")
    with op.batch_alter_table("class_group", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_class_group_site_id_campaign_id_label"), type_="unique")
        batch_op.drop_column("expires_on")
        batch_op.drop_column("expected_size")
