"""Recording progress, quizzes, scenario choices and attestations, with rollups kept in step."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from safeclass.db.models import Account, CheckAnswer, Learner, ModuleProgress, QuizAttempt, ScenarioChoice, Site, SiteRollup
from safeclass.domain import Level, Role
from safeclass.services import NotAllowed, ServiceError
from safeclass.services.progress import (
    attest_lesson,
    finished_among,
    first_check_answer,
    has_completed_assignment,
    record_check_answer,
    record_module_progress,
    record_scenario_choice,
)
from safeclass.services.quizzes import start_quiz_attempt, submit_quiz_attempt
from safeclass.services.rollups import rebuild_rollups
from tests.factories import make_account, make_class, make_learners, make_site

RIGHT = {"ask-first": 0, "personal": [0, 1], "joke": False, "steps": [0, 1, 2]}
WRONG = {"ask-first": 1, "personal": [2], "joke": True, "steps": [2, 1, 0]}


def take_quiz(database, participant, campaign, quiz, answers: dict) -> QuizAttempt:
    """Start an attempt (the server draws) and answer whatever was drawn from ``answers``."""
    with database.transaction() as s:
        attempt = start_quiz_attempt(s, participant, campaign, quiz)
        key, drawn = attempt.attempt_key, list(attempt.drawn)
    with database.transaction() as s:
        return submit_quiz_attempt(s, participant, campaign, quiz, attempt_key=key, answers={q: answers[q] for q in drawn if q in answers})


def _rollup(database) -> dict[str, int]:
    with database.reading() as s:
        row = s.scalar(select(SiteRollup))
        return {
            c: getattr(row, c)
            for c in (
                "learners_joined",
                "learners_started",
                "learners_completed",
                "module_completions",
                "quiz_passes",
                "principals_certified",
            )
        }


@pytest.fixture
def classroom(database):
    with database.transaction() as s:
        site = make_site(s)
        teacher = make_account(s, "kim", Role.TEACHER, site)
        group = make_class(s, teacher)
        learners = make_learners(s, group, 3)
    return site, teacher, group, learners


def test_completing_the_assignment_updates_rollups_once(database, classroom, fixture_catalog, test_campaign) -> None:
    _, _, _, learners = classroom
    lesson, quiz = fixture_catalog.modules["test-lesson"], fixture_catalog.quizzes["test-quiz"]
    learner = learners[0]
    with database.transaction() as s:
        record_module_progress(s, learner, test_campaign, lesson, sections_done=2, completed=False)
    assert _rollup(database)["learners_started"] == 1
    with database.transaction() as s:
        progress = record_module_progress(s, learner, test_campaign, lesson, sections_done=6, completed=True)
        assert progress.content_hash == lesson.content_hash
    with database.transaction() as s:
        record_module_progress(s, learner, test_campaign, lesson, sections_done=6, completed=True)  # a second click
    attempt = take_quiz(database, learner, test_campaign, quiz, RIGHT)
    assert attempt.passed and attempt.score == 4 and attempt.content_hash == quiz.content_hash
    assert _rollup(database) == {
        "learners_joined": 3,
        "learners_started": 1,
        "learners_completed": 1,
        "module_completions": 1,
        "quiz_passes": 1,
        "principals_certified": 0,
    }


def test_unassigned_work_is_refused(database, fixture_catalog, test_campaign) -> None:
    with database.transaction() as s:
        group = make_class(s, make_account(s, "kim", Role.TEACHER, make_site(s)), level=Level.ELEMENTARY)
        learner = make_learners(s, group, 1)[0]
    with database.transaction() as s, pytest.raises(ServiceError) as refused:
        record_module_progress(s, learner, test_campaign, fixture_catalog.modules["test-lesson"], sections_done=1, completed=True)
    assert refused.value.code == "not_assigned"


def test_principal_certification_counts_when_training_and_quiz_are_done(database, fixture_catalog, test_campaign) -> None:
    with database.transaction() as s:
        principal = make_account(s, "park", Role.PRINCIPAL, make_site(s))
    with database.transaction() as s:
        record_module_progress(s, principal, test_campaign, fixture_catalog.modules["test-training"], sections_done=1, completed=True)
    assert _rollup(database)["principals_certified"] == 0  # the certification quiz is still to pass
    take_quiz(database, principal, test_campaign, fixture_catalog.quizzes["test-certification"], {"report": False})
    assert _rollup(database)["principals_certified"] == 1


def test_scenario_choices_are_idempotent_and_flag_critical(database, classroom, fixture_catalog, test_campaign) -> None:
    learner = classroom[3][0]
    lesson = fixture_catalog.modules["test-lesson"]
    scenario = lesson.sections[-1]
    with database.transaction() as s:
        row = record_scenario_choice(s, learner, test_campaign, lesson, scenario, run_key="run1", node_id="start", choice_index=0)
        assert row.critical and row.points == 0 and row.content_hash == lesson.content_hash
    with database.transaction() as s:
        record_scenario_choice(s, learner, test_campaign, lesson, scenario, run_key="run1", node_id="start", choice_index=0)
    with database.reading() as s:
        assert s.scalar(select(func.count()).select_from(ScenarioChoice)) == 1
    with database.transaction() as s, pytest.raises(ServiceError):
        record_scenario_choice(s, learner, test_campaign, lesson, scenario, run_key="run2", node_id="harm", choice_index=0)


def test_attestation_counts_a_device_free_lesson_and_can_be_corrected(database, classroom, fixture_catalog, test_campaign) -> None:
    _, teacher, group, _ = classroom
    lesson = fixture_catalog.modules["test-lesson"]
    day = dt.date(2025, 4, 1)
    with database.transaction() as s:
        attest_lesson(s, teacher, group, test_campaign, lesson, delivered_on=day, students_present=24)
    with database.transaction() as s:
        attest_lesson(s, teacher, group, test_campaign, lesson, delivered_on=day, students_present=26)
    with database.reading() as s:
        rollup = s.scalar(select(SiteRollup))
        assert (rollup.lessons_attested, rollup.students_attested) == (1, 26)
    with database.transaction() as s:
        other = make_account(s, "lee", Role.TEACHER, make_site(s, code="M0002"))
    with database.transaction() as s, pytest.raises(NotAllowed):
        attest_lesson(s, other, group, test_campaign, lesson, delivered_on=day, students_present=20)
    with database.transaction() as s, pytest.raises(ServiceError) as future:
        attest_lesson(s, teacher, group, test_campaign, lesson, delivered_on=dt.date.today() + dt.timedelta(days=1), students_present=20)
    assert future.value.code == "delivered_on_range"


def test_incremental_rollups_equal_a_full_recount(database, classroom, fixture_catalog, test_campaign) -> None:
    _, teacher, group, learners = classroom
    lesson, quiz = fixture_catalog.modules["test-lesson"], fixture_catalog.quizzes["test-quiz"]
    with database.transaction() as s:
        record_module_progress(s, learners[0], test_campaign, lesson, sections_done=6, completed=True)
        record_module_progress(s, learners[1], test_campaign, lesson, sections_done=1, completed=False)
        record_module_progress(s, learners[2], test_campaign, lesson, sections_done=0, completed=True, alternative=True)
        attest_lesson(s, teacher, group, test_campaign, lesson, delivered_on=dt.date(2025, 4, 2), students_present=20)
    take_quiz(database, learners[0], test_campaign, quiz, RIGHT)
    take_quiz(database, learners[2], test_campaign, quiz, RIGHT)
    take_quiz(database, learners[2], test_campaign, quiz, WRONG)  # a later failed attempt changes nothing
    incremental = _rollup(database)
    with database.transaction() as s:
        rebuild_rollups(s, test_campaign)
    assert _rollup(database) == incremental
    with database.reading() as s:
        assert s.scalar(select(func.count()).select_from(ModuleProgress)) == 3


def test_the_alternative_activity_counts_as_completed(database, classroom, fixture_catalog, test_campaign) -> None:
    learner = classroom[3][0]
    lesson = fixture_catalog.modules["test-lesson"]
    with database.transaction() as s:
        progress = record_module_progress(s, learner, test_campaign, lesson, sections_done=0, completed=False, alternative=True)
        assert progress.completed_at is not None and progress.alternative
    assert _rollup(database)["module_completions"] == 1
    training = fixture_catalog.modules["test-training"]  # no content warning: no alternative to take
    with database.transaction() as s, pytest.raises(ServiceError) as refused:
        principal = make_account(s, "park", Role.PRINCIPAL, classroom[0])
        record_module_progress(s, principal, test_campaign, training, sections_done=0, completed=False, alternative=True)
    assert refused.value.code == "no_alternative"


def test_position_is_saved_for_resuming(database, classroom, fixture_catalog, test_campaign) -> None:
    learner = classroom[3][0]
    lesson = fixture_catalog.modules["test-lesson"]
    with database.transaction() as s:
        record_module_progress(s, learner, test_campaign, lesson, sections_done=3, completed=False, position=3)
    with database.transaction() as s:
        progress = record_module_progress(s, learner, test_campaign, lesson, sections_done=2, completed=False, position=2)  # went back
        assert (progress.position, progress.sections_done) == (2, 3)
        progress = record_module_progress(s, learner, test_campaign, lesson, sections_done=0, completed=False, position=99)
        assert progress.position == len(lesson.sections) - 1


def test_only_the_first_answer_to_a_check_is_stored(database, classroom, fixture_catalog, test_campaign) -> None:
    learner = classroom[3][0]
    lesson = fixture_catalog.modules["test-lesson"]
    with database.transaction() as s:
        first = record_check_answer(s, learner, test_campaign, lesson, check_id="ask-first", choice_index=1)
    with database.transaction() as s:
        again = record_check_answer(s, learner, test_campaign, lesson, check_id="ask-first", choice_index=0)
    assert again.id == first.id and (again.choice_index, again.correct) == (1, False)
    assert again.content_hash == lesson.content_hash
    with database.reading() as s:
        assert s.scalar(select(func.count()).select_from(CheckAnswer)) == 1
        # What a new session of this seat shows (the player's stored answer), and nobody else's.
        assert first_check_answer(s, learner, test_campaign.id, lesson.id, "ask-first") == 1
        assert first_check_answer(s, classroom[3][1], test_campaign.id, lesson.id, "ask-first") is None
        assert first_check_answer(s, learner, "other-campaign", lesson.id, "ask-first") is None
    with database.transaction() as s, pytest.raises(ServiceError):
        record_check_answer(s, learner, test_campaign, lesson, check_id="ask-first", choice_index=9)
    with database.transaction() as s, pytest.raises(ServiceError):
        record_check_answer(s, learner, test_campaign, lesson, check_id="no-such-check", choice_index=0)


def test_scenario_choices_carry_the_content_version_and_need_the_module_assigned(database, fixture_catalog, test_campaign) -> None:
    lesson = fixture_catalog.modules["test-lesson"]
    with database.transaction() as s:
        group = make_class(s, make_account(s, "kim", Role.TEACHER, make_site(s)), level=Level.ELEMENTARY)
        outsider = make_learners(s, group, 1)[0]
    with database.transaction() as s, pytest.raises(ServiceError) as refused:
        record_scenario_choice(s, outsider, test_campaign, lesson, lesson.sections[-1], run_key="r", node_id="start", choice_index=1)
    assert refused.value.code == "not_assigned"


def test_finished_among_agrees_with_the_single_participant_rule(database, classroom, fixture_catalog, test_campaign) -> None:
    _, _, group, learners = classroom
    lesson, quiz = fixture_catalog.modules["test-lesson"], fixture_catalog.quizzes["test-quiz"]
    with database.transaction() as s:
        principal = make_account(s, "park", Role.PRINCIPAL, s.get(Site, group.site_id))
        for learner in learners[:2]:
            record_module_progress(s, learner, test_campaign, lesson, sections_done=6, completed=True)
    take_quiz(database, learners[0], test_campaign, quiz, RIGHT)  # learner 1: the quiz is still missing
    with database.transaction() as s:
        record_module_progress(s, principal, test_campaign, fixture_catalog.modules["test-training"], sections_done=1, completed=True)

    def both() -> tuple[set[int], set[int]]:
        with database.reading() as s:
            in_class = select(Learner.id).where(Learner.class_group_id == group.id)
            seated = finished_among(s, in_class, test_campaign.id, ("test-lesson",), ("test-quiz",))
            just_principal = select(Account.id).where(Account.id == principal.id)
            staff = finished_among(s, just_principal, test_campaign.id, ("test-training",), ("test-certification",))
            assert seated == {x.id for x in learners if has_completed_assignment(s, s.get(Learner, x.id), test_campaign)}
            assert staff == ({principal.id} if has_completed_assignment(s, s.get(Account, principal.id), test_campaign) else set())
        return seated, staff

    assert both() == ({learners[0].id}, set())  # one item short is not finished, for a student or a principal
    take_quiz(database, principal, test_campaign, fixture_catalog.quizzes["test-certification"], {"report": False})
    assert both() == ({learners[0].id}, {principal.id})
