"""The principal's My site by class: counts per class, complementary suppression, only the site's own learners."""

from __future__ import annotations

import datetime as dt

from safeclass.domain import Role
from safeclass.services.progress import attest_lesson, record_module_progress
from safeclass.services.site_report import my_classes, site_report
from tests.factories import make_account, make_class, make_learners, make_site


def test_my_site_counts_each_class_and_a_hidden_count_cannot_be_recovered(database, fixture_catalog, test_campaign) -> None:
    lesson = fixture_catalog.modules["test-lesson"]
    with database.transaction() as s:
        site = make_site(s)
        principal = make_account(s, "park", Role.PRINCIPAL, site)
        teacher = make_account(s, "kim", Role.TEACHER, site)
        big, small = make_class(s, teacher, label="2-1"), make_class(s, teacher, label="2-2")
        for learner in make_learners(s, big, 25)[:20]:
            record_module_progress(s, learner, test_campaign, lesson, sections_done=6, completed=True)
        for learner in make_learners(s, small, 3)[:1]:
            record_module_progress(s, learner, test_campaign, lesson, sections_done=0, completed=False, alternative=True)
        attest_lesson(s, teacher, big, test_campaign, lesson, delivered_on=dt.date(2025, 4, 1), students_present=24)
        # Another site's activity never shows here (and is never read: the queries start from this site's classes).
        other = make_site(s, code="M0009")
        elsewhere = make_class(s, make_account(s, "lee", Role.TEACHER, other), label="2-1")
        for learner in make_learners(s, elsewhere, 30):
            record_module_progress(s, learner, test_campaign, lesson, sections_done=6, completed=True)
    with database.reading() as s:
        report = site_report(s, principal, test_campaign, fixture_catalog)
    values = report.classes.values.set_index("label")
    shown = report.classes.display().set_index("label")
    assert values.loc["2-1", "lessons_attested"] == 1 and values.loc["2-1", "students_attested"] == 24
    assert shown.loc["2-2", "learners_joined"] == "<5" and shown.loc["2-2", "alternatives_chosen"] == "<5"
    assert "None" not in shown.to_string() and "nan" not in shown.to_string().lower()
    # No hidden count can be worked out: where a column's total is shown, at least two of its cells are hidden.
    for column, kinds in report.classes.kinds.items():
        hidden = int((kinds > 0).sum())
        if hidden and report.classes.totals.get(column) is not None:
            assert hidden >= 2, f"{column}: one hidden cell beside a shown total ({report.classes.totals[column]})"
    # The other site's 30 completions are not in this site's total.
    assert report.classes.totals["module:test-lesson"] in (None, 21.0)


def test_my_classes_shows_only_the_teachers_own_classes_with_small_counts_hidden(database, fixture_catalog, test_campaign) -> None:
    lesson = fixture_catalog.modules["test-lesson"]
    with database.transaction() as s:
        site = make_site(s)
        kim = make_account(s, "kim", Role.TEACHER, site)
        lee = make_account(s, "lee", Role.TEACHER, site)
        mine, small = make_class(s, kim, label="2-1"), make_class(s, kim, label="2-2")
        for learner in make_learners(s, mine, 12)[:9]:
            record_module_progress(s, learner, test_campaign, lesson, sections_done=6, completed=True)
        for learner in make_learners(s, small, 2):
            record_module_progress(s, learner, test_campaign, lesson, sections_done=6, completed=True)
        for learner in make_learners(s, make_class(s, lee, label="2-3"), 20):  # a colleague's class at the same site
            record_module_progress(s, learner, test_campaign, lesson, sections_done=6, completed=True)
    with database.reading() as s:
        report = my_classes(s, kim, test_campaign, fixture_catalog)
    shown = report.classes.display().set_index("label")
    assert list(shown.index) == ["2-1", "2-2"]
    assert report.modules == ("test-lesson",)
    assert shown.loc["2-2", "learners_joined"] == "<5" and shown.loc["2-2", "module:test-lesson"] == "<5"
    # A shown total beside a single hidden cell would give the 2 away (14 - 12): a second cell or the total is hidden too.
    for column in ("learners_joined", "module:test-lesson"):
        hidden = int(report.classes.hidden[column].sum())
        assert hidden >= 2 or report.classes.total_kinds.get(column, 0) > 0, column


def test_a_repeated_class_table_is_suppressed_once_and_new_counts_are_never_stale(database, fixture_catalog, test_campaign) -> None:
    lesson = fixture_catalog.modules["test-lesson"]
    with database.transaction() as s:
        site = make_site(s)
        principal = make_account(s, "park", Role.PRINCIPAL, site)
        group = make_class(s, make_account(s, "kim", Role.TEACHER, site), label="2-1")
        learners = make_learners(s, group, 12)
        for learner in learners[:6]:
            record_module_progress(s, learner, test_campaign, lesson, sections_done=6, completed=True)

    def report():
        with database.reading() as s:
            return site_report(s, principal, test_campaign, fixture_catalog)

    first, again = report(), report()
    assert again.classes is first.classes  # the same counts: suppressed once (My site reruns on every click)
    with database.transaction() as s:
        record_module_progress(s, learners[6], test_campaign, lesson, sections_done=6, completed=True)
    fresh = report()
    assert fresh.classes is not first.classes
    assert fresh.classes.values.loc[0, "module:test-lesson"] == 7 and first.classes.values.loc[0, "module:test-lesson"] == 6
