"""A principal's or teacher's own site by grade and class: what each class has done, small counts hidden.

Every query is bounded by the site's own classes (joined through ``class_group.site_id``), so the cost is
the site's seats, never the campaign's million learners.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from safeclass import permissions, privacy
from safeclass.content.catalog import Catalog
from safeclass.content.models import Campaign
from safeclass.db.models import Account, ClassGroup, Learner, LessonAttestation, ModuleProgress, QuizAttempt, Site, SiteRollup
from safeclass.services import measures

CLASS_COUNTS = ("learners_joined", "quiz_passed", "alternatives_chosen", "students_attested")


@dataclass(frozen=True)
class SiteReport:
    """The site's classes (suppressed), the modules shown as columns, and the site against its district."""

    classes: privacy.Suppressed
    modules: tuple[str, ...]  # module ids whose completion counts are columns ``module:<id>``
    site_completion: float | None  # None when hidden (fewer than k students completed)
    district_completion: float
    lessons_attested: int


@dataclass(frozen=True)
class ClassReport:
    """A teacher's own classes with their progress (suppressed like the site's table)."""

    classes: privacy.Suppressed
    modules: tuple[str, ...]
    lessons_attested: int


def site_report(session: Session, viewer: Account, campaign: Campaign, catalog: Catalog) -> SiteReport:
    """Per class: joined, completed each module, passed the final quiz (rate), alternatives chosen, attested."""
    permissions.require_site_staff(viewer, viewer.site_id, "site_report")
    table, modules, attested = _class_table(session, _classes(session, campaign, ClassGroup.site_id == viewer.site_id), campaign, catalog)
    own, district = _site_and_district_completion(session, viewer.site_id, campaign)
    return SiteReport(classes=table, modules=modules, site_completion=own, district_completion=district, lessons_attested=attested)


def my_classes(session: Session, viewer: Account, campaign: Campaign, catalog: Catalog) -> ClassReport:
    """The classes the viewer opened at their own site, each with the same progress columns as *My site*."""
    permissions.require_site_staff(viewer, viewer.site_id, "my_classes")
    mine = _classes(session, campaign, ClassGroup.site_id == viewer.site_id, ClassGroup.created_by_id == viewer.id)
    table, modules, attested = _class_table(session, mine, campaign, catalog)
    return ClassReport(classes=table, modules=modules, lessons_attested=attested)


def _classes(session: Session, campaign: Campaign, *where) -> list[ClassGroup]:  # noqa: ANN002
    return list(
        session.scalars(
            select(ClassGroup)
            .where(ClassGroup.campaign_id == campaign.id, *where)
            .order_by(ClassGroup.grade.is_(None), ClassGroup.grade, ClassGroup.label)
        )
    )


# The class table's counts, built once with expanding parameters (``:ids`` the classes, ``:cid`` the campaign,
# ``:finals`` the final quizzes): built per call, constructing them and their cache keys cost more than
# running them (My site reruns on every click).
_IDS, _CID = bindparam("ids", expanding=True), bindparam("cid")
_JOINED = select(Learner.class_group_id, func.count()).where(Learner.class_group_id.in_(_IDS)).group_by(Learner.class_group_id)
_COMPLETIONS = (
    select(Learner.class_group_id, ModuleProgress.module_id, func.count())
    .join(Learner, Learner.id == ModuleProgress.learner_id)
    .where(Learner.class_group_id.in_(_IDS), ModuleProgress.campaign_id == _CID, ModuleProgress.completed_at.is_not(None))
    .group_by(Learner.class_group_id, ModuleProgress.module_id)
)
_ALTERNATIVES = (
    select(Learner.class_group_id, func.count(func.distinct(ModuleProgress.learner_id)))
    .join(Learner, Learner.id == ModuleProgress.learner_id)
    .where(Learner.class_group_id.in_(_IDS), ModuleProgress.campaign_id == _CID, ModuleProgress.alternative)
    .group_by(Learner.class_group_id)
)
_PASSED_FINAL = (
    select(Learner.class_group_id, func.count(func.distinct(QuizAttempt.learner_id)))
    .join(Learner, Learner.id == QuizAttempt.learner_id)
    .where(
        Learner.class_group_id.in_(_IDS),
        QuizAttempt.campaign_id == _CID,
        QuizAttempt.quiz_id.in_(bindparam("finals", expanding=True)),
        QuizAttempt.passed,
    )
    .group_by(Learner.class_group_id)
)
_ATTESTED = (
    select(LessonAttestation.class_group_id, func.count(), func.coalesce(func.sum(LessonAttestation.students_present), 0))
    .where(LessonAttestation.class_group_id.in_(_IDS), LessonAttestation.campaign_id == _CID)
    .group_by(LessonAttestation.class_group_id)
)


def _class_table(
    session: Session, groups: list[ClassGroup], campaign: Campaign, catalog: Catalog
) -> tuple[privacy.Suppressed, tuple[str, ...], int]:
    """The class rows (counts suppressed per row and against the totals), the module columns, and lessons attested."""
    modules = tuple(dict.fromkeys(m for g in groups for m in campaign.audiences.students.for_level(g.level).modules))
    finals = sorted(
        {
            q
            for g in groups
            for q in campaign.audiences.students.for_level(g.level).quizzes
            if q in catalog.quizzes and catalog.quizzes[q].module is None
        }
    )
    params = {"ids": [g.id for g in groups], "cid": campaign.id, "finals": finals}
    joined = dict(session.execute(_JOINED, params).all())
    completions = session.execute(_COMPLETIONS, params).all()
    alternatives = dict(session.execute(_ALTERNATIVES, params).all())
    passed = dict(session.execute(_PASSED_FINAL, params).all())
    attested = {class_id: (lessons, students) for class_id, lessons, students in session.execute(_ATTESTED, params).all()}
    done = {(class_id, module_id): count for class_id, module_id, count in completions}
    rows = []
    for g in groups:
        row = {
            "grade": g.grade if g.grade is not None else 0,
            "label": g.label,
            "level": g.level,
            "open": g.closed_at is None,
            "learners_joined": joined.get(g.id, 0),
            "quiz_passed": passed.get(g.id, 0),
            "alternatives_chosen": alternatives.get(g.id, 0),
            "lessons_attested": attested.get(g.id, (0, 0))[0],
            "students_attested": attested.get(g.id, (0, 0))[1],
        }
        row.update({f"module:{m}": done.get((g.id, m), 0) for m in modules})
        rows.append(row)
    columns = ("grade", "label", "level", "open", *CLASS_COUNTS, "lessons_attested", *(f"module:{m}" for m in modules))
    counted = tuple(tuple(row[c] for c in columns) for row in rows)
    return _suppressed_classes(counted, columns, modules, campaign.k), modules, sum(row["lessons_attested"] for row in rows)


@functools.lru_cache(maxsize=1024)
def _suppressed_classes(rows: tuple[tuple, ...], columns: tuple[str, ...], modules: tuple[str, ...], k: int) -> privacy.Suppressed:
    """The class table suppressed: a pure function of the counts just read, so a repeated table is suppressed once.

    *My site* reruns on every click and its counts rarely change between two: pandas' part of suppressing
    a 30-class table was a third of the page's run. The counts are read fresh on every run, so nothing is
    stale. The result is shared between runs: callers must not change it (``display`` copies).
    """
    return privacy.suppress(
        pd.DataFrame(list(rows), columns=list(columns)),
        k=k,
        counts=(*CLASS_COUNTS, *(f"module:{m}" for m in modules)),
        rates={"quiz_pass_rate": ("quiz_passed", "learners_joined")},
        groups=("grade",),
        total=True,
    )


def _site_and_district_completion(session: Session, site_id: int, campaign: Campaign) -> tuple[float | None, float]:
    """The site's completion (None when fewer than k students completed) and its district's, from one read."""
    sites = pd.DataFrame(
        session.execute(_DISTRICT_ROLLUPS, {"sid": site_id, "cid": campaign.id}).all(),
        columns=["site_id", "expected_students", "learners_completed"],
    )
    site = sites[sites["site_id"] == site_id]
    if site.empty or privacy.is_small(int(site["learners_completed"].iloc[0]), campaign.k):
        own = None  # a rate beside the roster size would reveal the small count
    else:
        own = float(measures.student_completion(site).iloc[0])
    expected = float(sites["expected_students"].sum())
    return own, (float(sites["learners_completed"].sum()) / expected if expected else 0.0)


# Every site of the district of ``:sid`` with its students completed in campaign ``:cid``; built once.
_DISTRICT_ROLLUPS = (
    select(Site.id, Site.expected_students, func.coalesce(SiteRollup.learners_completed, 0))
    .outerjoin(SiteRollup, (SiteRollup.site_id == Site.id) & (SiteRollup.campaign_id == bindparam("cid")))
    .where(Site.district == select(Site.district).where(Site.id == bindparam("sid")).scalar_subquery())
)
