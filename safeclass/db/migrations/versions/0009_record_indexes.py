"""learners' record tables: the campaign_id-only indexes dropped (SQLite's planner chose them over the learner's
index and read the whole campaign for one site); scenario choices indexed by learner and account for cascades;
the per-day rollup's index covers the overview's per-day sum

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

RECORD_TABLES = ("module_progress", "quiz_attempt", "scenario_choice", "check_answer")


def upgrade() -> None:
    for table in RECORD_TABLES:
        op.drop_index(f"ix_{table}_campaign_id", table_name=table)
    op.create_index("ix_scenario_choice_learner_id", "scenario_choice", ["learner_id"])
    op.create_index("ix_scenario_choice_account_id", "scenario_choice", ["account_id"])
    op.drop_index("ix_site_day_rollup_campaign_day", table_name="site_day_rollup")
    op.create_index("ix_site_day_rollup_day_completed", "site_day_rollup", ["campaign_id", "day", "site_id", "learners_completed"])


def downgrade() -> None:
    op.drop_index("ix_site_day_rollup_day_completed", table_name="site_day_rollup")
    op.create_index("ix_site_day_rollup_campaign_day", "site_day_rollup", ["campaign_id", "day"])
    op.drop_index("ix_scenario_choice_account_id", table_name="scenario_choice")
    op.drop_index("ix_scenario_choice_learner_id", table_name="scenario_choice")
    for table in RECORD_TABLES:
        op.create_index(f"ix_{table}_campaign_id", table, ["campaign_id"])
