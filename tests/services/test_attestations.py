"""Attestation: a lesson taught without devices, at most as many present as the class has, counted apart."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from safeclass import clock
from safeclass.db.models import SiteRollup
from safeclass.domain import Level, Role
from safeclass.services import ServiceError
from safeclass.services.attestations import attestations_at_site
from safeclass.services.classes import open_class
from safeclass.services.progress import attest_lesson
from safeclass.services.rollups import COUNTERS, rebuild_rollups
from tests.factories import make_account, make_site


def test_attendance_is_at_most_the_class_size_and_counted_apart(database, fixture_catalog, test_campaign) -> None:
    lesson = fixture_catalog.modules["test-lesson"]
    with clock.frozen_at(dt.datetime(2025, 5, 2, 3, tzinfo=dt.UTC)):
        with database.transaction() as s:
            teacher = make_account(s, "kim", Role.TEACHER, make_site(s))
            group = open_class(
                s, opened_by=teacher, campaign_id=test_campaign.id, label="3반", level=Level.MIDDLE, grade=2, expected_size=25
            )
        day = dt.date(2025, 5, 1)
        with database.transaction() as s, pytest.raises(ServiceError) as refused:
            attest_lesson(s, teacher, group, test_campaign, lesson, delivered_on=day, students_present=26)
        assert (refused.value.code, refused.value.params) == ("students_present_range", {"max": 25})
        with database.transaction() as s:
            attest_lesson(s, teacher, group, test_campaign, lesson, delivered_on=day, students_present=25)
        with database.reading() as s:
            rollup = s.scalar(select(SiteRollup))
            counted = {c: getattr(rollup, c) for c in COUNTERS}
            rows = attestations_at_site(s, teacher, test_campaign)
        assert (counted["lessons_attested"], counted["students_attested"]) == (1, 25)
        assert counted["learners_completed"] == counted["module_completions"] == 0  # not tracked completion
        assert [(r.class_label, r.module_id, r.students_present, r.attested_by) for r in rows] == [("3반", "test-lesson", 25, "Kim")]
        with database.transaction() as s:
            rebuild_rollups(s, test_campaign)
        with database.reading() as s:
            rollup = s.scalar(select(SiteRollup))
            assert {c: getattr(rollup, c) for c in COUNTERS} == counted
    with clock.frozen_at(dt.datetime(2026, 6, 1, 3, tzinfo=dt.UTC)), database.transaction() as s, pytest.raises(ServiceError) as late:
        attest_lesson(s, teacher, group, test_campaign, lesson, delivered_on=dt.date(2026, 5, 30), students_present=20)
    assert late.value.code == "delivered_on_range"  # after the campaign ended
