"""Reports on SQLite and PostgreSQL against hand-computed figures: scopes, statuses, targets, suppression,
search, over time, drill-down, where students go wrong."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import delete, select, update

from safeclass import clock
from safeclass.content.models import CheckSection
from safeclass.db.models import DrillRun, QuestionRollup, SiteDayRollup, SiteRollup
from safeclass.domain import Level, Role, SiteType
from safeclass.privacy import COMPLEMENTARY, PRIMARY
from safeclass.services import NotAllowed, ServiceError
from safeclass.services.classes import remove_seat
from safeclass.services.measures import Phase, TargetState
from safeclass.services.progress import record_check_answer, record_module_progress
from safeclass.services.reports import (
    by_group,
    campaign_report,
    class_progress,
    completions_over_time,
    filter_sites,
    question_errors,
    site_detail,
    site_table,
    suppress_small,
)
from safeclass.services.rollups import rebuild_rollups
from safeclass.services.roster import import_sites
from tests.factories import make_account, make_class, make_learners, make_site, roster_row
from tests.services.test_progress import RIGHT, WRONG, take_quiz

TODAY = dt.datetime(2026, 12, 1, 3, tzinfo=dt.UTC)  # noon in Seoul; 275 of the 292 days to the 2026-12-18 target


@pytest.fixture
def campaign26(campaign):
    """The shipped 2026 targets over rollups written under the fixture campaign's id."""
    return campaign.model_copy(update={"id": "test-campaign"})


@pytest.fixture
def five_sites(database):
    figures = {  # code: district, type, (joined, started, completed)
        "M0001": ("Mapo-gu", SiteType.MIDDLE, (120, 100, 60)),
        "M0002": ("Gangnam-gu", SiteType.MIDDLE, (3, 3, 2)),
        "H0001": ("Mapo-gu", SiteType.HIGH, (270, 260, 250)),
        "M0003": ("Gangnam-gu", SiteType.MIDDLE, (240, 235, 230)),
        "E0001": ("Gangnam-gu", SiteType.ELEMENTARY, (0, 0, 0)),
    }
    with database.transaction() as s:
        sites = {}
        for code, (district, kind, (joined, started, completed)) in figures.items():
            sites[code] = make_site(s, code=code, district=district, site_type=kind)
            s.execute(
                update(SiteRollup)
                .where(SiteRollup.site_id == sites[code].id)
                .values(learners_joined=joined, learners_started=started, learners_completed=completed)
            )
        s.execute(update(SiteRollup).where(SiteRollup.site_id == sites["H0001"].id).values(principals_certified=1))
        accounts = {
            "all": make_account(s, "coord", Role.COORDINATOR),
            "gangnam": make_account(s, "gcoord", Role.COORDINATOR, district="Gangnam-gu"),
            "principal": make_account(s, "park", Role.PRINCIPAL, sites["M0001"]),
            "teacher": make_account(s, "kim", Role.TEACHER, sites["M0001"]),
        }
        make_account(s, "lee", Role.PRINCIPAL, sites["H0001"])
    return accounts, sites


def test_scopes(database, five_sites, campaign26) -> None:
    accounts, _ = five_sites
    with database.reading() as s:
        assert list(site_table(s, accounts["all"], "test-campaign")["code"]) == ["E0001", "H0001", "M0001", "M0002", "M0003"]
        assert list(site_table(s, accounts["gangnam"], "test-campaign")["code"]) == ["E0001", "M0002", "M0003"]
        assert list(site_table(s, accounts["principal"], "test-campaign")["code"]) == ["M0001"]
        with pytest.raises(NotAllowed):
            campaign_report(s, accounts["principal"], campaign26)
        with pytest.raises(ServiceError):  # another district's site is "not found" for a district coordinator
            site_detail(s, accounts["gangnam"], campaign26, "M0001")


def test_statuses_targets_and_projection_hand_computed(database, five_sites, campaign26) -> None:
    accounts, _ = five_sites
    with clock.frozen_at(TODAY), database.reading() as s:
        report = campaign_report(s, accounts["all"], campaign26)
    status = dict(zip(report.sites["code"], report.sites["status"], strict=True))
    # Where completion should be today: 80% x 275/292 = 75.34%.
    assert status == {"E0001": "not_started", "H0001": "complete", "M0001": "behind", "M0002": "behind", "M0003": "on_track"}
    targets = {(t.target.audience, t.target.metric): t for t in report.targets}
    completed = targets[("students", "completed")]
    assert (completed.numerator, completed.denominator) == (542, 1500)
    assert completed.expected_now == pytest.approx(0.8 * 275 / 292)
    assert completed.state == TargetState.BEHIND  # 36.1% < 75.3%
    principal = targets[("principal", "certified")]
    assert (principal.numerator, principal.denominator, principal.state) == (1, 5, TargetState.MISSED)  # due 2026-06-30
    assert targets[("students", "started")].numerator == 598
    assert targets[("staff", "completed")].state == TargetState.NO_DATA or targets[("staff", "completed")].denominator == 1
    assert report.phase == Phase.RUNNING


def test_an_ended_campaign_reports_final_figures_not_overdue(database, five_sites, campaign26) -> None:
    accounts, _ = five_sites
    with clock.frozen_at(dt.datetime(2027, 3, 15, tzinfo=dt.UTC)), database.reading() as s:
        report = campaign_report(s, accounts["all"], campaign26)
    assert report.phase == Phase.ENDED
    assert {t.state for t in report.targets} <= {TargetState.MET, TargetState.MISSED, TargetState.NO_DATA}


def test_complementary_suppression_and_groups(database, five_sites, campaign26) -> None:
    accounts, _ = five_sites
    with clock.frozen_at(TODAY), database.reading() as s:
        report = campaign_report(s, accounts["all"], campaign26)
    kinds = dict(zip(report.sites["code"], report.shown.kinds["learners_completed"], strict=True))
    # M0002's 2 is small; Gangnam's subtotal (232) is shown, so M0003's 230 is hidden as its complement.
    assert kinds == {"E0001": 0, "H0001": 0, "M0001": 0, "M0002": PRIMARY, "M0003": COMPLEMENTARY}
    districts = by_group(report, "district").set_index("district")
    assert districts.loc["Gangnam-gu", "learners_completed"] == 232 and districts.loc["Gangnam-gu", "sites"] == 3
    assert districts.loc["Gangnam-gu", "status_not_started"] == 1
    assert districts.loc["Mapo-gu", "principal_certification"] == 0.5


def test_filters_and_search_in_either_language(database, five_sites, campaign26) -> None:
    accounts, _ = five_sites
    with clock.frozen_at(TODAY), database.reading() as s:
        report = campaign_report(s, accounts["all"], campaign26)
    assert list(filter_sites(report, search="강남")["code"]) == ["E0001", "M0002", "M0003"]
    assert list(filter_sites(report, search="gangnam")["code"]) == ["E0001", "M0002", "M0003"]
    assert list(filter_sites(report, districts=["Gangnam-gu"], statuses=["not_started"], certified=False)["code"]) == ["E0001"]
    assert list(filter_sites(report, search="h0001")["code"]) == ["H0001"]
    assert list(filter_sites(report, site_types=["high"], certified=True)["code"]) == ["H0001"]
    shown = filter_sites(report, search="M0002")
    assert pd.isna(shown.iloc[0]["learners_completed"]) and pd.isna(shown.iloc[0]["student_completion"])


def test_over_time_pools_small_days_and_a_live_completion_shows(database, fixture_catalog, test_campaign) -> None:
    with database.transaction() as s:
        site = make_site(s)
        coord = make_account(s, "coord", Role.COORDINATOR)
        teacher = make_account(s, "kim", Role.TEACHER, site)
        learners = make_learners(s, make_class(s, teacher), 7)
    module = fixture_catalog.modules["test-lesson"]
    days = [dt.datetime(2025, 4, d, 3, tzinfo=dt.UTC) for d in (1, 1, 2, 3, 3, 3, 4)]
    for learner, moment in zip(learners, days, strict=True):
        with clock.frozen_at(moment), database.transaction() as s:
            record_module_progress(s, s.merge(learner), test_campaign, module, sections_done=99, completed=True)
    with clock.frozen_at(dt.datetime(2025, 4, 5, tzinfo=dt.UTC)), database.reading() as s:
        series = completions_over_time(s, s.merge(coord), test_campaign).set_index("day")
    # The test campaign asks for the lesson and a quiz: nobody finished; module completions are per day.
    assert series["completed"].sum() == 0
    with database.reading() as s:
        rollup = s.get(SiteRollup, ("test-campaign", site.id))
        assert rollup.module_completions == 7 and rollup.last_activity_at is not None


def test_over_time_counts_only_the_viewers_districts(database, test_campaign) -> None:
    day = test_campaign.period.start
    with database.transaction() as s:
        mapo, gangnam = make_site(s, code="M0001", district="Mapo-gu"), make_site(s, code="G0001", district="Gangnam-gu")
        city = make_account(s, "city", Role.COORDINATOR)
        district = make_account(s, "gangnam.coord", Role.COORDINATOR, district="Gangnam-gu")
        s.add_all(
            [
                SiteDayRollup(campaign_id=test_campaign.id, site_id=mapo.id, day=day, learners_completed=20),
                SiteDayRollup(campaign_id=test_campaign.id, site_id=gangnam.id, day=day, learners_completed=7),
            ]
        )
    with database.reading() as s:
        totals = {
            who.username: int(completions_over_time(s, s.merge(who), test_campaign, today=day)["cumulative"].iloc[-1])
            for who in (city, district)
        }
    assert totals == {"city": 27, "gangnam.coord": 7}


def test_question_errors_hide_questions_below_k(database, fixture_catalog, test_campaign) -> None:
    module = fixture_catalog.modules["test-lesson"]
    check = module.sections_of(CheckSection)[0]
    right = next(i for i, c in enumerate(check.choices) if c.correct)
    wrong = next(i for i, c in enumerate(check.choices) if not c.correct)
    with database.transaction() as s:
        site = make_site(s)
        coord = make_account(s, "coord", Role.COORDINATOR)
        teacher = make_account(s, "kim", Role.TEACHER, site)
        learners = make_learners(s, make_class(s, teacher, Level.MIDDLE), 12)
        for n, learner in enumerate(learners):
            record_check_answer(s, learner, test_campaign, module, check_id=check.id, choice_index=wrong if n < 6 else right)
        other = make_site(s, code="G0001", district="Gangnam-gu")
        for learner in make_learners(s, make_class(s, make_account(s, "lee", Role.TEACHER, other), Level.MIDDLE), 4):
            record_check_answer(s, learner, test_campaign, module, check_id=check.id, choice_index=wrong)
    with database.reading() as s:
        frame = question_errors(s, s.merge(coord), test_campaign, fixture_catalog, "en")
        row = frame[frame["question_id"] == check.id].iloc[0]
        assert (row["responses"], row["wrong"], row["error_rate"]) == (16, 10, 0.625)
        assert row["top_wrong_answer"] == check.choices[wrong].text.en
        assert row["correct_answer"] == check.choices[right].text.en
        gangnam = make_account(s, "gcoord", Role.COORDINATOR, district="Gangnam-gu")
        assert question_errors(s, gangnam, test_campaign, fixture_catalog, "en").empty  # 4 of their students: below k
        mapo = make_account(s, "mcoord", Role.COORDINATOR, district="Mapo-gu")
        assert question_errors(s, mapo, test_campaign, fixture_catalog, "en")["responses"].tolist() == [12]


# Two districts' students answer the fixture quiz (single, multiple, true/false, ordering); k = 5.
MIXED = {"ask-first": 1, "personal": [0], "joke": False, "steps": [0, 1, 2]}  # two wrong, two right
ONLY_FIRST_WRONG = {**RIGHT, "ask-first": 1}


@pytest.fixture
def two_districts(database, fixture_catalog, test_campaign):
    """Mapo: 3 all wrong, 2 mixed, 5 right; Gangnam: 7 wrong on the first question only, 5 right; a check answered too."""
    module = fixture_catalog.modules["test-lesson"]
    quiz = fixture_catalog.quizzes["test-quiz"]
    check = module.sections_of(CheckSection)[0]
    wrong_choice = next(i for i, c in enumerate(check.choices) if not c.correct)
    with database.transaction() as s:
        people = {
            "all": make_account(s, "coord", Role.COORDINATOR),
            "gangnam": make_account(s, "gcoord", Role.COORDINATOR, district="Gangnam-gu"),
        }
        seats = {}
        for code, district, count in (("M0001", "Mapo-gu", 10), ("M0002", "Gangnam-gu", 12)):
            teacher = make_account(s, f"t{code}", Role.TEACHER, make_site(s, code=code, district=district))
            people[district] = teacher
            seats[district] = make_learners(s, make_class(s, teacher), count)
            for learner in seats[district]:
                record_module_progress(s, learner, test_campaign, module, sections_done=6, completed=True)
    plans = {"Mapo-gu": [WRONG] * 3 + [MIXED] * 2 + [RIGHT] * 5, "Gangnam-gu": [ONLY_FIRST_WRONG] * 7 + [RIGHT] * 5}
    for district, plan in plans.items():
        for n, (learner, answers) in enumerate(zip(seats[district], plan, strict=True)):
            take_quiz(database, learner, test_campaign, quiz, answers)
            with database.transaction() as s:
                choice = wrong_choice if n % 2 else next(i for i, c in enumerate(check.choices) if c.correct)
                record_check_answer(s, s.merge(learner), test_campaign, module, check_id=check.id, choice_index=choice)
            with database.transaction() as s:  # a second try at the check is not stored, nor counted
                record_check_answer(s, s.merge(learner), test_campaign, module, check_id=check.id, choice_index=wrong_choice)
    return people, seats


def _by_question(frame: pd.DataFrame) -> dict[str, tuple]:
    quiz = frame[frame["kind"] == "quiz"].set_index("question_id")
    return {q: (r["responses"], None if pd.isna(r["wrong"]) else int(r["wrong"]), r["top_wrong_answer"]) for q, r in quiz.iterrows()}


def test_question_errors_hand_computed_and_scoped_to_districts(database, two_districts, fixture_catalog, test_campaign) -> None:
    people, _ = two_districts
    with database.reading() as s:
        city = _by_question(question_errors(s, s.merge(people["all"]), test_campaign, fixture_catalog, "en"))
        gangnam = question_errors(s, s.merge(people["gangnam"]), test_campaign, fixture_catalog, "en")
        picked = question_errors(s, s.merge(people["all"]), test_campaign, fixture_catalog, "en", district="Gangnam-gu")
        with pytest.raises(NotAllowed):  # a district coordinator cannot ask for another district
            question_errors(s, s.merge(people["gangnam"]), test_campaign, fixture_catalog, "en", district="Mapo-gu")
        with pytest.raises(NotAllowed):  # nor can a teacher see district figures at all
            question_errors(s, s.merge(people["Mapo-gu"]), test_campaign, fixture_catalog, "en")
    # City: 22 answers each. ask-first 3+2+7 wrong; personal 3x[2] + 2x[0] wrong, [2] the most chosen;
    # joke and steps 3 wrong (fewer than k): hidden, as is their most chosen wrong answer.
    assert city == {
        "ask-first": (22, 12, "A filter"),
        "personal": (22, 5, "A favourite colour"),
        "joke": (22, None, ""),
        "steps": (22, None, ""),
    }
    # Gangnam's coordinator sees Gangnam's 12 students only, exactly as the city coordinator filtering to Gangnam.
    assert _by_question(gangnam) == {
        "ask-first": (12, 7, "A filter"),
        "personal": (12, 0, ""),
        "joke": (12, 0, ""),
        "steps": (12, 0, ""),
    }
    pd.testing.assert_frame_equal(gangnam, picked)
    checks = gangnam[gangnam["kind"] == "check"]
    assert (checks["responses"].tolist(), checks["wrong"].tolist()) == ([12], [6])  # first answers: every other seat wrong


def test_question_rollup_equals_a_full_recount(database, two_districts, fixture_catalog, test_campaign) -> None:
    people, seats = two_districts
    quiz = fixture_catalog.quizzes["test-quiz"]
    take_quiz(database, seats["Mapo-gu"][0], test_campaign, quiz, RIGHT)  # a second attempt counts too
    with database.transaction() as s:  # a removed seat takes its answers with it
        remove_seat(s, s.merge(people["Gangnam-gu"]), seats["Gangnam-gu"][0].id, test_campaign)
    with database.transaction() as s:  # the roster moves a site to another district: its answers move with it
        import_sites(s, [roster_row("M0002", district="Seocho-gu")], "test-campaign")

    def rollup(s) -> set[tuple]:
        return set(s.execute(select(*QuestionRollup.__table__.columns)).all())

    with database.reading() as s:
        kept = rollup(s)
        assert {row.district for row in kept} == {"Mapo-gu", "Seocho-gu"}
        before = question_errors(s, s.merge(people["all"]), test_campaign, fixture_catalog, "en")
    with database.transaction() as s:
        s.execute(delete(QuestionRollup))
        rebuild_rollups(s, test_campaign)
    with database.reading() as s:
        assert rollup(s) == kept
        pd.testing.assert_frame_equal(question_errors(s, s.merge(people["all"]), test_campaign, fixture_catalog, "en"), before)
    assert _by_question(before)["ask-first"] == (22, 11, "A filter")  # 23 attempts, less the removed seat's one


def test_site_detail_shows_classes_principals_and_staff(database, five_sites, campaign26) -> None:
    accounts, _ = five_sites
    with database.reading() as s:
        detail = site_detail(s, accounts["all"], campaign26, "M0001")
    assert list(detail.principals["username"]) == ["park"] and not detail.principals["certified"].any()
    assert detail.staff_total == 1
    assert detail.learners_completed == "60"
    with database.reading() as s:
        assert site_detail(s, accounts["all"], campaign26, "M0002").learners_completed == "<5"


def test_suppress_small_for_single_figures() -> None:
    frame = pd.DataFrame({"learners_joined": [0, 1, 4, 5, 300]})
    assert suppress_small(frame, 5)["learners_joined"].tolist() == [0, pd.NA, pd.NA, 5, 300]


def test_class_progress_is_for_site_staff_only(database, five_sites) -> None:
    accounts, _ = five_sites
    with database.transaction() as s:
        group = make_class(s, accounts["teacher"])
        make_learners(s, group, 6)
    with database.reading() as s:
        frame = class_progress(s, accounts["principal"], "test-campaign", k=5)
        assert frame["learners_joined"].tolist() == [6]
        with pytest.raises(NotAllowed):
            class_progress(s, accounts["all"], "test-campaign", k=5)


def test_class_view_counts_students_who_chose_the_alternative(database, five_sites, fixture_catalog, test_campaign) -> None:
    accounts, _ = five_sites
    lesson = fixture_catalog.modules["test-lesson"]
    with database.transaction() as s:
        learners = make_learners(s, make_class(s, accounts["teacher"]), 8)
        for learner in learners[:5]:
            record_module_progress(s, learner, test_campaign, lesson, sections_done=0, completed=False, alternative=True)
        record_module_progress(s, learners[5], test_campaign, lesson, sections_done=6, completed=True)
    with database.reading() as s:
        frame = class_progress(s, accounts["principal"], "test-campaign", k=5)
    assert frame[["learners_joined", "module_completions", "alternatives_chosen"]].iloc[0].tolist() == [8, 6, 5]


def test_the_drill_target_counts_sites_with_a_finished_drill_in_this_campaign(database, five_sites, campaign26) -> None:
    accounts, sites = five_sites
    with database.transaction() as s:
        park = s.merge(accounts["principal"])
        runs = [  # (site, campaign, finished)
            ("M0001", "test-campaign", True),
            ("M0001", "test-campaign", True),  # a second drill at the same site: still one site
            ("H0001", "test-campaign", True),
            ("M0003", "test-campaign", False),  # begun, never finished
            ("M0002", "seoul-2025", True),  # another campaign's drill
        ]
        for number, (code, campaign_id, finished) in enumerate(runs):
            s.add(
                DrillRun(
                    code=f"RUN{number}",
                    campaign_id=campaign_id,
                    site_id=sites[code].id,
                    drill_id="test-drill",
                    content_hash="0" * 12,
                    started_by_id=park.id,
                    finished_at=TODAY if finished else None,
                )
            )
    with clock.frozen_at(TODAY), database.reading() as s:
        report = campaign_report(s, accounts["all"], campaign26)
    assert dict(zip(report.sites["code"], report.sites["drills"], strict=True)) == {
        "E0001": 0,
        "H0001": 1,
        "M0001": 2,
        "M0002": 0,
        "M0003": 0,
    }
    drilled = next(t for t in report.targets if (t.target.audience, t.target.metric) == ("sites", "drilled"))
    assert (drilled.numerator, drilled.denominator) == (2, 5)
    # Where it should be today: 50% x 275/348 days = 39.5%; 40% is on track.
    assert drilled.expected_now == pytest.approx(0.5 * 275 / 348)
    assert drilled.state == TargetState.ON_TRACK
