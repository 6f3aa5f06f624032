"""Retention: a campaign's learner records are deleted once its retention period after the campaign has passed."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from safeclass import clock
from safeclass.content.models import Campaign
from safeclass.db.models import AuditLog, CheckAnswer, ClassGroup, Learner, ModuleProgress, QuizAttempt, ScenarioChoice
from safeclass.services import ServiceError
from safeclass.services.rollups import rebuild_rollups

# Every table holding a learner's records, children before the learner itself (the foreign keys cascade too,
# but deleting explicitly counts each table and does not depend on the backend enforcing ON DELETE).
LEARNER_TABLES = (
    ("module_progress", ModuleProgress),
    ("quiz_attempt", QuizAttempt),
    ("scenario_choice", ScenarioChoice),
    ("check_answer", CheckAnswer),
)


def kept_until(campaign: Campaign) -> dt.date:
    """The last day a campaign's learner records are kept: its period's end plus ``retention_days``."""
    return campaign.period.end + dt.timedelta(days=campaign.retention_days)


def purge_allowed_from(campaign: Campaign) -> dt.date:
    """The first day the purge may run: the day after the records stop being kept."""
    return kept_until(campaign) + dt.timedelta(days=1)


@dataclass(frozen=True)
class PurgeReport:
    """What a purge removed (or, in a dry run, would remove), counted per table."""

    campaign_id: str
    kept_until: dt.date
    learner: int
    module_progress: int
    quiz_attempt: int
    scenario_choice: int
    check_answer: int
    dry_run: bool

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        return {k: v for k, v in asdict(self).items() if isinstance(v, int) and not isinstance(v, bool)}


def purge_learners(session: Session, campaign: Campaign, *, dry_run: bool = False, actor_id: int | None = None) -> PurgeReport:
    """Delete every learner of the campaign's classes and all their records; rebuild its rollups; audit-log it.

    Refused (``retention_not_over``) until the day after ``kept_until``. Staff progress, classes, attestations
    and the sites' staff counts are not learner records and stay. A dry run counts without deleting.
    """
    today = clock.today()
    first_day = purge_allowed_from(campaign)
    if today < first_day:
        raise ServiceError("retention_not_over", campaign=campaign.id, kept_until=kept_until(campaign), purge_from=first_day, today=today)
    learners = select(Learner.id).join(ClassGroup).where(ClassGroup.campaign_id == campaign.id).scalar_subquery()
    counts: dict[str, int] = {}
    for name, model in LEARNER_TABLES:
        where = model.learner_id.in_(learners)
        if dry_run:
            counts[name] = session.scalar(select(func.count()).select_from(model).where(where)) or 0
        else:
            counts[name] = session.execute(delete(model).where(where), execution_options={"synchronize_session": False}).rowcount
    where = Learner.id.in_(select(Learner.id).join(ClassGroup).where(ClassGroup.campaign_id == campaign.id))
    if dry_run:
        counts["learner"] = session.scalar(select(func.count()).select_from(Learner).where(where)) or 0
    else:
        counts["learner"] = session.execute(delete(Learner).where(where), execution_options={"synchronize_session": False}).rowcount
    report = PurgeReport(campaign_id=campaign.id, kept_until=kept_until(campaign), dry_run=dry_run, **counts)
    if not dry_run:
        # The dashboards read the rollups: recount them from what is left, so they say what the tables say.
        rebuild_rollups(session, campaign)
        detail = {**report.counts(), "kept_until": report.kept_until.isoformat(), "purged_on": today.isoformat()}
        session.add(AuditLog(actor_id=actor_id, action="learners.purge", target=campaign.id, detail=detail))
    return report
