"""Incremental campaign rollups, updated in the same transaction as the completion they count."""

from __future__ import annotations

from sqlalchemy import delete, func, select, union_all, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from safeclass.content.models import Campaign
from safeclass.db.models import Account, ClassGroup, Learner, LessonAttestation, ModuleProgress, QuizAttempt, Site, SiteRollup

COUNTERS = frozenset(
    {
        "learners_joined",
        "learners_started",
        "learners_completed",
        "module_completions",
        "quiz_passes",
        "lessons_attested",
        "students_attested",
        "staff_completed",
        "principals_certified",
    }
)


def ensure_rollups(session: Session, campaign_id: str, site_ids: list[int]) -> None:
    """Create zeroed rollup rows for sites that have none yet."""
    if not site_ids:
        return
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    for start in range(0, len(site_ids), 500):
        rows = [{"campaign_id": campaign_id, "site_id": site_id} for site_id in site_ids[start : start + 500]]
        session.execute(insert(SiteRollup).values(rows).on_conflict_do_nothing())


def bump(session: Session, campaign_id: str, site_id: int, **deltas: int) -> None:
    """Add ``deltas`` to a site's counters with one atomic UPDATE (no read-modify-write race)."""
    unknown = set(deltas) - COUNTERS
    if unknown:
        raise ValueError(f"unknown rollup counters: {sorted(unknown)}")
    if not deltas:
        return
    ensure_rollups(session, campaign_id, [site_id])
    values = {name: getattr(SiteRollup, name) + delta for name, delta in deltas.items()}
    session.execute(update(SiteRollup).where(SiteRollup.campaign_id == campaign_id, SiteRollup.site_id == site_id).values(**values))


def rebuild_rollups(session: Session, campaign: Campaign) -> None:
    """Recount every site's rollup from the base tables: for bulk loads and as a consistency check."""
    cid = campaign.id
    counts: dict[int, dict[str, int]] = {}

    def add(rows, name: str) -> None:  # noqa: ANN001
        for site_id, value in rows:
            counts.setdefault(site_id, {})[name] = int(value or 0)

    learner_site = (
        select(Learner.id.label("learner_id"), ClassGroup.site_id, ClassGroup.level)
        .join(ClassGroup)
        .where(ClassGroup.campaign_id == cid)
        .subquery()
    )
    add(session.execute(select(learner_site.c.site_id, func.count()).group_by(learner_site.c.site_id)), "learners_joined")
    started = (
        select(ModuleProgress.learner_id)
        .where(ModuleProgress.campaign_id == cid, ModuleProgress.learner_id.is_not(None))
        .distinct()
        .subquery()
    )
    add(
        session.execute(
            select(learner_site.c.site_id, func.count())
            .join(started, started.c.learner_id == learner_site.c.learner_id)
            .group_by(learner_site.c.site_id)
        ),
        "learners_started",
    )
    done = select(ModuleProgress.learner_id).where(ModuleProgress.campaign_id == cid, ModuleProgress.completed_at.is_not(None)).subquery()
    add(
        session.execute(
            select(learner_site.c.site_id, func.count())
            .join(done, done.c.learner_id == learner_site.c.learner_id)
            .group_by(learner_site.c.site_id)
        ),
        "module_completions",
    )
    first_pass = (
        select(QuizAttempt.learner_id, QuizAttempt.quiz_id)
        .where(QuizAttempt.campaign_id == cid, QuizAttempt.passed, QuizAttempt.learner_id.is_not(None))
        .distinct()
        .subquery()
    )
    add(
        session.execute(
            select(learner_site.c.site_id, func.count())
            .join(first_pass, first_pass.c.learner_id == learner_site.c.learner_id)
            .group_by(learner_site.c.site_id)
        ),
        "quiz_passes",
    )
    add(
        session.execute(
            select(ClassGroup.site_id, func.count())
            .join(LessonAttestation)
            .where(LessonAttestation.campaign_id == cid)
            .group_by(ClassGroup.site_id)
        ),
        "lessons_attested",
    )
    add(
        session.execute(
            select(ClassGroup.site_id, func.sum(LessonAttestation.students_present))
            .join(LessonAttestation)
            .where(LessonAttestation.campaign_id == cid)
            .group_by(ClassGroup.site_id)
        ),
        "students_attested",
    )

    # Completed = every assigned module done and every assigned quiz passed, per level.
    per_level = []
    for level in ("elementary", "middle", "high", "youth"):
        assignment = campaign.audiences.students.for_level(level)
        if not assignment.modules and not assignment.quizzes:
            continue
        items = union_all(
            select(ModuleProgress.learner_id.label("lid"), ModuleProgress.module_id.label("item")).where(
                ModuleProgress.campaign_id == cid,
                ModuleProgress.completed_at.is_not(None),
                ModuleProgress.module_id.in_(assignment.modules),
            ),
            select(QuizAttempt.learner_id.label("lid"), QuizAttempt.quiz_id.label("item")).where(
                QuizAttempt.campaign_id == cid, QuizAttempt.passed, QuizAttempt.quiz_id.in_(assignment.quizzes)
            ),
        ).subquery()
        finished = (
            select(items.c.lid)
            .group_by(items.c.lid)
            .having(func.count(func.distinct(items.c.item)) == len(set(assignment.modules)) + len(set(assignment.quizzes)))
            .subquery()
        )
        per_level.append(
            select(learner_site.c.site_id, func.count())
            .join(finished, finished.c.lid == learner_site.c.learner_id)
            .where(learner_site.c.level == level)
            .group_by(learner_site.c.site_id)
        )
    for query in per_level:
        for site_id, value in session.execute(query):
            counts.setdefault(site_id, {})["learners_completed"] = counts.get(site_id, {}).get("learners_completed", 0) + int(value)

    for role, assignment, name in (
        ("principal", campaign.audiences.principal, "principals_certified"),
        ("teacher", campaign.audiences.staff, "staff_completed"),
    ):
        need = len(set(assignment.modules)) + len(set(assignment.quizzes))
        if need == 0:
            continue
        items = union_all(
            select(ModuleProgress.account_id.label("aid"), ModuleProgress.module_id.label("item")).where(
                ModuleProgress.campaign_id == cid,
                ModuleProgress.completed_at.is_not(None),
                ModuleProgress.module_id.in_(assignment.modules),
            ),
            select(QuizAttempt.account_id.label("aid"), QuizAttempt.quiz_id.label("item")).where(
                QuizAttempt.campaign_id == cid, QuizAttempt.passed, QuizAttempt.quiz_id.in_(assignment.quizzes)
            ),
        ).subquery()
        finished = select(items.c.aid).group_by(items.c.aid).having(func.count(func.distinct(items.c.item)) == need).subquery()
        add(
            session.execute(
                select(Account.site_id, func.count())
                .join(finished, finished.c.aid == Account.id)
                .where(Account.role == role, Account.site_id.is_not(None))
                .group_by(Account.site_id)
            ),
            name,
        )

    session.execute(delete(SiteRollup).where(SiteRollup.campaign_id == cid))
    site_ids = list(session.scalars(select(Site.id)))
    rows = [{"campaign_id": cid, "site_id": sid, **{c: counts.get(sid, {}).get(c, 0) for c in COUNTERS}} for sid in site_ids]
    for start in range(0, len(rows), 500):
        session.execute(SiteRollup.__table__.insert(), rows[start : start + 500])
