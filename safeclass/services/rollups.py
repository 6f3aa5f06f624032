"""Incremental campaign rollups, updated in the same transaction as the completion they count."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, cast, delete, func, literal_column, select, union_all, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from safeclass import clock
from safeclass.content.models import Assignment, Campaign
from safeclass.db.base import utcnow
from safeclass.db.models import (
    Account,
    ClassGroup,
    Learner,
    LessonAttestation,
    ModuleProgress,
    QuizAttempt,
    Site,
    SiteDayRollup,
    SiteRollup,
)

# The running totals of a SiteRollup row, in display order.
COUNTERS = (
    "learners_joined",
    "learners_started",
    "learners_completed",
    "module_completions",
    "quiz_passes",
    "lessons_attested",
    "students_attested",
    "principals_certified",
    "staff_completed",
)
# Counters also kept per Seoul day, for the campaign over time (completions per day, cumulative).
DAILY = ("learners_started", "learners_completed", "module_completions", "principals_certified", "staff_completed")


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
    unknown = set(deltas) - set(COUNTERS)
    if unknown:
        raise ValueError(f"unknown rollup counters: {sorted(unknown)}")
    if not deltas:
        return
    ensure_rollups(session, campaign_id, [site_id])
    values = {name: getattr(SiteRollup, name) + delta for name, delta in deltas.items()}
    values["last_activity_at"] = utcnow()
    session.execute(update(SiteRollup).where(SiteRollup.campaign_id == campaign_id, SiteRollup.site_id == site_id).values(**values))
    daily = {name: getattr(SiteDayRollup, name) + delta for name, delta in deltas.items() if name in DAILY}
    if daily:
        day = clock.today()
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        session.execute(insert(SiteDayRollup).values(campaign_id=campaign_id, site_id=site_id, day=day).on_conflict_do_nothing())
        where = (SiteDayRollup.campaign_id == campaign_id, SiteDayRollup.site_id == site_id, SiteDayRollup.day == day)
        session.execute(update(SiteDayRollup).where(*where).values(**daily))


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

    # Completed = every assigned module done and every assigned quiz passed (per level for students).
    for level in ("elementary", "middle", "high", "youth"):
        finished = _finished(cid, campaign.audiences.students.for_level(level), ModuleProgress.learner_id, QuizAttempt.learner_id)
        if finished is None:
            continue
        query = (
            select(learner_site.c.site_id, func.count())
            .join(finished, finished.c.who == learner_site.c.learner_id)
            .where(learner_site.c.level == level)
            .group_by(learner_site.c.site_id)
        )
        for site_id, value in session.execute(query):
            site = counts.setdefault(site_id, {})
            site["learners_completed"] = site.get("learners_completed", 0) + int(value)
    for role, assignment, name in (
        ("principal", campaign.audiences.principal, "principals_certified"),
        ("teacher", campaign.audiences.staff, "staff_completed"),
    ):
        finished = _finished(cid, assignment, ModuleProgress.account_id, QuizAttempt.account_id)
        if finished is None:
            continue
        query = (
            select(Account.site_id, func.count())
            .join(finished, finished.c.who == Account.id)
            .where(Account.role == role, Account.site_id.is_not(None))
            .group_by(Account.site_id)
        )
        add(session.execute(query), name)

    last = _rebuild_daily(session, campaign, learner_site)
    session.execute(delete(SiteRollup).where(SiteRollup.campaign_id == cid))
    site_ids = list(session.scalars(select(Site.id)))
    rows = [
        {"campaign_id": cid, "site_id": sid, "last_activity_at": last.get(sid), **{c: counts.get(sid, {}).get(c, 0) for c in COUNTERS}}
        for sid in site_ids
    ]
    for start in range(0, len(rows), 500):
        session.execute(SiteRollup.__table__.insert(), rows[start : start + 500])


def _finished(campaign_id: str, assignment: Assignment, progress_owner, attempt_owner):  # noqa: ANN001
    """Subquery of participants (``who``) with every assigned module completed and quiz passed, and when (``at``)."""
    need = len(set(assignment.modules)) + len(set(assignment.quizzes))
    if need == 0:
        return None
    items = union_all(
        select(progress_owner.label("who"), ModuleProgress.module_id.label("item"), ModuleProgress.completed_at.label("at")).where(
            ModuleProgress.campaign_id == campaign_id,
            ModuleProgress.completed_at.is_not(None),
            ModuleProgress.module_id.in_(assignment.modules),
        ),
        select(attempt_owner.label("who"), QuizAttempt.quiz_id.label("item"), QuizAttempt.submitted_at.label("at")).where(
            QuizAttempt.campaign_id == campaign_id, QuizAttempt.passed, QuizAttempt.quiz_id.in_(assignment.quizzes)
        ),
    ).subquery()
    # An item counts from its first completion or pass; the assignment is finished when its last item is.
    first = select(items.c.who, items.c.item, func.min(items.c.at).label("at")).group_by(items.c.who, items.c.item).subquery()
    return select(first.c.who, func.max(first.c.at).label("at")).group_by(first.c.who).having(func.count() == need).subquery()


def _seoul_day(session: Session, column):  # noqa: ANN001
    """SQL for the Seoul calendar day of a UTC timestamp column (the campaign's dates are Seoul dates)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("Asia/Seoul", column), Date)
    return func.date(column, literal_column("'+9 hours'"))


def _as_date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _rebuild_daily(session: Session, campaign: Campaign, learner_site) -> dict[int, dt.datetime]:  # noqa: ANN001
    """Recount the per-day rollup from the base tables; returns each site's last activity."""
    cid = campaign.id
    days: dict[tuple[int, dt.date], dict[str, int]] = {}

    def add(rows, name: str) -> None:  # noqa: ANN001
        for site_id, day, value in rows:
            if day is not None:
                cell = days.setdefault((site_id, _as_date(day)), {})
                cell[name] = cell.get(name, 0) + int(value or 0)

    first = (
        select(ModuleProgress.learner_id, func.min(ModuleProgress.started_at).label("at"))
        .where(ModuleProgress.campaign_id == cid, ModuleProgress.learner_id.is_not(None))
        .group_by(ModuleProgress.learner_id)
        .subquery()
    )
    day = _seoul_day(session, first.c.at)
    add(
        session.execute(
            select(learner_site.c.site_id, day, func.count())
            .join(first, first.c.learner_id == learner_site.c.learner_id)
            .group_by(learner_site.c.site_id, day)
        ),
        "learners_started",
    )
    day = _seoul_day(session, ModuleProgress.completed_at)
    add(
        session.execute(
            select(learner_site.c.site_id, day, func.count())
            .join(ModuleProgress, ModuleProgress.learner_id == learner_site.c.learner_id)
            .where(ModuleProgress.campaign_id == cid, ModuleProgress.completed_at.is_not(None))
            .group_by(learner_site.c.site_id, day)
        ),
        "module_completions",
    )
    for level in ("elementary", "middle", "high", "youth"):
        finished = _finished(cid, campaign.audiences.students.for_level(level), ModuleProgress.learner_id, QuizAttempt.learner_id)
        if finished is None:
            continue
        day = _seoul_day(session, finished.c.at)
        add(
            session.execute(
                select(learner_site.c.site_id, day, func.count())
                .join(finished, finished.c.who == learner_site.c.learner_id)
                .where(learner_site.c.level == level)
                .group_by(learner_site.c.site_id, day)
            ),
            "learners_completed",
        )
    for role, assignment, name in (
        ("principal", campaign.audiences.principal, "principals_certified"),
        ("teacher", campaign.audiences.staff, "staff_completed"),
    ):
        finished = _finished(cid, assignment, ModuleProgress.account_id, QuizAttempt.account_id)
        if finished is None:
            continue
        day = _seoul_day(session, finished.c.at)
        add(
            session.execute(
                select(Account.site_id, day, func.count())
                .join(finished, finished.c.who == Account.id)
                .where(Account.role == role, Account.site_id.is_not(None))
                .group_by(Account.site_id, day)
            ),
            name,
        )
    session.execute(delete(SiteDayRollup).where(SiteDayRollup.campaign_id == cid))
    rows = [{"campaign_id": cid, "site_id": sid, "day": d, **{c: v.get(c, 0) for c in DAILY}} for (sid, d), v in days.items()]
    for start in range(0, len(rows), 2000):
        session.execute(SiteDayRollup.__table__.insert(), rows[start : start + 2000])

    # Last activity: the latest start or completion of a learner or staff member, join, or attestation.
    last: dict[int, dt.datetime] = {}

    def latest(rows) -> None:  # noqa: ANN001
        for site_id, at in rows:
            if at is not None and site_id is not None:
                at = at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(str(at))
                at = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
                last[site_id] = max(last.get(site_id, at), at)

    moment = func.coalesce(ModuleProgress.completed_at, ModuleProgress.started_at)
    latest(
        session.execute(
            select(learner_site.c.site_id, func.max(moment))
            .join(ModuleProgress, ModuleProgress.learner_id == learner_site.c.learner_id)
            .where(ModuleProgress.campaign_id == cid)
            .group_by(learner_site.c.site_id)
        )
    )
    latest(
        session.execute(
            select(Account.site_id, func.max(moment))
            .join(ModuleProgress, ModuleProgress.account_id == Account.id)
            .where(ModuleProgress.campaign_id == cid)
            .group_by(Account.site_id)
        )
    )
    latest(
        session.execute(
            select(ClassGroup.site_id, func.max(LessonAttestation.created_at))
            .join(LessonAttestation)
            .where(LessonAttestation.campaign_id == cid)
            .group_by(ClassGroup.site_id)
        )
    )
    return last
