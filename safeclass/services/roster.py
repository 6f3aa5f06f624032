"""Importing the site roster into the database."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeclass.content.roster import SiteRow
from safeclass.db.models import AuditLog, Site
from safeclass.services.rollups import ensure_rollups


def import_sites(session: Session, rows: list[SiteRow], campaign_id: str, *, synthetic: bool = False) -> tuple[int, int]:
    """Insert new sites and update changed ones (matched by site code); returns (added, updated)."""
    existing = {s.code: s for s in session.scalars(select(Site))}
    added = updated = 0
    for row in rows:
        site = existing.get(row.code)
        values = {"name": row.name, "district": row.district, "site_type": row.type.value, "expected_students": row.expected_students}
        if site is None:
            site = Site(code=row.code, synthetic=synthetic, **values)
            session.add(site)
            existing[row.code] = site
            added += 1
        elif any(getattr(site, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(site, key, value)
            updated += 1
    session.flush()
    ensure_rollups(session, campaign_id, [existing[r.code].id for r in rows])
    session.add(AuditLog(action="roster.import", target=campaign_id, detail={"added": added, "updated": updated}))
    return added, updated
