"""Drill runs on SQLite and PostgreSQL: a principal runs one, staff join with the code, the report and attendance are kept."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from safeclass import clock, throttle
from safeclass.content import Catalog
from safeclass.domain import Role
from safeclass.drills import term_of
from safeclass.services import NotAllowed, ServiceError
from safeclass.services.drills import (
    drill_attendance,
    drills_attended,
    finish_drill,
    followed_run,
    join_drill,
    open_next_inject,
    record_decision,
    report,
    run_state,
    site_drills,
    sites_drilled,
    start_drill,
)
from safeclass.throttle import Throttled
from tests.factories import make_account, make_site

T0 = dt.datetime(2025, 5, 12, 1, 0, tzinfo=dt.UTC)
CAMPAIGN = "test-campaign"


def _at(seconds: int):
    return clock.frozen_at(T0 + dt.timedelta(seconds=seconds))


@pytest.fixture
def school(database):
    with database.transaction() as s:
        site = make_site(s, code="M0001")
        other = make_site(s, code="M0002", district="Gangnam-gu")
        ids = {
            "principal": make_account(s, "park", Role.PRINCIPAL, site).id,
            "teacher": make_account(s, "kim", Role.TEACHER, site).id,
            "teacher2": make_account(s, "lee", Role.TEACHER, site).id,
            "other_principal": make_account(s, "choi", Role.PRINCIPAL, other).id,
            "other_teacher": make_account(s, "jung", Role.TEACHER, other).id,
            "coord": make_account(s, "coord", Role.COORDINATOR).id,
            "mapo": make_account(s, "mapo", Role.COORDINATOR, district="Mapo-gu").id,
        }
    return database, ids


def _account(s, ids, who):
    from safeclass.db.models import Account

    return s.get(Account, ids[who])


def _run_drill(db, ids, drill, choices: list[int], took: list[int]) -> int:
    """Start, let two staff join, and play every inject with ``choices``, each decided ``took`` seconds after it opened."""
    with _at(0), db.transaction() as s:
        run_id = start_drill(s, _account(s, ids, "principal"), CAMPAIGN, drill).id
        code = run_state(s, _account(s, ids, "principal"), run_id).code
    with _at(5), db.transaction() as s:
        join_drill(s, code, "10.0.0.1", _account(s, ids, "teacher"))
        join_drill(s, code.lower(), "10.0.0.2")  # a quick join: no account, no name
    now = 10
    for choice, seconds in zip(choices, took, strict=True):
        with _at(now), db.transaction() as s:
            open_next_inject(s, _account(s, ids, "principal"), run_id, drill)
        now += seconds
        with _at(now), db.transaction() as s:
            inject = drill.injects[run_state(s, _account(s, ids, "principal"), run_id).current_index]
            record_decision(s, _account(s, ids, "principal"), run_id, drill, inject.id, choice)
        now += 20
    with _at(now), db.transaction() as s:
        finish_drill(s, _account(s, ids, "principal"), run_id, drill)
    return run_id


def test_a_full_drill_keeps_decisions_times_and_a_report_and_counts_attendance(school, fixture_catalog: Catalog) -> None:
    db, ids = school
    drill = fixture_catalog.drills["test-drill"]
    run_id = _run_drill(db, ids, drill, [1, 0, 1], [40, 125, 30])
    with db.reading() as s:
        state = run_state(s, _account(s, ids, "teacher"), run_id)
        assert state.finished and state.participants == 3 and state.signed_in == 2  # principal, teacher, one quick join
        after = report(state, fixture_catalog)
        assert [r.seconds for r in after.rows] == [40, 125, 30]
        assert [r.late for r in after.rows] == [False, True, False]  # the report inject has a 2-minute timer
        assert [r.inject.id for r in after.critical_misses] == ["disclosure"]
        assert [(f.owner, f.reason) for f in after.follow_ups] == [("homeroom", "critical"), ("principal", "missed"), ("reporter", "late")]
        attended = drill_attendance(s, _account(s, ids, "principal"))
        assert sorted(a.display_name for a in attended) == ["Kim", "Park"]
        assert [a.display_name for a in drill_attendance(s, _account(s, ids, "teacher"))] == ["Kim"]  # a teacher sees their own
        assert drill_attendance(s, _account(s, ids, "teacher2")) == []
        assert [r.run_id for r in site_drills(s, _account(s, ids, "teacher"))] == [run_id]
        assert site_drills(s, _account(s, ids, "other_teacher")) == []


def test_the_order_of_a_drill_is_enforced(school, fixture_catalog: Catalog) -> None:
    db, ids = school
    drill = fixture_catalog.drills["test-drill"]
    with _at(0), db.transaction() as s:
        principal = _account(s, ids, "principal")
        run_id = start_drill(s, principal, CAMPAIGN, drill).id
        with pytest.raises(ServiceError, match="drill_not_begun"):
            record_decision(s, principal, run_id, drill, "disclosure", 0)
        open_next_inject(s, principal, run_id, drill)
        with pytest.raises(ServiceError, match="drill_undecided"):
            open_next_inject(s, principal, run_id, drill)
        with pytest.raises(ServiceError, match="drill_out_of_turn"):
            record_decision(s, principal, run_id, drill, "report", 0)
        first = record_decision(s, principal, run_id, drill, "disclosure", 1)
        again = record_decision(s, principal, run_id, drill, "disclosure", 0)  # a second click keeps the first decision
        assert again.id == first.id and again.critical
        with pytest.raises(ServiceError, match="drill_undecided"):
            finish_drill(s, principal, run_id, drill)


def test_only_the_sites_principal_runs_its_drill_and_only_its_staff_join_with_an_account(school, fixture_catalog: Catalog) -> None:
    db, ids = school
    drill = fixture_catalog.drills["test-drill"]
    with db.transaction() as s:
        with pytest.raises(NotAllowed):
            start_drill(s, _account(s, ids, "teacher"), CAMPAIGN, drill)
        with pytest.raises(NotAllowed):
            start_drill(s, _account(s, ids, "coord"), CAMPAIGN, drill)
        run = start_drill(s, _account(s, ids, "principal"), CAMPAIGN, drill)
        for who in ("other_principal", "teacher"):
            with pytest.raises(NotAllowed):
                open_next_inject(s, _account(s, ids, who), run.id, drill)
        open_next_inject(s, _account(s, ids, "principal"), run.id, drill)
        for who in ("other_principal", "teacher"):
            with pytest.raises(NotAllowed):
                record_decision(s, _account(s, ids, who), run.id, drill, "disclosure", 0)
            with pytest.raises(NotAllowed):
                finish_drill(s, _account(s, ids, who), run.id, drill)
        with pytest.raises(NotAllowed):
            run_state(s, _account(s, ids, "other_teacher"), run.id)
        with pytest.raises(NotAllowed):
            join_drill(s, run.code, "10.0.0.9", _account(s, ids, "other_teacher"))
        with pytest.raises(NotAllowed):
            drill_attendance(s, _account(s, ids, "other_principal"), run.site_id)


def test_unknown_codes_are_throttled_per_address_and_a_finished_drill_takes_no_one(school, fixture_catalog: Catalog) -> None:
    db, ids = school
    for _ in range(throttle.LIMITS["drill_code"][0].failures):
        with pytest.raises(ServiceError, match="drill_code_unknown"), db.transaction() as s:
            join_drill(s, "ZZZZZZ", "10.0.0.7")
    with pytest.raises(Throttled), db.transaction() as s:
        join_drill(s, "ZZZZZZ", "10.0.0.7")
    run_id = _run_drill(db, ids, fixture_catalog.drills["test-drill"], [0, 0, 0], [10, 10, 10])
    with db.transaction() as s:
        code = run_state(s, _account(s, ids, "principal"), run_id).code
        with pytest.raises(ServiceError, match="drill_finished"):
            join_drill(s, code, "10.0.0.8")


def test_a_quick_join_follows_the_run_by_its_token_only(school, fixture_catalog: Catalog) -> None:
    db, ids = school
    drill = fixture_catalog.drills["test-drill"]
    with db.transaction() as s:
        run = start_drill(s, _account(s, ids, "principal"), CAMPAIGN, drill)
        token = join_drill(s, run.code, "10.0.0.3").token
        mine = join_drill(s, run.code, "10.0.0.3", _account(s, ids, "teacher"))
        assert join_drill(s, run.code, "10.0.0.4", _account(s, ids, "teacher")).id == mine.id  # a second device: one attendance
    with db.reading() as s:
        assert followed_run(s, token).run_id == run.id and not followed_run(s, token).begun
        with pytest.raises(ServiceError, match="drill_not_found"):
            followed_run(s, "forged")


def test_coordinators_see_sites_that_drilled_this_term_with_small_staff_counts_blanked(school, fixture_catalog: Catalog) -> None:
    db, ids = school
    _run_drill(db, ids, fixture_catalog.drills["test-drill"], [0, 0, 0], [10, 10, 10])
    term = term_of(T0.date())
    with db.reading() as s:
        frame = sites_drilled(s, _account(s, ids, "coord"), CAMPAIGN, term, k=5)
        rows = {r["code"]: r for r in frame.to_dict("records")}
        assert rows["M0001"]["drills"] == 1 and rows["M0002"]["drills"] == 0
        assert pd.isna(rows["M0001"]["staff"])  # 2 staff < k: blanked
        assert rows["M0002"]["staff"] == 0  # zero stays visible
        assert sites_drilled(s, _account(s, ids, "coord"), CAMPAIGN, term, k=2).set_index("code").loc["M0001", "staff"] == 2
        assert list(sites_drilled(s, _account(s, ids, "mapo"), CAMPAIGN, term, k=5)["code"]) == ["M0001"]
        next_term = term_of(term[1] + dt.timedelta(days=1))
        assert sites_drilled(s, _account(s, ids, "coord"), CAMPAIGN, next_term, k=5)["drills"].sum() == 0
        with pytest.raises(NotAllowed):
            sites_drilled(s, _account(s, ids, "principal"), CAMPAIGN, term, k=5)


def test_drill_attendance_this_term_counts_per_staff_member_apart_from_the_modules(school, fixture_catalog: Catalog) -> None:
    db, ids = school
    drill = fixture_catalog.drills["test-drill"]
    _run_drill(db, ids, drill, [1, 0, 1], [40, 125, 30])
    _run_drill(db, ids, drill, [1, 0, 1], [40, 125, 30])
    with db.reading() as s:
        principal = _account(s, ids, "principal")
        assert drills_attended(s, principal, term_of(T0.date())) == {ids["principal"]: 2, ids["teacher"]: 2}
        assert drills_attended(s, principal, term_of(dt.date(2025, 10, 1))) == {}  # the next term starts at nought
        assert drills_attended(s, _account(s, ids, "teacher"), term_of(T0.date())) == {ids["teacher"]: 2}  # a teacher: themself only
        with pytest.raises(NotAllowed):
            drills_attended(s, _account(s, ids, "coord"), term_of(T0.date()))
