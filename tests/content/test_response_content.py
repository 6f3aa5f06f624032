"""The shipped case guide and drills say what the issue asks: every step of the response, three drills of six injects or more."""

from __future__ import annotations

from safeclass.content import Catalog


def test_the_guide_covers_the_first_hour_day_and_week_with_every_required_step(catalog: Catalog) -> None:
    guide = catalog.guide()
    assert guide is not None and [p.id for p in guide.phases] == ["first-hour", "first-day", "first-week"]
    wanted = {"receive", "report-now", "record-evidence", "separate", "deletion", "counselling", "no-secondary", "parents"}
    wanted.add("school-violence")
    assert wanted <= {s.id for s in guide.steps}
    assert {s.id for s in guide.steps if s.critical} >= {"report-now", "record-evidence", "separate", "no-secondary"}
    assert all(step.cites and step.who for step in guide.steps)


def test_three_drills_each_with_six_injects_and_a_critical_trap(catalog: Catalog) -> None:
    assert set(catalog.drills) >= {"drill-disclosure", "drill-group-chat", "drill-teacher-target"}
    for drill in catalog.drills.values():
        assert len(drill.injects) >= 6, drill.id
        assert any(o.critical for i in drill.injects for o in i.options), drill.id
        assert drill.guide == catalog.guide().id
