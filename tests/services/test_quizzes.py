"""Quiz attempts: the server's draw stored at start, one graded record per attempt, limits, locks and ownership."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from safeclass.db.models import QuizAttempt, SiteRollup
from safeclass.domain import Role
from safeclass.services import ServiceError
from safeclass.services.progress import record_module_progress
from safeclass.services.quizzes import quiz_status, start_quiz_attempt, submit_quiz_attempt, submitted_attempt
from tests.factories import make_account, make_class, make_learners, make_site
from tests.services.test_progress import RIGHT, WRONG, take_quiz


@pytest.fixture
def ready(database, fixture_catalog, test_campaign):
    """Two learners who have completed the lesson, so its quiz is open to them."""
    with database.transaction() as s:
        site = make_site(s)
        group = make_class(s, make_account(s, "kim", Role.TEACHER, site))
        learners = make_learners(s, group, 2)
        for learner in learners:
            record_module_progress(s, learner, test_campaign, fixture_catalog.modules["test-lesson"], sections_done=6, completed=True)
    return learners


def test_the_draw_is_made_and_stored_when_the_attempt_starts(database, ready, fixture_catalog, test_campaign) -> None:
    quiz = fixture_catalog.quizzes["test-quiz"]
    with database.transaction() as s:
        attempt = start_quiz_attempt(s, ready[0], test_campaign, quiz)
        assert sorted(attempt.drawn) == sorted(q.id for q in quiz.questions) and len(attempt.drawn) == quiz.draw
        assert not attempt.submitted and attempt.content_hash == quiz.content_hash
        key = attempt.attempt_key
    with database.transaction() as s:  # a reload, a second tab or a double click continues the same attempt
        assert start_quiz_attempt(s, ready[0], test_campaign, quiz).attempt_key == key
    with database.reading() as s:
        assert s.scalar(select(func.count()).select_from(QuizAttempt)) == 1


def test_grading_uses_the_stored_draw_not_the_page(database, ready, fixture_catalog, test_campaign) -> None:
    quiz = fixture_catalog.quizzes["test-quiz"].model_copy(update={"draw": 2})  # 2 of a pool of 4
    with database.transaction() as s:
        attempt = start_quiz_attempt(s, ready[0], test_campaign, quiz)
        key, drawn = attempt.attempt_key, list(attempt.drawn)
    not_drawn = next(q for q in RIGHT if q not in drawn)
    # Whatever the page sends, answers to questions the server did not draw are refused...
    with database.transaction() as s, pytest.raises(ServiceError) as refused:
        submit_quiz_attempt(s, ready[0], test_campaign, quiz, attempt_key=key, answers={not_drawn: RIGHT[not_drawn]})
    assert refused.value.code == "invalid_answers"
    # ...and the score is out of the stored draw, even when the page sends fewer answers.
    with database.transaction() as s:
        graded = submit_quiz_attempt(s, ready[0], test_campaign, quiz, attempt_key=key, answers={drawn[0]: RIGHT[drawn[0]]})
    assert (graded.score, graded.max_score, graded.drawn) == (1, 2, drawn)


def test_a_submission_repeated_is_graded_once(database, ready, fixture_catalog, test_campaign) -> None:
    quiz = fixture_catalog.quizzes["test-quiz"]
    with database.transaction() as s:
        key = start_quiz_attempt(s, ready[0], test_campaign, quiz).attempt_key
    with database.transaction() as s:
        first = submit_quiz_attempt(s, ready[0], test_campaign, quiz, attempt_key=key, answers=RIGHT)
    with database.transaction() as s:
        second = submit_quiz_attempt(s, ready[0], test_campaign, quiz, attempt_key=key, answers=WRONG)
    assert first.id == second.id and second.passed and second.score == 4
    with database.reading() as s:
        assert s.scalar(select(func.count()).select_from(QuizAttempt)) == 1
        assert s.scalar(select(SiteRollup.quiz_passes)) == 1
        assert quiz_status(s, ready[0], test_campaign, quiz).attempts_used == 1


def test_attempt_limits_count_submitted_attempts_in_this_campaign(database, ready, fixture_catalog, test_campaign) -> None:
    quiz = fixture_catalog.quizzes["test-quiz"]  # attempts: 2
    take_quiz(database, ready[0], test_campaign, quiz, WRONG)
    take_quiz(database, ready[0], test_campaign, quiz, WRONG)
    with database.transaction() as s, pytest.raises(ServiceError) as refused:
        start_quiz_attempt(s, ready[0], test_campaign, quiz)
    assert refused.value.code == "no_attempts_left"
    with database.reading() as s:
        status = quiz_status(s, ready[0], test_campaign, quiz)
        assert (status.attempts_left, status.can_start, status.passed, status.best_percent) == (0, False, False, 0)
        assert quiz_status(s, ready[1], test_campaign, quiz).attempts_left == 2  # the neighbour's seat is untouched
    next_year = test_campaign.model_copy(update={"id": "test-campaign-next"})
    with database.reading() as s:
        # A new campaign starts from zero: last year's attempts and passes do not count in it.
        assert quiz_status(s, ready[0], next_year, quiz).attempts_used == 0


def test_a_module_quiz_opens_only_after_its_module(database, fixture_catalog, test_campaign) -> None:
    quiz = fixture_catalog.quizzes["test-quiz"]
    with database.transaction() as s:
        learner = make_learners(s, make_class(s, make_account(s, "kim", Role.TEACHER, make_site(s))), 1)[0]
    with database.transaction() as s, pytest.raises(ServiceError) as refused:
        start_quiz_attempt(s, learner, test_campaign, quiz)
    assert refused.value.code == "quiz_locked"


def test_someone_elses_attempt_cannot_be_submitted_or_read(database, ready, fixture_catalog, test_campaign) -> None:
    quiz = fixture_catalog.quizzes["test-quiz"]
    with database.transaction() as s:
        key = start_quiz_attempt(s, ready[0], test_campaign, quiz).attempt_key
    with database.transaction() as s, pytest.raises(ServiceError) as refused:
        submit_quiz_attempt(s, ready[1], test_campaign, quiz, attempt_key=key, answers=RIGHT)
    assert refused.value.code == "attempt_not_found"
    with database.transaction() as s:
        submit_quiz_attempt(s, ready[0], test_campaign, quiz, attempt_key=key, answers=RIGHT)
    with database.reading() as s, pytest.raises(ServiceError):
        submitted_attempt(s, ready[1], key)
    with database.reading() as s:
        assert submitted_attempt(s, ready[0], key).passed


def test_two_racing_submissions_grade_the_attempt_once(database, ready, fixture_catalog, test_campaign) -> None:
    if database.is_sqlite:
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE), so submissions cannot interleave; PostgreSQL can")
    quiz = fixture_catalog.quizzes["test-quiz"]
    with database.transaction() as s:
        key = start_quiz_attempt(s, ready[0], test_campaign, quiz).attempt_key
    with database.transaction() as first:
        seen = first.scalar(select(QuizAttempt).where(QuizAttempt.attempt_key == key))  # tab 1 has read it, not graded yet
        assert not seen.submitted
        with database.transaction() as second:  # tab 2 submits and commits meanwhile
            submit_quiz_attempt(second, ready[0], test_campaign, quiz, attempt_key=key, answers=RIGHT)
        result = submit_quiz_attempt(first, ready[0], test_campaign, quiz, attempt_key=key, answers=WRONG)
        assert result.passed  # tab 1 gets the first grading back, not a second one
    with database.reading() as s:
        assert s.scalar(select(SiteRollup.quiz_passes)) == 1
