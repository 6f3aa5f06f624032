"""Campaign reports as pandas DataFrames, scoped to what the viewer may see, small cells suppressed.

The overview reads the rollups (one row per site, O(sites)) and the question report its per-district rollup;
a site's drill-down reads base rows, but only for one site. Meanings (started, completed, certified, status)
come from ``services.measures``; suppression from ``safeclass.privacy``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import ScalarSelect, Select, case, func, select
from sqlalchemy.orm import Session

from safeclass import clock, grading, permissions, privacy
from safeclass.content.catalog import Catalog
from safeclass.content.models import (
    Campaign,
    CheckSection,
    MultipleChoiceQuestion,
    OrderingQuestion,
    SingleChoiceQuestion,
    Text,
    TrueFalseQuestion,
)
from safeclass.db.models import (
    Account,
    ClassGroup,
    DrillRun,
    Learner,
    LessonAttestation,
    ModuleProgress,
    QuestionRollup,
    Site,
    SiteDayRollup,
    SiteRollup,
)
from safeclass.domain import SEOUL_DISTRICTS, Role
from safeclass.services import NotAllowed, ServiceError, measures
from safeclass.services.progress import finished_among
from safeclass.services.rollups import COUNTERS

STUDENT_COUNTS = ("learners_joined", "learners_started", "learners_completed", "students_attested")
SITE_COLUMNS = (
    "site_id",
    "code",
    "name",
    "district",
    "site_type",
    "expected_students",
    *COUNTERS,
    "principals",
    "staff",
    "drills",  # tabletop drills finished at the site in this campaign
    "last_activity_at",
)
COMPLETION = {"student_completion": ("learners_completed", "expected_students")}


def site_table(session: Session, viewer: Account, campaign_id: str) -> pd.DataFrame:
    """One row per site the viewer may see, read from the rollups: O(sites), never O(learners)."""
    query = _site_table_query(campaign_id, permissions.site_scope(viewer, "sites"))
    return pd.DataFrame(session.execute(query).all(), columns=list(SITE_COLUMNS))


@functools.lru_cache(maxsize=256)  # per campaign and scope: the city, a district, or one site (the principals active lately)
def _site_table_query(campaign_id: str, scope: permissions.SiteScope) -> Select:
    """``site_table``'s statement, built once per scope: building it was a third of a principal's My site run."""

    def staff_count(role: Role) -> ScalarSelect[int]:
        return (
            select(func.count())
            .where(Account.site_id == Site.id, Account.active, Account.role == role.value)
            .correlate(Site)
            .scalar_subquery()
        )

    # Per-site counts as correlated subqueries (index lookups by site): one statement, no frames to merge, and
    # a principal's one-row table never aggregates the city's accounts or drill runs.
    drills = (
        select(func.count())
        .where(DrillRun.site_id == Site.id, DrillRun.campaign_id == campaign_id, DrillRun.finished_at.is_not(None))
        .correlate(Site)
        .scalar_subquery()
    )
    query = (
        select(
            Site.id.label("site_id"),
            Site.code,
            Site.name,
            Site.district,
            Site.site_type,
            Site.expected_students,
            *(func.coalesce(getattr(SiteRollup, c), 0).label(c) for c in COUNTERS),
            staff_count(Role.PRINCIPAL).label("principals"),
            staff_count(Role.TEACHER).label("staff"),
            drills.label("drills"),
            SiteRollup.last_activity_at,
        )
        .outerjoin(SiteRollup, (SiteRollup.site_id == Site.id) & (SiteRollup.campaign_id == campaign_id))
        .where(permissions.sites_in(scope))
        .order_by(Site.code)
    )
    return query


def suppress_small(frame: pd.DataFrame, k: int, columns: tuple[str, ...] = STUDENT_COUNTS) -> pd.DataFrame:
    """Blank out student counts from 1 to k-1 where each figure stands alone (zero stays: 'not started' must show).

    Tables shown with totals or rates must use ``safeclass.privacy.suppress`` (complementary cells) instead.
    """
    out = frame.copy()
    for column in columns:
        if column in out:
            values = out[column].astype("Int64")
            small = pd.Series([privacy.is_small(v, k) for v in values.fillna(0)], index=values.index, dtype=bool)
            out[column] = values.mask(small)
    return out


def district_label(district: str, lang: str) -> str:
    """A district's name in the viewer's language (Korean in the Korean UI and exports)."""
    return SEOUL_DISTRICTS.get(district, district) if lang == "ko" else district


# --- the campaign overview -----------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignReport:
    """The viewer's sites with status and meanings computed once, and the suppressed figures to show."""

    campaign: Campaign
    today: dt.date
    sites: pd.DataFrame  # true figures: for statuses and filters only, never shown as they are
    shown: privacy.Suppressed  # what may be shown: per site, per district and type, and the totals
    targets: list[measures.TargetProgress]

    @property
    def phase(self) -> measures.Phase:
        """Whether the campaign is running or has ended (ended: final figures, no overdue warnings)."""
        return measures.phase(self.campaign, self.today)


def campaign_report(session: Session, viewer: Account, campaign: Campaign, today: dt.date | None = None) -> CampaignReport:
    """Everything the overview shows for the viewer's scope, from the rollups (O(sites))."""
    permissions.require_campaign_staff(viewer, "campaign_report")
    today = today or clock.today()
    sites = site_table(session, viewer, campaign.id)
    sites["started"] = measures.site_started(sites)
    sites["certified"] = measures.principal_certified(sites)
    sites["drilled"] = measures.site_drilled(sites)
    sites["status"] = measures.site_status(sites, campaign, today)
    shown = privacy.suppress(sites, k=campaign.k, counts=STUDENT_COUNTS, rates=COMPLETION, groups=("district", "site_type"))
    return CampaignReport(campaign, today, sites, shown, measures.target_progress(sites, campaign, today))


def filter_sites(
    report: CampaignReport,
    *,
    districts: list[str] | None = None,
    site_types: list[str] | None = None,
    statuses: list[str] | None = None,
    certified: bool | None = None,
    search: str = "",
) -> pd.DataFrame:
    """The shown (suppressed) site rows matching the filters; search matches name, code or district in either language."""
    sites, shown = report.sites, report.shown.values
    keep = pd.Series(True, index=sites.index)
    if districts:
        keep &= sites["district"].isin(districts)
    if site_types:
        keep &= sites["site_type"].isin(site_types)
    if statuses:
        keep &= sites["status"].isin(statuses)
    if certified is not None:
        keep &= sites["certified"] == certified
    words = search.strip().casefold().split()
    if words:
        haystack = (
            sites["name"].str.casefold()
            + " "
            + sites["code"].str.casefold()
            + " "
            + sites["district"].str.casefold()
            + " "
            + sites["district"].map(SEOUL_DISTRICTS).fillna("")
        )
        for word in words:
            keep &= haystack.str.contains(word, regex=False)
    return shown[keep.to_numpy()]


def by_group(report: CampaignReport, column: str) -> pd.DataFrame:
    """Sites, started sites, certified principals and suppressed student figures per district or site type."""
    sites = report.sites
    # One factorisation and numpy counts: pandas' named aggregations and crosstab cost ~8 ms per call here.
    codes, groups = pd.factorize(sites[column], sort=True)  # sorted like the suppressed subtotals it joins

    def per_group(hit: pd.Series) -> np.ndarray:
        return np.bincount(codes, weights=hit.to_numpy(dtype=float), minlength=len(groups)).astype(int)

    counts = pd.DataFrame(
        {
            "sites": np.bincount(codes, minlength=len(groups)),
            "sites_started": per_group(sites["started"]),
            "principals_certified": per_group(sites["certified"]),
            **{f"status_{status.value}": per_group(sites["status"] == status.value) for status in measures.SiteStatus},
        },
        index=pd.Index(groups, name=column),
    )
    counts["principal_certification"] = counts["principals_certified"] / counts["sites"]
    sub = report.shown.subtotals[column]
    out = counts.join(sub[[c for c in (*STUDENT_COUNTS, "expected_students", "student_completion") if c in sub]])
    return out.reset_index()


def overview_kinds(report: CampaignReport, column: str) -> pd.DataFrame:
    """Which subtotal cells of ``by_group`` are hidden (0 shown, 1 small, 2 complementary)."""
    return report.shown.subtotal_kinds[column].reset_index()


# --- over time -----------------------------------------------------------------------------------


def completions_over_time(session: Session, viewer: Account, campaign: Campaign, today: dt.date | None = None) -> pd.DataFrame:
    """Students who finished per day, cumulative, and the target line, over the campaign so far.

    Days counting 1..k−1 completions are pooled into the next day that brings the count to k (so no
    bar and no step of the cumulative line shows fewer than k students); what is still pooled at the end
    stays hidden.
    """
    permissions.require_campaign_staff(viewer, "completions_over_time")
    today = min(today or clock.today(), campaign.period.end)
    # Read from the covering index (campaign, day, site, completed); a city-wide viewer joins no site row.
    query = (
        select(SiteDayRollup.day, func.sum(SiteDayRollup.learners_completed))
        .where(
            SiteDayRollup.campaign_id == campaign.id,
            permissions.visible_site_ids(viewer, SiteDayRollup.site_id),
            SiteDayRollup.day <= today,
        )
        .group_by(SiteDayRollup.day)
    )
    per_day = {d: int(v or 0) for d, v in session.execute(query)}
    expected = session.scalar(select(func.coalesce(func.sum(Site.expected_students), 0)).where(permissions.visible_sites(viewer))) or 0
    target = measures.target_for(campaign, "students", "completed")
    days = pd.date_range(campaign.period.start, max(today, campaign.period.start), freq="D").date
    rows, pooled, cumulative = [], 0, 0
    for day in days:
        pooled += per_day.get(day, 0)
        shown = pooled if pooled >= campaign.k else 0
        pooled -= shown
        cumulative += shown
        rows.append(
            {
                "day": day,
                "completed": shown,
                "cumulative": cumulative,
                "cumulative_rate": cumulative / expected if expected else 0.0,
                "target_rate": measures.expected_by(target, campaign, day),
            }
        )
    return pd.DataFrame(rows, columns=["day", "completed", "cumulative", "cumulative_rate", "target_rate"])


# --- a site's drill-down -------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteDetail:
    """One site: its classes, principal(s), staff training, attested against tracked, last activity."""

    site: Site
    classes: privacy.Suppressed
    principals: pd.DataFrame
    staff_total: int
    staff_completed: int
    lessons_attested: int
    students_attested: str  # display-ready: may be "<k"
    learners_started: str
    learners_completed: str
    last_activity_at: dt.datetime | None


def site_detail(session: Session, viewer: Account, campaign: Campaign, code: str) -> SiteDetail:
    """The drill-down of one site the viewer may see; refused (as not found) outside their scope."""
    permissions.require_campaign_staff(viewer, "site_detail")
    site = session.scalar(select(Site).where(Site.code == code))
    if site is None or not permissions.may_see_site(viewer, site):
        raise ServiceError("site_not_found", code=code)
    rollup = session.get(SiteRollup, (campaign.id, site.id))
    k = campaign.k
    done = _finished_learners(session, campaign, site.id)
    classes = pd.DataFrame(
        session.execute(
            select(ClassGroup.id, ClassGroup.label, ClassGroup.level, ClassGroup.closed_at, func.count(Learner.id).label("learners_joined"))
            .outerjoin(Learner, Learner.class_group_id == ClassGroup.id)
            .where(ClassGroup.site_id == site.id, ClassGroup.campaign_id == campaign.id)
            .group_by(ClassGroup.id)
            .order_by(ClassGroup.label, ClassGroup.id)
        )
        .mappings()
        .all(),
        columns=["id", "label", "level", "closed_at", "learners_joined"],
    )
    classes["learners_completed"] = classes["id"].map(done).fillna(0).astype(int)
    attested = dict(
        session.execute(
            select(LessonAttestation.class_group_id, func.count())
            .join(ClassGroup)
            .where(ClassGroup.site_id == site.id, LessonAttestation.campaign_id == campaign.id)
            .group_by(LessonAttestation.class_group_id)
        ).all()
    )
    classes["lessons_attested"] = classes["id"].map(attested).fillna(0).astype(int)
    shown = privacy.suppress(classes, k=k, counts=("learners_joined", "learners_completed"), total=True)
    certified = _certified_accounts(session, campaign, site.id)
    principals = pd.DataFrame(
        [
            {"username": a.username, "display_name": a.display_name, "certified": a.id in certified, "last_login_at": a.last_login_at}
            for a in session.scalars(
                select(Account).where(Account.site_id == site.id, Account.role == Role.PRINCIPAL.value, Account.active)
            )
        ],
        columns=["username", "display_name", "certified", "last_login_at"],
    )
    staff_total = session.scalar(
        select(func.count()).select_from(Account).where(Account.site_id == site.id, Account.role == Role.TEACHER.value, Account.active)
    )
    return SiteDetail(
        site=site,
        classes=shown,
        principals=principals,
        staff_total=int(staff_total or 0),
        staff_completed=int(rollup.staff_completed if rollup else 0),
        lessons_attested=int(rollup.lessons_attested if rollup else 0),
        students_attested=privacy.hidden_text(rollup.students_attested if rollup else 0, k),
        learners_started=privacy.hidden_text(rollup.learners_started if rollup else 0, k),
        learners_completed=privacy.hidden_text(rollup.learners_completed if rollup else 0, k),
        last_activity_at=rollup.last_activity_at if rollup else None,
    )


def _finished_learners(session: Session, campaign: Campaign, site_id: int) -> dict[int, int]:
    """Learners who finished their assignment, per class of one site (one site: bounded by its size)."""
    out: dict[int, int] = {}
    groups = session.execute(
        select(ClassGroup.id, ClassGroup.level).where(ClassGroup.site_id == site_id, ClassGroup.campaign_id == campaign.id)
    )
    for group_id, level in groups:
        assignment = campaign.audiences.students.for_level(level)
        if not assignment.modules and not assignment.quizzes:
            continue
        learners = select(Learner.id).where(Learner.class_group_id == group_id)
        out[group_id] = len(finished_among(session, learners, campaign.id, tuple(assignment.modules), tuple(assignment.quizzes)))
    return out


def _certified_accounts(session: Session, campaign: Campaign, site_id: int) -> set[int]:
    assignment = campaign.audiences.principal
    accounts = select(Account.id).where(Account.site_id == site_id, Account.role == Role.PRINCIPAL.value)
    return finished_among(session, accounts, campaign.id, tuple(assignment.modules), tuple(assignment.quizzes))


# --- where students go wrong ---------------------------------------------------------------------


def question_errors(
    session: Session, viewer: Account, campaign: Campaign, catalog: Catalog, lang: str, district: str | None = None
) -> pd.DataFrame:
    """Per question of the students' quizzes and inline checks: responses, wrong answers, the error rate,
    the correct answer and the most chosen wrong one; questions with fewer than k responses are hidden."""
    permissions.require_campaign_staff(viewer, "question_errors")
    if district is not None and viewer.district is not None and district != viewer.district:
        raise NotAllowed("question_errors")
    # Read from the per-district rollup kept with every answer (O(questions × options), not O(answers)).
    scope = permissions.visible_districts(viewer, QuestionRollup.district)
    if district is not None:
        scope = scope & (QuestionRollup.district == district)
    grouped = (QuestionRollup.kind, QuestionRollup.item_id, QuestionRollup.question_id, QuestionRollup.option)
    counted = session.execute(
        select(*grouped, func.sum(QuestionRollup.chosen)).where(QuestionRollup.campaign_id == campaign.id, scope).group_by(*grouped)
    )
    tallies: dict[tuple[str, str, str], Counter] = {}
    for kind, item_id, question_id, option, chosen in counted:
        if chosen:
            tallies.setdefault((kind, item_id, question_id), Counter())[_answer_key(json.loads(option))] += int(chosen)
    rows = []
    for (kind, item_id, question_id), tally in sorted(tallies.items()):
        row = (
            _check_row(catalog, item_id, question_id, tally, lang)
            if kind == "check"
            else _quiz_row(catalog, item_id, question_id, tally, lang)
        )
        if row is not None:
            rows.append(row)
    frame = pd.DataFrame(
        rows, columns=["kind", "item", "question_id", "question", "correct_answer", "top_wrong_answer", "responses", "wrong"]
    )
    # Below k responses, or with fewer than k wrong (or right) answers, the rate counts a handful of children.
    frame = frame[frame["responses"] >= campaign.k].copy()
    frame["right"] = frame["responses"] - frame["wrong"]
    shown = privacy.suppress(frame, k=campaign.k, counts=("wrong", "right"), rates={"error_rate": ("wrong", "responses")}, total=False)
    out = shown.values.copy()
    out.loc[shown.kinds["wrong"].to_numpy() > 0, "top_wrong_answer"] = ""
    out["hidden"] = shown.kinds[["wrong", "right"]].max(axis=1).to_numpy() > 0
    # wrong + right = responses (shown): hiding one of them means hiding both, and the rate.
    out.loc[out["hidden"].to_numpy(), ["error_rate", "wrong"]] = pd.NA
    out = out.sort_values(
        ["error_rate", "kind", "item", "question_id"], ascending=[False, True, True, True], na_position="last", kind="stable"
    )
    return out.drop(columns=["right"]).reset_index(drop=True)


def _most_chosen(wrong: Counter) -> object:
    """The wrong answer chosen most often; a tie goes to the one listed first (the same answer on every read)."""
    return min(wrong, key=lambda answer: (-wrong[answer], str(answer))) if wrong else None


def _check_row(catalog: Catalog, module_id: str, check_id: str, tally: Counter, lang: str) -> dict | None:
    """An inline check's line of the report, from its students' first answers (option index -> count)."""
    module = catalog.modules.get(module_id)
    check = next((c for c in module.sections_of(CheckSection) if c.id == check_id), None) if module else None
    if check is None:
        return None
    wrong = Counter({i: n for i, n in tally.items() if isinstance(i, int) and 0 <= i < len(check.choices) and not check.choices[i].correct})
    top = _most_chosen(wrong)
    return {
        "kind": "check",
        "item": module_id,
        "question_id": check_id,
        "question": check.question.get(lang),
        "correct_answer": " / ".join(c.text.get(lang) for c in check.choices if c.correct),
        "top_wrong_answer": check.choices[top].text.get(lang) if top is not None else "",
        "responses": sum(tally.values()),
        "wrong": sum(wrong.values()),
    }


def _quiz_row(catalog: Catalog, quiz_id: str, question_id: str, tally: Counter, lang: str) -> dict | None:
    """A quiz question's line of the report, its submitted answers graded against the question as it is now."""
    quiz = catalog.quizzes.get(quiz_id)
    question = next((q for q in quiz.questions if q.id == question_id), None) if quiz else None
    if question is None:
        return None
    responses, wrong = 0, Counter()
    for answer, n in tally.items():
        try:
            right = grading.is_correct(question, list(answer) if isinstance(answer, tuple) else answer)
        except grading.InvalidAnswers:
            continue  # an answer the question no longer accepts (its content changed) is not counted
        responses += n
        if not right:
            wrong[answer] += n
    if not responses:
        return None
    top = _most_chosen(wrong)
    return {
        "kind": "quiz",
        "item": quiz_id,
        "question_id": question_id,
        "question": question.prompt.get(lang),
        "correct_answer": _answer_text(question, None, lang),
        "top_wrong_answer": _answer_text(question, top, lang) if top is not None else "",
        "responses": responses,
        "wrong": sum(wrong.values()),
    }


def _answer_key(answer: object) -> object:
    return tuple(answer) if isinstance(answer, list) else answer


def _answer_text(question, answer: object, lang: str) -> str:  # noqa: ANN001
    """The text of an answer (``None``: the correct one) in ``lang``."""

    def txt(value: Text) -> str:
        return value.get(lang)

    if isinstance(question, SingleChoiceQuestion):
        index = next(iter(question.correct_indexes)) if answer is None else answer
        return txt(question.choices[index].text)
    if isinstance(question, MultipleChoiceQuestion):
        chosen = sorted(question.correct_indexes) if answer is None else sorted(answer)
        return " + ".join(txt(question.choices[i].text) for i in chosen)
    if isinstance(question, TrueFalseQuestion):
        value = question.answer if answer is None else answer
        return {"ko": "맞다" if value else "틀리다", "en": "True" if value else "False"}.get(lang, str(value))
    if isinstance(question, OrderingQuestion):
        order = range(len(question.items)) if answer is None else answer
        return " → ".join(txt(question.items[i]) for i in order)
    return str(answer)


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
