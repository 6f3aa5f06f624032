"""The overview's and My site's data take a fixed number of queries: none per site, class or teacher."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from safeclass.db.models import Learner
from safeclass.domain import Role
from safeclass.services.accounts import staff_at_site
from safeclass.services.progress import assignment_state_query, record_module_progress
from safeclass.services.quizzes import start_quiz_attempt, submit_quiz_attempt
from safeclass.services.reports import campaign_report, completions_over_time, site_table
from safeclass.services.site_report import site_report
from tests.factories import make_account, make_class, make_learners, make_site
from tests.services.test_progress import RIGHT


@contextmanager
def statements(database) -> Iterator[list[tuple[str, object]]]:
    """Every SQL statement run on ``database`` inside the block, with its parameters."""
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:
        seen.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", record)


def _my_site(database, principal, campaign, catalog) -> int:
    """Statements for what app_pages/site.py loads."""
    with database.reading() as s, statements(database) as seen:
        site_table(s, principal, campaign.id)
        site_report(s, principal, campaign, catalog)
        staff_at_site(s, principal, campaign)
    return len(seen)


def _overview(database, coordinator, campaign) -> int:
    """Statements for what app_pages/dashboard.py loads."""
    with database.reading() as s, statements(database) as seen:
        campaign_report(s, coordinator, campaign)
        completions_over_time(s, coordinator, campaign)
    return len(seen)


def test_my_site_reads_the_same_few_queries_however_many_classes_and_teachers(database, fixture_catalog, test_campaign) -> None:
    lesson = fixture_catalog.modules["test-lesson"]
    training = fixture_catalog.modules["test-training"]
    with database.transaction() as s:
        site = make_site(s)
        principal = make_account(s, "park", Role.PRINCIPAL, site)
        teacher = make_account(s, "kim", Role.TEACHER, site)
        learner = make_learners(s, make_class(s, teacher, label="1-1"), 1)[0]
        record_module_progress(s, learner, test_campaign, lesson, sections_done=6, completed=True)
    small = _my_site(database, principal, test_campaign, fixture_catalog)
    with database.transaction() as s:
        for n in range(2, 6):
            colleague = make_account(s, f"teacher{n}", Role.TEACHER, site)
            record_module_progress(s, colleague, test_campaign, training, sections_done=9, completed=True)
            for learner in make_learners(s, make_class(s, colleague, label=f"1-{n}"), 3):
                record_module_progress(s, learner, test_campaign, lesson, sections_done=6, completed=True)
    assert _my_site(database, principal, test_campaign, fixture_catalog) == small <= 16


def test_the_overview_reads_the_same_few_queries_however_many_sites(database, test_campaign) -> None:
    with database.transaction() as s:
        make_site(s, code="M0001")
        coordinator = make_account(s, "coord", Role.COORDINATOR)
    small = _overview(database, coordinator, test_campaign)
    with database.transaction() as s:
        for n in range(2, 12):
            site = make_site(s, code=f"M{n:04d}", district="Gangnam-gu" if n % 2 else "Mapo-gu")
            make_account(s, f"principal{n}", Role.PRINCIPAL, site)
            make_account(s, f"teacher{n}", Role.TEACHER, site)
    assert _overview(database, coordinator, test_campaign) == small <= 6


def test_a_principals_site_table_counts_only_their_own_sites_staff(database, test_campaign) -> None:
    with database.transaction() as s:
        others = [make_site(s, code=f"M000{n}") for n in range(2, 5)]
        mine = make_site(s, code="M0001")  # id 4: not a number the query would hold for another reason
        principal = make_account(s, "park", Role.PRINCIPAL, mine)
        make_account(s, "kim", Role.TEACHER, mine)
        for n, other in enumerate(others):
            make_account(s, f"elsewhere{n}", Role.TEACHER, other)
    with database.reading() as s, statements(database) as seen:
        table = site_table(s, principal, test_campaign.id)
    assert table[["code", "principals", "staff"]].values.tolist() == [["M0001", 1, 1]]
    # The accounts are read for the principal's own site only (its id bound in the query), not all of them.
    staff_queries = [(sql, params) for sql, params in seen if "FROM account" in sql]
    assert staff_queries
    for _sql, params in staff_queries:
        values = params.values() if isinstance(params, dict) else params
        assert mine.id in values


RECORD_TABLES = ("module_progress", "quiz_attempt", "check_answer", "scenario_choice")


def test_my_site_reaches_the_records_through_its_own_learners_and_staff(database, fixture_catalog, test_campaign) -> None:
    # The record tables hold millions of rows of one campaign: a plan that starts from campaign_id reads all of
    # them for one site (SQLite chose such an index while it existed: 270 ms instead of 40 at 100,000 learners).
    if not database.is_sqlite:
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL plans from the statistics ANALYZE keeps")
    lesson = fixture_catalog.modules["test-lesson"]
    with database.transaction() as s:
        site = make_site(s)
        principal = make_account(s, "park", Role.PRINCIPAL, site)
        teacher = make_account(s, "kim", Role.TEACHER, site)
        for learner in make_learners(s, make_class(s, teacher, label="1-1"), 3):
            record_module_progress(s, learner, test_campaign, lesson, sections_done=6, completed=True)
    with database.reading() as s, statements(database) as seen:
        site_table(s, principal, test_campaign.id)
        site_report(s, principal, test_campaign, fixture_catalog)
        staff_at_site(s, principal, test_campaign)
    assert _record_steps(database, seen) >= 4


def test_a_quiz_submission_reaches_the_records_through_its_learner(database, fixture_catalog, test_campaign) -> None:
    # The completion re-check inside the write lock read every attempt of the campaign through such an
    # index (~39 ms instead of ~0.1 ms per submission at 100,000 learners: the benchmark's slow runs).
    if not database.is_sqlite:
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL plans from the statistics ANALYZE keeps")
    quiz = fixture_catalog.quizzes["test-quiz"]
    with database.transaction() as s:
        learner = make_learners(s, make_class(s, make_account(s, "kim", Role.TEACHER, make_site(s))), 1)[0]
        record_module_progress(s, learner, test_campaign, fixture_catalog.modules["test-lesson"], sections_done=6, completed=True)
        key = start_quiz_attempt(s, learner, test_campaign, quiz).attempt_key
    with database.transaction() as s, statements(database) as seen:
        graded = submit_quiz_attempt(s, s.get(Learner, learner.id), test_campaign, quiz, attempt_key=key, answers=RIGHT)
        assert graded.passed  # a first pass: the completion re-check ran
        # The shipped campaigns assign several quizzes per level: SQLite plans an IN list of several differently.
        for learner_side in (True, False):
            check = assignment_state_query(learner_side, ("m1", "m2", "m3"), ("q1", "q2", "q3"), other_pass=True)
            s.execute(check, {"who": learner.id, "cid": test_campaign.id, "quiz_id": "q1", "attempt_id": 1}).one()
    assert _record_steps(database, seen) >= 9


def _record_steps(database, seen) -> int:
    """Check no plan step over a record table scans it or starts from the campaign; how many steps there were."""
    checked = 0
    with database.engine.connect() as connection:
        for statement, parameters in seen:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            for *_, step in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all():
                if any(f" {table} " in f" {step} " for table in RECORD_TABLES):
                    checked += 1
                    # A search by its own key (a learner, an account, a handle, a row id), never by the campaign alone.
                    assert step.startswith("SEARCH") and "(campaign_id=" not in step, (step, statement)
    return checked
