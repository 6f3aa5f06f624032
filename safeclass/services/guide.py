"""The case guide's only record: how many times it was opened, per site and month. Nothing about a case, ever."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from safeclass import clock, permissions
from safeclass.db.models import Account, GuideOpening, Site
from safeclass.domain import Role
from safeclass.services.reports import suppress_small

SITE_STAFF = (Role.TEACHER.value, Role.PRINCIPAL.value)


def record_guide_opened(session: Session, account: Account | None, campaign_id: str) -> bool:
    """Count one opening of the guide at a signed-in staff member's site this month; others are not counted at all."""
    if account is None or not account.active or account.role not in SITE_STAFF or account.site_id is None:
        return False
    month = clock.today().strftime("%Y-%m")
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(GuideOpening).values(campaign_id=campaign_id, site_id=account.site_id, month=month, opened=1)
    # One atomic upsert: two staff opening the guide at once both count, with no read-modify-write race.
    session.execute(
        statement.on_conflict_do_update(index_elements=["campaign_id", "site_id", "month"], set_={"opened": GuideOpening.opened + 1})
    )
    return True


def guide_openings(session: Session, viewer: Account, campaign_id: str, k: int) -> pd.DataFrame:
    """Openings by district and month for a coordinator's area; counts from 1 to k-1 are blanked (a case may lie behind them)."""
    permissions.require_campaign_staff(viewer, "guide_openings")
    query = (
        select(Site.district, GuideOpening.month, func.sum(GuideOpening.opened).label("opened"))
        .join(Site, Site.id == GuideOpening.site_id)
        .where(GuideOpening.campaign_id == campaign_id, permissions.visible_sites(viewer))
        .group_by(Site.district, GuideOpening.month)
        .order_by(GuideOpening.month.desc(), Site.district)
    )
    frame = pd.DataFrame(session.execute(query).mappings().all(), columns=["district", "month", "opened"])
    return suppress_small(frame, k, ("opened",))
