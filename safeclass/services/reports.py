"""Campaign reports as pandas DataFrames, scoped to what the viewer may see, small cells suppressed."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from safeclass import permissions
from safeclass.db.models import Account, ClassGroup, Learner, ModuleProgress, Site, SiteRollup
from safeclass.domain import Role
from safeclass.services.rollups import COUNTERS

STUDENT_COUNTS = ("learners_joined", "learners_started", "learners_completed", "students_attested")
SITE_COLUMNS = ("site_id", "code", "name", "district", "site_type", "expected_students", *COUNTERS, "principals", "staff")


def site_table(session: Session, viewer: Account, campaign_id: str) -> pd.DataFrame:
    """One row per site the viewer may see, read from the rollups: O(sites), never O(learners)."""
    query = (
        select(
            Site.id.label("site_id"),
            Site.code,
            Site.name,
            Site.district,
            Site.site_type,
            Site.expected_students,
            *(func.coalesce(getattr(SiteRollup, c), 0).label(c) for c in COUNTERS),
        )
        .outerjoin(SiteRollup, (SiteRollup.site_id == Site.id) & (SiteRollup.campaign_id == campaign_id))
        .order_by(Site.code)
    )
    query = _scoped(query, viewer)
    frame = pd.DataFrame(session.execute(query).mappings().all())
    staff = pd.DataFrame(
        session.execute(
            select(
                Account.site_id,
                func.sum(case((Account.role == Role.PRINCIPAL.value, 1), else_=0)).label("principals"),
                func.sum(case((Account.role == Role.TEACHER.value, 1), else_=0)).label("staff"),
            )
            .where(Account.active, Account.site_id.is_not(None))
            .group_by(Account.site_id)
        )
        .mappings()
        .all()
    )
    if frame.empty:
        return pd.DataFrame(columns=list(SITE_COLUMNS))
    if staff.empty:
        frame["principals"] = 0
        frame["staff"] = 0
    else:
        frame = frame.merge(staff, on="site_id", how="left")
        frame[["principals", "staff"]] = frame[["principals", "staff"]].fillna(0).astype(int)
    return frame[list(SITE_COLUMNS)]


def _scoped(query, viewer: Account):  # noqa: ANN001
    return permissions.site_scope(viewer, "site_table").where(query, Site.id, Site.district)


def suppress_small(frame: pd.DataFrame, k: int, columns: tuple[str, ...] = STUDENT_COUNTS) -> pd.DataFrame:
    """Blank out student counts from 1 to k-1 (zero stays: 'not started' must be visible)."""
    out = frame.copy()
    for column in columns:
        if column in out:
            values = out[column].astype("Int64")
            out[column] = values.mask((values > 0) & (values < k))
    return out


def campaign_summary(sites: pd.DataFrame) -> dict[str, float | int]:
    """Headline numbers for the viewer's sites."""
    expected = int(sites["expected_students"].sum())
    principals = int(sites["principals"].sum())
    return {
        "sites": len(sites),
        "sites_started": int(((sites["learners_started"] > 0) | (sites["lessons_attested"] > 0)).sum()),
        "expected_students": expected,
        "learners_joined": int(sites["learners_joined"].sum()),
        "learners_completed": int(sites["learners_completed"].sum()),
        "student_completion": _ratio(sites["learners_completed"].sum(), expected),
        "principals": principals,
        "principals_certified": int(sites["principals_certified"].sum()),
        "principal_certification": _ratio(sites["principals_certified"].sum(), principals),
        "staff": int(sites["staff"].sum()),
        "staff_completion": _ratio(sites["staff_completed"].sum(), sites["staff"].sum()),
    }


def completion_by(sites: pd.DataFrame, column: str, k: int) -> pd.DataFrame:
    """Sites, students and principals summed by ``column`` (``district`` or ``site_type``), with rates."""
    grouped = sites.groupby(column, as_index=False).agg(
        sites=("site_id", "count"),
        sites_started=("learners_started", lambda s: int((s > 0).sum())),
        expected_students=("expected_students", "sum"),
        learners_joined=("learners_joined", "sum"),
        learners_completed=("learners_completed", "sum"),
        principals=("principals", "sum"),
        principals_certified=("principals_certified", "sum"),
    )
    grouped["student_completion"] = [_ratio(a, b) for a, b in zip(grouped["learners_completed"], grouped["expected_students"], strict=True)]
    grouped["principal_certification"] = [_ratio(a, b) for a, b in zip(grouped["principals_certified"], grouped["principals"], strict=True)]
    return suppress_small(grouped, k)


def lagging_sites(sites: pd.DataFrame, k: int, limit: int = 50) -> pd.DataFrame:
    """Sites furthest behind: not started first, then by lowest student completion."""
    frame = sites.copy()
    frame["student_completion"] = [_ratio(a, b) for a, b in zip(frame["learners_completed"], frame["expected_students"], strict=True)]
    frame["started"] = (frame["learners_started"] > 0) | (frame["lessons_attested"] > 0)
    frame = frame.sort_values(["started", "student_completion", "code"]).head(limit)
    # Completion rates of tiny schools could single out a handful of children: suppress with the counts.
    frame.loc[(frame["learners_completed"] > 0) & (frame["learners_completed"] < k), "student_completion"] = float("nan")
    return suppress_small(frame, k)


def class_progress(session: Session, viewer: Account, campaign_id: str, k: int) -> pd.DataFrame:
    """Joined and completed counts per class at the viewer's own site (principal or teacher)."""
    permissions.require_site_staff(viewer, viewer.site_id, "class_progress")
    completed = (
        select(
            ModuleProgress.learner_id,
            func.count().label("modules_done"),
            # Took a content warning's alternative activity at least once: teachers follow up gently.
            func.max(case((ModuleProgress.alternative, 1), else_=0)).label("chose_alternative"),
        )
        # Only this site's learners: the cost is the site's classes and seats, not the campaign's million.
        .join(Learner, Learner.id == ModuleProgress.learner_id)
        .join(ClassGroup, ClassGroup.id == Learner.class_group_id)
        .where(
            ModuleProgress.campaign_id == campaign_id,
            ModuleProgress.completed_at.is_not(None),
            ClassGroup.site_id == viewer.site_id,
            ClassGroup.campaign_id == campaign_id,
        )
        .group_by(ModuleProgress.learner_id)
        .subquery()
    )
    query = (
        select(
            ClassGroup.label,
            ClassGroup.level,
            ClassGroup.join_code,
            func.count(Learner.id).label("learners_joined"),
            func.coalesce(func.sum(completed.c.modules_done), 0).label("module_completions"),
            func.coalesce(func.sum(completed.c.chose_alternative), 0).label("alternatives_chosen"),
        )
        .outerjoin(Learner, Learner.class_group_id == ClassGroup.id)
        .outerjoin(completed, completed.c.learner_id == Learner.id)
        .where(ClassGroup.site_id == viewer.site_id, ClassGroup.campaign_id == campaign_id, ClassGroup.closed_at.is_(None))
        .group_by(ClassGroup.id)
        .order_by(ClassGroup.label)
    )
    frame = pd.DataFrame(
        session.execute(query).mappings().all(),
        columns=["label", "level", "join_code", "learners_joined", "module_completions", "alternatives_chosen"],
    )
    return suppress_small(frame, k, ("learners_joined", "module_completions", "alternatives_chosen"))


def _ratio(part: float, whole: float) -> float:
    return float(part) / float(whole) if whole else 0.0
