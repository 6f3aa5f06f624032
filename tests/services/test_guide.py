"""The case guide's only record: an opened count per site and month, blanked below k for coordinators."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from safeclass import clock
from safeclass.db.models import Account, GuideOpening
from safeclass.domain import Role
from safeclass.services import NotAllowed
from safeclass.services.guide import guide_openings, record_guide_opened
from tests.factories import make_account, make_site


def test_openings_count_per_site_and_month_and_only_for_site_staff(database) -> None:
    with database.transaction() as s:
        site = make_site(s)
        principal = make_account(s, "park", Role.PRINCIPAL, site)
        coord = make_account(s, "coord", Role.COORDINATOR)
        with clock.frozen_at(dt.datetime(2025, 5, 31, 16, 0, tzinfo=dt.UTC)):  # 1 June in Seoul
            assert record_guide_opened(s, principal, "test-campaign")
            assert record_guide_opened(s, principal, "test-campaign")
        with clock.frozen_at(dt.datetime(2025, 5, 31, 14, 0, tzinfo=dt.UTC)):  # still 31 May in Seoul
            assert record_guide_opened(s, principal, "test-campaign")
        assert not record_guide_opened(s, None, "test-campaign")  # a quick visitor is not counted anywhere
        assert not record_guide_opened(s, coord, "test-campaign")
    with database.reading() as s:
        rows = {(r.month, r.opened) for r in s.query(GuideOpening)}
        assert rows == {("2025-06", 2), ("2025-05", 1)}
        coordinator = s.get(Account, coord.id)
        frame = guide_openings(s, coordinator, "test-campaign", k=2)
        assert list(frame["month"]) == ["2025-06", "2025-05"]
        assert frame["opened"].iloc[0] == 2 and pd.isna(frame["opened"].iloc[1])  # one opening in May < k: blanked
        assert guide_openings(s, coordinator, "test-campaign", k=5)["opened"].isna().all()
        with pytest.raises(NotAllowed):
            guide_openings(s, s.get(Account, principal.id), "test-campaign", k=5)
