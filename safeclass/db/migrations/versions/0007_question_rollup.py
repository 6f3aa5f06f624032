"""question rollup: students' answers counted per campaign, district, quiz or check, question and chosen
option, so "where students go wrong" reads O(questions × options) instead of every answer

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

The upgrade counts the answers already stored, as ``rollups.rebuild_question_rollup`` does, so a running
campaign keeps its figures; it is written against the tables as they are at this revision, not the models.
"""

import json
from collections import Counter

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "question_rollup",
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("district", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("option", sa.Text(), nullable=False),
        sa.Column("chosen", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("campaign_id", "district", "kind", "item_id", "question_id", "option", name=op.f("pk_question_rollup")),
    )
    _count_existing_answers()


def _option(answer: object) -> str:
    # The same form as rollups.option_key: compact JSON.
    return json.dumps(answer, separators=(",", ":"))


def _count_existing_answers() -> None:
    bind = op.get_bind()
    learner = sa.table("learner", sa.column("id"), sa.column("class_group_id"))
    group = sa.table("class_group", sa.column("id"), sa.column("site_id"), sa.column("campaign_id"))
    site = sa.table("site", sa.column("id"), sa.column("district"))
    check = sa.table(
        "check_answer",
        sa.column("learner_id"),
        sa.column("campaign_id"),
        sa.column("module_id"),
        sa.column("check_id"),
        sa.column("choice_index"),
    )
    attempt = sa.table(
        "quiz_attempt",
        sa.column("learner_id"),
        sa.column("campaign_id"),
        sa.column("quiz_id"),
        sa.column("answers", sa.JSON),
        sa.column("submitted_at"),
    )
    place = (
        sa.select(learner.c.id.label("learner_id"), group.c.campaign_id, site.c.district)
        .join(group, group.c.id == learner.c.class_group_id)
        .join(site, site.c.id == group.c.site_id)
        .subquery()
    )
    counts: Counter = Counter()
    grouped = (check.c.campaign_id, place.c.district, check.c.module_id, check.c.check_id, check.c.choice_index)
    for cid, district, module_id, check_id, choice, n in bind.execute(
        sa.select(*grouped, sa.func.count())
        .join(place, (place.c.learner_id == check.c.learner_id) & (place.c.campaign_id == check.c.campaign_id))
        .group_by(*grouped)
    ):
        counts[(cid, district, "check", module_id, check_id, _option(choice))] += int(n)
    for cid, district, quiz_id, answers in bind.execute(
        sa.select(attempt.c.campaign_id, place.c.district, attempt.c.quiz_id, attempt.c.answers)
        .join(place, (place.c.learner_id == attempt.c.learner_id) & (place.c.campaign_id == attempt.c.campaign_id))
        .where(attempt.c.submitted_at.is_not(None))
    ):
        if isinstance(answers, dict):
            counts.update((cid, district, "quiz", quiz_id, str(qid), _option(answer)) for qid, answer in answers.items())
    names = ("campaign_id", "district", "kind", "item_id", "question_id", "option")
    rows = [{**dict(zip(names, key, strict=True)), "chosen": n} for key, n in counts.items()]
    rollup = sa.table("question_rollup", *(sa.column(name) for name in (*names, "chosen")))
    for start in range(0, len(rows), 2000):
        bind.execute(rollup.insert(), rows[start : start + 2000])


def downgrade() -> None:
    op.drop_table("question_rollup")
