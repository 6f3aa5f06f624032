"""Reports: scopes enforced in the service, small cells suppressed, O(sites) rows."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import update

from safeclass.db.models import SiteRollup
from safeclass.domain import Role, SiteType
from safeclass.services import NotAllowed
from safeclass.services.progress import record_module_progress
from safeclass.services.reports import campaign_summary, class_progress, completion_by, lagging_sites, site_table, suppress_small
from tests.factories import make_account, make_class, make_learners, make_site


@pytest.fixture
def three_sites(database):
    with database.transaction() as s:
        mapo = make_site(s, code="M0001", district="Mapo-gu")
        gangnam = make_site(s, code="M0002", district="Gangnam-gu")
        high = make_site(s, code="H0001", district="Mapo-gu", site_type=SiteType.HIGH)
        accounts = {
            "all": make_account(s, "coord", Role.COORDINATOR),
            "gangnam": make_account(s, "gcoord", Role.COORDINATOR, district="Gangnam-gu"),
            "principal": make_account(s, "park", Role.PRINCIPAL, mapo),
            "teacher": make_account(s, "kim", Role.TEACHER, mapo),
        }
        s.execute(
            update(SiteRollup).where(SiteRollup.site_id == mapo.id).values(learners_joined=120, learners_started=100, learners_completed=60)
        )
        s.execute(
            update(SiteRollup).where(SiteRollup.site_id == gangnam.id).values(learners_joined=3, learners_started=3, learners_completed=2)
        )
    return accounts, (mapo, gangnam, high)


def test_scopes(database, three_sites) -> None:
    accounts, _ = three_sites
    with database.reading() as s:
        assert list(site_table(s, accounts["all"], "test-campaign")["code"]) == ["H0001", "M0001", "M0002"]
        assert list(site_table(s, accounts["gangnam"], "test-campaign")["code"]) == ["M0002"]
        assert list(site_table(s, accounts["principal"], "test-campaign")["code"]) == ["M0001"]


def test_summary_and_groupings(database, three_sites) -> None:
    accounts, _ = three_sites
    with database.reading() as s:
        sites = site_table(s, accounts["all"], "test-campaign")
    summary = campaign_summary(sites)
    assert summary["sites"] == 3 and summary["sites_started"] == 2
    assert summary["learners_completed"] == 62 and summary["principals"] == 1
    by_district = completion_by(sites, "district", k=5).set_index("district")
    assert by_district.loc["Mapo-gu", "learners_completed"] == 60
    assert pd.isna(by_district.loc["Gangnam-gu", "learners_completed"])  # 2 < k: suppressed
    lagging = lagging_sites(sites, k=5)
    assert list(lagging["code"]) == ["H0001", "M0002", "M0001"]  # not started first
    assert pd.isna(lagging.set_index("code").loc["M0002", "student_completion"])


def test_suppression_keeps_zero_and_large_counts() -> None:
    frame = pd.DataFrame({"learners_joined": [0, 1, 4, 5, 300]})
    assert suppress_small(frame, 5)["learners_joined"].tolist() == [0, pd.NA, pd.NA, 5, 300]


def test_class_progress_is_for_site_staff_only(database, three_sites) -> None:
    accounts, _ = three_sites
    with database.transaction() as s:
        group = make_class(s, accounts["teacher"])
        make_learners(s, group, 6)
    with database.reading() as s:
        frame = class_progress(s, accounts["principal"], "test-campaign", k=5)
        assert frame["learners_joined"].tolist() == [6]
        with pytest.raises(NotAllowed):
            class_progress(s, accounts["all"], "test-campaign", k=5)


def test_class_view_counts_students_who_chose_the_alternative(database, three_sites, fixture_catalog, test_campaign) -> None:
    accounts, _ = three_sites
    lesson = fixture_catalog.modules["test-lesson"]
    with database.transaction() as s:
        learners = make_learners(s, make_class(s, accounts["teacher"]), 8)
        for learner in learners[:5]:
            record_module_progress(s, learner, test_campaign, lesson, sections_done=0, completed=False, alternative=True)
        record_module_progress(s, learners[5], test_campaign, lesson, sections_done=6, completed=True)
    with database.reading() as s:
        frame = class_progress(s, accounts["principal"], "test-campaign", k=5)
    assert frame[["learners_joined", "module_completions", "alternatives_chosen"]].iloc[0].tolist() == [8, 6, 5]
