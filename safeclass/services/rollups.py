"""Incremental campaign rollups, updated in the same transaction as the completion or answer they count."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import Counter
from typing import Any

from sqlalchemy import Date, Update, bindparam, cast, delete, func, literal_column, select, text, true, union_all, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from safeclass import clock
from safeclass.content.models import Assignment, Campaign
from safeclass.db.base import utcnow
from safeclass.db.models import (
    Account,
    CheckAnswer,
    ClassGroup,
    Learner,
    LessonAttestation,
    ModuleProgress,
    QuestionRollup,
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
    names = tuple(sorted(deltas))
    totals, daily = _bump_statements(names)
    params = {"cid": campaign_id, "sid": site_id, **{f"d_{name}": deltas[name] for name in names}}
    # Every site has its row once the roster is imported: the UPDATE alone is the usual case, and the
    # row is created only when it touched nothing (a site added since, or a test's bare database).
    if session.execute(totals, {**params, "now": utcnow()}).rowcount == 0:
        ensure_rollups(session, campaign_id, [site_id])
        session.execute(totals, {**params, "now": utcnow()})
    if daily is not None:
        params["on_day"] = clock.today()
        if session.execute(daily, params).rowcount == 0:
            insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
            session.execute(
                insert(SiteDayRollup).values(campaign_id=campaign_id, site_id=site_id, day=params["on_day"]).on_conflict_do_nothing()
            )
            session.execute(daily, params)


@functools.lru_cache(maxsize=64)
def _bump_statements(names: tuple[str, ...]) -> tuple[Update, Update | None]:
    """The UPDATEs of ``bump`` for one set of counters, built once (their compiled SQL is cached with them)."""
    total, day = SiteRollup.__table__, SiteDayRollup.__table__
    totals = (
        update(total)
        .where(total.c.campaign_id == bindparam("cid"), total.c.site_id == bindparam("sid"))
        .values(
            {
                **{name: total.c[name] + bindparam(f"d_{name}") for name in names},
                "last_activity_at": bindparam("now", type_=total.c.last_activity_at.type),
            }
        )
    )
    per_day = [name for name in names if name in DAILY]
    if not per_day:
        return totals, None
    daily = (
        update(day)
        .where(
            day.c.campaign_id == bindparam("cid"), day.c.site_id == bindparam("sid"), day.c.day == bindparam("on_day", type_=day.c.day.type)
        )
        .values({name: day.c[name] + bindparam(f"d_{name}") for name in per_day})
    )
    return totals, daily


def rebuild_rollups(session: Session, campaign: Campaign) -> None:
    """Recount every site's rollup from the base tables: for bulk loads and as a consistency check."""
    cid = campaign.id
    if session.get_bind().dialect.name == "postgresql":
        # Right after a bulk load (seed-demo inserts and recounts in one transaction) the tables have no
        # statistics and the planner picks nested loops over millions of rows. ANALYZE counts this
        # transaction's own uncommitted rows and takes no lock that blocks readers or writers.
        session.execute(text(f"ANALYZE {', '.join(_RECOUNTED)}"))
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

    rebuild_question_rollup(session, cid)
    last = _rebuild_daily(session, campaign, learner_site)
    session.execute(delete(SiteRollup).where(SiteRollup.campaign_id == cid))
    site_ids = list(session.scalars(select(Site.id)))
    rows = [
        {"campaign_id": cid, "site_id": sid, "last_activity_at": last.get(sid), **{c: counts.get(sid, {}).get(c, 0) for c in COUNTERS}}
        for sid in site_ids
    ]
    for start in range(0, len(rows), 500):
        session.execute(SiteRollup.__table__.insert(), rows[start : start + 500])


# The tables the recount reads (names from the models, never from input).
_RECOUNTED = tuple(model.__tablename__ for model in (Site, ClassGroup, Learner, Account, ModuleProgress, QuizAttempt, LessonAttestation))


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


# --- where students go wrong: answers per district, question and chosen option ---------------------------------

QuestionKey = tuple[str, str, str, str]  # kind ("quiz" or "check"), quiz or module id, question id, option


def option_key(answer: object) -> str:
    """The stored form of a chosen answer: compact JSON (``2``, ``[0,3]``, ``true``), parsed back when graded.

    Migration 0007 writes the same form when it counts existing answers; the two must agree.
    """
    return json.dumps(answer, separators=(",", ":"))


def learner_district(session: Session, campaign_id: str, learner: Learner) -> str | None:
    """The district whose figures a student's answers count in: their class's site's, if the class is in this campaign."""
    return session.scalar(_DISTRICT_OF_CLASS, {"class_id": learner.class_group_id, "cid": campaign_id})


# Built once: constructing the statement and its cache key cost more than running it (every quiz submission
# and check answer asks this).
_DISTRICT_OF_CLASS = (
    select(Site.district)
    .join(ClassGroup, ClassGroup.site_id == Site.id)
    .where(ClassGroup.id == bindparam("class_id"), ClassGroup.campaign_id == bindparam("cid"))
)


def bump_questions(session: Session, campaign_id: str, district: str, counts: Counter[QuestionKey]) -> None:
    """Add ``counts`` to a district's question rollup with one atomic upsert; rows falling to zero are dropped."""
    rows = [
        {"campaign_id": campaign_id, "district": district, "kind": k, "item_id": i, "question_id": q, "option": o, "chosen": n}
        for (k, i, q, o), n in sorted(counts.items())  # one order for every writer: concurrent upserts cannot deadlock
        if n
    ]
    if not rows:
        return
    # One statement built once and run for every row (executemany): a multi-row VALUES built per
    # call was compiled anew on every quiz submission, inside the write lock (it halved submissions per second).
    session.execute(_QUESTION_UPSERT, rows)
    if any(r["chosen"] < 0 for r in rows):
        session.execute(delete(QuestionRollup).where(QuestionRollup.campaign_id == campaign_id, QuestionRollup.chosen <= 0))


_QUESTION_KEY = ("campaign_id", "district", "kind", "item_id", "question_id", "option")
# The single-row upsert of ``bump_questions``, the same SQL on SQLite and PostgreSQL. Written as text because
# SQLAlchemy cannot cache an ``on_conflict_do_update`` statement ("no key" in its log): built with the
# dialect's ``insert()``, it was compiled anew on every quiz submission, inside the write lock.
_QUESTION_UPSERT = text(
    f"INSERT INTO question_rollup ({', '.join(_QUESTION_KEY)}, chosen) "
    f"VALUES ({', '.join(f':{column}' for column in _QUESTION_KEY)}, :chosen) "
    f"ON CONFLICT ({', '.join(_QUESTION_KEY)}) DO UPDATE SET chosen = question_rollup.chosen + excluded.chosen"
)


def count_check_answer(session: Session, campaign_id: str, learner: Learner, module_id: str, check_id: str, choice_index: int) -> None:
    """Count a student's first answer to an inline check, in the transaction that records it."""
    district = learner_district(session, campaign_id, learner)
    if district is not None:
        bump_questions(session, campaign_id, district, Counter({("check", module_id, check_id, option_key(choice_index)): 1}))


def count_quiz_answers(session: Session, campaign_id: str, learner: Learner, quiz_id: str, answers: dict[str, Any]) -> None:
    """Count a student's submitted quiz answers (question id -> answer), in the transaction that grades them."""
    count_quiz_answers_in(session, campaign_id, learner_district(session, campaign_id, learner), quiz_id, answers)


def count_quiz_answers_in(session: Session, campaign_id: str, district: str | None, quiz_id: str, answers: dict[str, Any]) -> None:
    """``count_quiz_answers`` with the student's district already read (``learner_district``, before the write)."""
    if district is not None:
        bump_questions(session, campaign_id, district, _quiz_counts(quiz_id, answers))


def uncount_learner(session: Session, campaign_id: str, learner: Learner) -> None:
    """Take a student's answers out of the question rollup (their seat is being removed)."""
    district = learner_district(session, campaign_id, learner)
    if district is None:
        return
    counts: Counter[QuestionKey] = Counter()
    for module_id, check_id, choice in session.execute(
        select(CheckAnswer.module_id, CheckAnswer.check_id, CheckAnswer.choice_index).where(
            CheckAnswer.learner_id == learner.id, CheckAnswer.campaign_id == campaign_id
        )
    ):
        counts[("check", module_id, check_id, option_key(choice))] -= 1
    for quiz_id, answers in session.execute(
        select(QuizAttempt.quiz_id, QuizAttempt.answers).where(
            QuizAttempt.learner_id == learner.id, QuizAttempt.campaign_id == campaign_id, QuizAttempt.submitted_at.is_not(None)
        )
    ):
        counts.subtract(_quiz_counts(quiz_id, answers))
    bump_questions(session, campaign_id, district, counts)


def _quiz_counts(quiz_id: str, answers: object) -> Counter[QuestionKey]:
    if not isinstance(answers, dict):
        return Counter()
    return Counter(("quiz", quiz_id, str(qid), option_key(answer)) for qid, answer in answers.items())


def rebuild_question_rollup(session: Session, campaign_id: str | None = None) -> None:
    """Recount the question rollup of one campaign (``None``: every campaign) from the students' stored answers."""

    def where_campaign(column):  # noqa: ANN001
        return column == campaign_id if campaign_id is not None else true()

    session.execute(delete(QuestionRollup).where(where_campaign(QuestionRollup.campaign_id)))
    place = (
        select(Learner.id.label("learner_id"), ClassGroup.campaign_id, Site.district)
        .join(ClassGroup, ClassGroup.id == Learner.class_group_id)
        .join(Site, Site.id == ClassGroup.site_id)
        .subquery()
    )
    counts: dict[tuple[str, str], Counter[QuestionKey]] = {}
    grouped = (CheckAnswer.campaign_id, place.c.district, CheckAnswer.module_id, CheckAnswer.check_id, CheckAnswer.choice_index)
    checks = (
        select(*grouped, func.count())
        .join(place, (place.c.learner_id == CheckAnswer.learner_id) & (place.c.campaign_id == CheckAnswer.campaign_id))
        .where(where_campaign(CheckAnswer.campaign_id))
        .group_by(*grouped)
    )
    for cid, district, module_id, check_id, choice, n in session.execute(checks):
        counts.setdefault((cid, district), Counter())[("check", module_id, check_id, option_key(choice))] += int(n)
    attempts = (
        select(QuizAttempt.campaign_id, place.c.district, QuizAttempt.quiz_id, QuizAttempt.answers)
        .join(place, (place.c.learner_id == QuizAttempt.learner_id) & (place.c.campaign_id == QuizAttempt.campaign_id))
        .where(where_campaign(QuizAttempt.campaign_id), QuizAttempt.submitted_at.is_not(None))
        .execution_options(yield_per=5000)
    )
    for cid, district, quiz_id, answers in session.execute(attempts):
        counts.setdefault((cid, district), Counter()).update(_quiz_counts(quiz_id, answers))
    rows = [
        {"campaign_id": cid, "district": district, "kind": k, "item_id": i, "question_id": q, "option": o, "chosen": n}
        for (cid, district), tally in counts.items()
        for (k, i, q, o), n in tally.items()
    ]
    for start in range(0, len(rows), 2000):
        session.execute(QuestionRollup.__table__.insert(), rows[start : start + 2000])
