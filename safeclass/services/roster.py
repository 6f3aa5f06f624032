"""Importing the site roster into the database: a preview (added, updated, removed), then one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from safeclass import permissions
from safeclass.content.roster import RosterProblem, SiteRow
from safeclass.db.models import Account, AuditLog, ClassGroup, Site, SiteDayRollup, SiteRollup
from safeclass.services import ServiceError
from safeclass.services.rollups import ensure_rollups, rebuild_question_rollup

FIELDS = ("name", "district", "site_type", "expected_students")


@dataclass(frozen=True)
class SiteChange:
    """One updated site: which fields change, from what to what."""

    code: str
    changes: dict[str, tuple[object, object]]


@dataclass(frozen=True)
class RosterPreview:
    """What applying a clean roster would do."""

    added: list[SiteRow] = field(default_factory=list)
    updated: list[SiteChange] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # codes not in the file, without classes or accounts: deleted
    kept: list[str] = field(default_factory=list)  # codes not in the file that have classes or accounts: kept
    unchanged: int = 0


def _values(row: SiteRow) -> dict[str, object]:
    return {"name": row.name, "district": row.district, "site_type": row.type.value, "expected_students": row.expected_students}


def scope_problems(actor: Account, rows: list[SiteRow], lines: dict[str, int] | None = None) -> list[RosterProblem]:
    """Rows a district coordinator may not import: sites outside their district."""
    if actor.district is None:
        return []
    lines = lines or {}
    return [
        RosterProblem(lines.get(r.code, 0), "district", f"'{r.district}' is outside your district ({actor.district})")
        for r in rows
        if r.district != actor.district
    ]


def preview_roster(session: Session, actor: Account, rows: list[SiteRow]) -> RosterPreview:
    """Compare a clean roster with the sites the actor may manage (a district coordinator: their district)."""
    permissions.require_campaign_staff(actor, "roster")
    if scope_problems(actor, rows):
        raise ServiceError("roster_outside_district", district=actor.district)
    query = select(Site)
    if actor.district is not None:
        query = query.where(Site.district == actor.district)
    existing = {s.code: s for s in session.scalars(query)}
    elsewhere = set(session.scalars(select(Site.code).where(Site.code.in_([r.code for r in rows]), Site.code.not_in(list(existing)))))
    if elsewhere:
        raise ServiceError("roster_code_elsewhere", codes=", ".join(sorted(elsewhere)[:5]))
    added, updated, unchanged = [], [], 0
    for row in rows:
        site = existing.get(row.code)
        if site is None:
            added.append(row)
            continue
        changes = {k: (getattr(site, k), v) for k, v in _values(row).items() if getattr(site, k) != v}
        if changes:
            updated.append(SiteChange(row.code, changes))
        else:
            unchanged += 1
    in_file = {r.code for r in rows}
    gone = [s for code, s in sorted(existing.items()) if code not in in_file]
    busy = _busy(session, [s.id for s in gone])
    removed = [s.code for s in gone if s.id not in busy]
    kept = [s.code for s in gone if s.id in busy]
    return RosterPreview(added, updated, removed, kept, unchanged)


def _busy(session: Session, site_ids: list[int]) -> set[int]:
    if not site_ids:
        return set()
    has_class = exists().where(ClassGroup.site_id == Site.id)
    has_account = exists().where(Account.site_id == Site.id)
    return set(session.scalars(select(Site.id).where(Site.id.in_(site_ids), has_class | has_account)))


def apply_roster(session: Session, actor: Account, rows: list[SiteRow], campaign_id: str, *, file_name: str = "") -> RosterPreview:
    """Apply a clean roster in the caller's one transaction: add, update, remove unused sites; audit-logged."""
    preview = preview_roster(session, actor, rows)
    by_code = {r.code: r for r in rows}
    existing = {s.code: s for s in session.scalars(select(Site).where(Site.code.in_(list(by_code) + preview.removed)))}
    for row in preview.added:
        session.add(Site(code=row.code, synthetic=False, **_values(row)))
    for change in preview.updated:
        site = existing[change.code]
        for key, (_, new) in change.changes.items():
            setattr(site, key, new)
    if preview.removed:
        ids = [existing[c].id for c in preview.removed]
        session.execute(delete(SiteDayRollup).where(SiteDayRollup.site_id.in_(ids)))
        session.execute(delete(SiteRollup).where(SiteRollup.site_id.in_(ids)))
        session.execute(delete(Site).where(Site.id.in_(ids)))
    session.flush()
    ids = list(session.scalars(select(Site.id).where(Site.code.in_(list(by_code)))))
    ensure_rollups(session, campaign_id, ids)
    if any("district" in change.changes for change in preview.updated):
        rebuild_question_rollup(session)  # a site's students' answers now count in its new district
    session.add(
        AuditLog(
            actor_id=actor.id,
            action="roster.apply",
            target=campaign_id,
            detail={
                "file": file_name,
                "rows": len(rows),
                "added": len(preview.added),
                "updated": len(preview.updated),
                "removed": preview.removed[:200],
                "kept": len(preview.kept),
            },
        )
    )
    return preview


def import_sites(session: Session, rows: list[SiteRow], campaign_id: str, *, synthetic: bool = False) -> tuple[int, int]:
    """Insert new sites and update changed ones (matched by site code); returns (added, updated). CLI and demo.

    Unlike ``apply_roster`` nothing is removed: the command line adds a file's sites to whatever is there.
    """
    existing = {s.code: s for s in session.scalars(select(Site))}
    added = updated = 0
    moved = False
    for row in rows:
        site = existing.get(row.code)
        values = _values(row)
        if site is None:
            site = Site(code=row.code, synthetic=synthetic, **values)
            session.add(site)
            existing[row.code] = site
            added += 1
        elif any(getattr(site, k) != v for k, v in values.items()):
            moved = moved or site.district != values["district"]
            for key, value in values.items():
                setattr(site, key, value)
            updated += 1
    session.flush()
    ensure_rollups(session, campaign_id, [existing[r.code].id for r in rows])
    if moved:
        rebuild_question_rollup(session)  # a site's students' answers now count in its new district
    session.add(AuditLog(action="roster.import", target=campaign_id, detail={"added": added, "updated": updated}))
    return added, updated
