"""Lessons taught to a whole class without devices, as teachers record them (counted apart from tracked completion).

Recording goes through ``progress.attest_lesson`` (one transaction with the rollup); this module reads them back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeclass import permissions
from safeclass.content.models import Campaign
from safeclass.db.models import Account, ClassGroup, LessonAttestation


@dataclass(frozen=True)
class AttestationRow:
    """One recorded lesson at the viewer's site."""

    class_label: str
    grade: int | None
    module_id: str
    delivered_on: dt.date
    students_present: int
    attested_by: str


def attestations_at_site(session: Session, viewer: Account, campaign: Campaign) -> list[AttestationRow]:
    """Lessons recorded at the viewer's own site in this campaign, newest first."""
    permissions.require_site_staff(viewer, viewer.site_id, "site_attestations")
    query = (
        select(ClassGroup.label, ClassGroup.grade, LessonAttestation.module_id, LessonAttestation.delivered_on)
        .add_columns(LessonAttestation.students_present, Account.display_name)
        .join(ClassGroup, ClassGroup.id == LessonAttestation.class_group_id)
        .join(Account, Account.id == LessonAttestation.attested_by_id)
        .where(ClassGroup.site_id == viewer.site_id, LessonAttestation.campaign_id == campaign.id)
        .order_by(LessonAttestation.delivered_on.desc(), ClassGroup.label)
    )
    return [AttestationRow(*row) for row in session.execute(query)]
