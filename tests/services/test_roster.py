"""Importing the roster: adds, updates by site code, and keeps rollup rows in step."""

from __future__ import annotations

from sqlalchemy import func, select

from safeclass.db.models import Site, SiteRollup
from safeclass.services.roster import import_sites
from tests.factories import roster_row


def test_import_adds_then_updates(database) -> None:
    with database.transaction() as s:
        assert import_sites(s, [roster_row("M0001"), roster_row("M0002")], "test-campaign") == (2, 0)
    changed = roster_row("M0002", district="Gangnam-gu")
    with database.transaction() as s:
        assert import_sites(s, [roster_row("M0001"), changed, roster_row("H0001")], "test-campaign") == (1, 1)
    with database.reading() as s:
        assert s.scalar(select(Site.district).where(Site.code == "M0002")) == "Gangnam-gu"
        assert s.scalar(select(func.count()).select_from(SiteRollup)) == 3
