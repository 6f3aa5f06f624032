"""The drill engine without Streamlit or a database: timers on a settable clock, decisions in turn, the report."""

from __future__ import annotations

import datetime as dt

import pytest

from safeclass import clock
from safeclass.content import Catalog
from safeclass.drills import Decision, DrillError, after_action, decide, term_of, timer

T0 = dt.datetime(2025, 5, 12, 1, 0, tzinfo=dt.UTC)


def _play(fixture_catalog: Catalog, choices: list[int], seconds: list[int]) -> list[Decision]:
    drill = fixture_catalog.drills["test-drill"]
    decisions: list[Decision] = []
    started = T0
    for inject, choice, took in zip(drill.injects[: len(choices)], choices, seconds, strict=True):
        with clock.frozen_at(started + dt.timedelta(seconds=took)):
            decisions.append(decide(drill, decisions, inject.id, choice, started, clock.now()))
        started = started + dt.timedelta(seconds=took + 30)
    return decisions


def test_timer_counts_down_on_the_settable_clock_and_expires_only_after_its_minutes(fixture_catalog: Catalog) -> None:
    inject = fixture_catalog.drills["test-drill"].injects[0]  # 3 minutes
    t = timer(inject, T0)
    with clock.frozen_at(T0 + dt.timedelta(seconds=100)):
        assert t.remaining(clock.now()) == dt.timedelta(seconds=80) and not t.expired(clock.now())
    with clock.frozen_at(T0 + dt.timedelta(minutes=3)):
        assert t.remaining(clock.now()) == dt.timedelta(0) and not t.expired(clock.now())  # the last second still counts
    with clock.frozen_at(T0 + dt.timedelta(minutes=3, seconds=1)):
        assert t.expired(clock.now())
    assert t.elapsed(T0 - dt.timedelta(seconds=5)) == dt.timedelta(0)  # another replica's clock a little behind


def test_decisions_are_taken_in_turn_with_existing_options(fixture_catalog: Catalog) -> None:
    drill = fixture_catalog.drills["test-drill"]
    with pytest.raises(DrillError, match="not the one in play"):
        decide(drill, [], "report", 0, T0, T0)
    with pytest.raises(DrillError, match="has no option 2"):
        decide(drill, [], "disclosure", 2, T0, T0)
    done = _play(fixture_catalog, [0, 0, 0], [10, 10, 10])
    with pytest.raises(DrillError, match="no inject left"):
        decide(drill, done, "counselling", 0, T0, T0)


def test_report_measures_each_decision_against_the_guide_with_time_critical_misses_and_owned_follow_ups(fixture_catalog: Catalog) -> None:
    drill, guide = fixture_catalog.drills["test-drill"], fixture_catalog.guides["test-guide"]
    # disclosure: the critical "is it really you?"; report: the guide's choice but 2 s over its 2 minutes; counselling: missed.
    report = after_action(drill, guide, _play(fixture_catalog, [1, 0, 1], [45, 122, 20]))
    assert [r.step.id for r in report.rows] == ["receive", "report-now", "counselling"]
    assert [r.seconds for r in report.rows] == [45, 122, 20]
    assert [r.late for r in report.rows] == [False, True, False]
    assert report.followed == 1
    assert [r.inject.id for r in report.critical_misses] == ["disclosure"]
    assert report.rows[0].guide_option.text.en == "Thank you for telling me"
    assert [(f.inject_id, f.owner, f.reason) for f in report.follow_ups] == [
        ("disclosure", "homeroom", "critical"),
        ("counselling", "principal", "missed"),
        ("report", "reporter", "late"),
    ]
    assert report.total_seconds == 187


def test_a_clean_run_has_no_critical_miss_and_no_follow_up(fixture_catalog: Catalog) -> None:
    report = after_action(
        fixture_catalog.drills["test-drill"], fixture_catalog.guides["test-guide"], _play(fixture_catalog, [0, 0, 0], [60, 60, 60])
    )
    assert report.critical_misses == () and report.follow_ups == () and report.followed == 3


def test_an_unfinished_drill_has_no_report(fixture_catalog: Catalog) -> None:
    with pytest.raises(DrillError, match="1 of 3"):
        after_action(fixture_catalog.drills["test-drill"], fixture_catalog.guides["test-guide"], _play(fixture_catalog, [0], [5]))


@pytest.mark.parametrize(
    ("day", "term"),
    [
        (dt.date(2025, 3, 1), (dt.date(2025, 3, 1), dt.date(2025, 8, 31))),
        (dt.date(2025, 8, 31), (dt.date(2025, 3, 1), dt.date(2025, 8, 31))),
        (dt.date(2025, 9, 1), (dt.date(2025, 9, 1), dt.date(2026, 2, 28))),
        (dt.date(2028, 2, 29), (dt.date(2027, 9, 1), dt.date(2028, 2, 29))),
    ],
)
def test_terms_follow_the_korean_school_year(day: dt.date, term: tuple[dt.date, dt.date]) -> None:
    assert term_of(day) == term
